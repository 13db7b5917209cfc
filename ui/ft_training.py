"""Fine-tuning page, step 2: configure, estimate and train an adapter in the background."""

from __future__ import annotations

import dataclasses

import pandas as pd
import plotly.express as px
import streamlit as st

from core.errors import PlaygroundError
from core.finetune.train import TrainConfig

JOB = "ft_job"
SUGGESTED = ("HuggingFaceTB/SmolLM2-135M-Instruct", "HuggingFaceTB/SmolLM2-360M-Instruct", "Qwen/Qwen2.5-0.5B-Instruct",
             "Qwen/Qwen3-0.6B", "meta-llama/Llama-3.2-1B-Instruct")  # fmt: skip
OWN = "my own folder or id"
METHODS = {"lora": "LoRA", "ia3": "IA³", "prompt_tuning": "Prompt tuning"}
DEFAULT_LR = {"lora": 2e-4, "ia3": 3e-3, "prompt_tuning": 3e-2}


def registry():
    from core.finetune.registry import AdapterRegistry
    from core.settings import data_dir

    return AdapterRegistry(data_dir() / "adapters")


def base_choices() -> list[str]:
    """The bundled model first when it is installed (the default), then a typed folder or id, then suggestions."""
    from core.generation.bundled import BUNDLED_MODEL, bundled_available

    return [BUNDLED_MODEL] * bundled_available() + [OWN, *SUGGESTED]


def base_label(choice: str) -> str:
    from core.generation.bundled import BUNDLED_LABEL, BUNDLED_MODEL

    return BUNDLED_LABEL if choice == BUNDLED_MODEL else choice if choice == OWN else f"{choice} (if on this machine)"


def config_widgets() -> TrainConfig | None:
    """The training settings; None (with the error shown) when they are invalid."""
    left, right = st.columns([3, 2])
    choices = base_choices()
    suggestion = left.selectbox("Base model", choices, format_func=base_label, key="ft_suggest",
                                help="The bundled model trains on a CPU in minutes; larger instruct models take "
                                     "longer, and a GPU is used when present. Ids load only if already on this "
                                     "machine: nothing is downloaded.")  # fmt: skip
    typed = left.text_input("Model folder or Hugging Face id", key="ft_base",
                            placeholder="/models/SmolLM2-135M-Instruct" if suggestion == OWN else
                            "(empty: the model picked above)")  # fmt: skip
    base = typed.strip() or ("" if suggestion == OWN else suggestion)
    method = right.radio("Method", list(METHODS), format_func=METHODS.get, horizontal=True, key="ft_method")
    c = st.columns(6)
    r = c[0].number_input("LoRA r", 1, 256, 8, key="ft_r", disabled=method != "lora")
    alpha = c[1].number_input("LoRA alpha", 1, 512, 16, key="ft_alpha", disabled=method != "lora")
    dropout = c[2].number_input("LoRA dropout", 0.0, 0.9, 0.05, 0.01, key="ft_dropout", disabled=method != "lora")
    targets = c[3].text_input("Target modules", "", key="ft_targets", disabled=method == "prompt_tuning",
                              placeholder="peft default", help="Comma-separated, e.g. q_proj,v_proj (Llama) or "
                              "c_attn (GPT-2). Empty: peft's default for the architecture.")  # fmt: skip
    virtual = c[4].number_input("Virtual tokens", 1, 512, 16, key="ft_virtual", disabled=method != "prompt_tuning")
    seed = c[5].number_input("Seed", 0, 2**31 - 1, 42, key="ft_seed")
    d = st.columns(4)
    epochs = d[0].number_input("Epochs", 1, 100, 1, key="ft_epochs")
    lr = d[1].number_input("Learning rate", 1e-6, 1.0, DEFAULT_LR[method], format="%.0e", key=f"ft_lr_{method}")
    max_length = d[2].number_input("Max length (tokens)", 8, 32_768, 512, step=64, key="ft_max_length")
    batch = d[3].number_input("Batch size", 1, 256, 4, key="ft_batch")
    if not base:
        st.info("Give a base model: a folder with a saved causal LM, or a Hugging Face id already on this machine.")
        return None
    try:
        names = tuple(t.strip() for t in targets.split(",") if t.strip()) or None
        return TrainConfig(base, method, int(r), int(alpha), float(dropout), names, int(virtual), int(epochs), float(lr),
                           int(max_length), int(batch), int(seed))  # fmt: skip
    except PlaygroundError as exc:
        st.error(str(exc))
        return None


def _capped_tokens(dataset, max_length: int) -> tuple[int, int]:
    """Training tokens with each example cut at max length, and how many examples lose their answer (all cl100k:
    the base model's tokenizer differs, so both are estimates)."""
    from core.tokens import chunk_token_count

    key = ("ft_token_sizes", dataset.hash)
    if st.session_state.get("ft_token_key") != key:
        sizes = [(chunk_token_count(" ".join(m["content"] for m in e.messages[:-1])),
                  chunk_token_count(e.messages[-1]["content"])) for e in dataset.train]  # fmt: skip
        st.session_state["ft_token_key"], st.session_state["ft_token_sizes"] = key, sizes
    sizes = st.session_state["ft_token_sizes"]
    return sum(min(p + a, max_length) for p, a in sizes), sum(p >= max_length for p, _ in sizes)


@st.cache_data(show_spinner="Reading the base model's config", max_entries=16)
def _model_info(model: str):
    from core.finetune.modelinfo import base_model_info

    return base_model_info(model)


def estimate_section(config: TrainConfig, dataset) -> bool:
    """The time and cost estimate; False (with the reason shown) when the base model is not on this machine."""
    from core.finetune.estimate import estimate_training, measure_throughput

    try:
        info = _model_info(config.base_model)
    except PlaygroundError as exc:
        st.error(str(exc))
        return False
    tokens, skipped = _capped_tokens(dataset, config.max_length)
    c = st.columns(3)
    device = c[0].radio("Estimate for", ["cpu", "gpu"], format_func=str.upper, horizontal=True, key="ft_device")
    price = c[1].number_input("GPU $ per hour", 0.0, 100.0, 2.50, 0.1, key="ft_gpu_price", disabled=device == "cpu",
                              help="Editable: your cloud's on-demand price for the GPU you would use.")  # fmt: skip
    c[2].metric("Model parameters", f"{info.parameters:,}", help=f"{info.architecture}, counted from {info.source}.")
    measured = st.session_state.get("ft_tps")
    tps = measured[1] if measured and measured[0] == (config, device) else None
    try:
        e = estimate_training(tokens, config.epochs, info.parameters, device, price, tps)
    except PlaygroundError as exc:
        st.error(str(exc))
        return False
    duration = f"{e.seconds:,.0f} s" if e.seconds < 120 else f"{e.seconds / 60:,.1f} min"
    if skipped:
        st.warning(f"About {skipped} of {len(dataset.train)} training examples put their answer beyond max length "
                   f"{config.max_length} (cl100k count) and would be skipped; raise max length to train on them.")  # fmt: skip
    st.markdown(f"**Estimate:** {e.tokens_total:,} training tokens ({tokens:,} × {config.epochs} epochs, cl100k count, "
                f"each example capped at max length) · "
                f"about {duration}" + (f" · about ${e.dollars:,.2f} at ${price:.2f}/h" if e.dollars is not None
                else " · no GPU bill on your own CPU") + f"  \n_{e.seconds_basis}_")  # fmt: skip
    hosted = pd.DataFrame([{"hosted service (same tokens)": q.model, "$ per 1M training tokens": q.per_million,
                            "estimated $": round(q.dollars, 2)} for q in e.hosted])  # fmt: skip
    st.dataframe(hosted, hide_index=True)
    st.caption(f"Hosted prices: {e.hosted[0].source}. Tokens are counted with cl100k, not the provider's billing count.")
    if st.button("Measure throughput (3 real training steps)", key="ft_measure",
                 help="Loads the base model and times a few steps on this machine for a measured estimate."):  # fmt: skip
        with st.spinner("Timing a few training steps"):
            try:
                convs = [e.messages for e in dataset.train[:32]]
                st.session_state["ft_tps"] = ((config, device), measure_throughput(config, convs, steps=2))
                st.rerun()
            except PlaygroundError as exc:
                st.error(str(exc))
    return True


def start_training(config: TrainConfig, dataset, corpus, name: str, limits: tuple[int, int] | None = None) -> None:
    """Start a TrainingJob; when it finishes, the adapter is registered with its dataset and corpus version.
    `limits` (train, held-out) trains on the first examples only, as the workshop preset does."""
    from core.finetune.job import TrainingJob
    from core.finetune.registry import local_record

    reg = registry()
    folder = reg.new_adapter_dir(name)
    train, held_out = list(dataset.train), list(dataset.test)
    if limits:
        train, held_out = train[: limits[0]], held_out[: limits[1]]
    train, held_out = [e.messages for e in train], [e.messages for e in held_out]
    spec = dataclasses.asdict(dataset.spec)
    extra = {"dataset_spec": spec, **({"limits": list(limits)} if limits else {})}

    def register(result) -> None:
        record = local_record(result, config, name, train, corpus)
        reg.add(dataclasses.replace(record, dataset_hash=dataset.hash, config={**record.config, **extra}))

    job = TrainingJob(config, train, held_out, folder, on_done=register).start()
    st.session_state[JOB] = (job, name)


def job_panel() -> None:
    """Progress, live loss curve and a stop button; refreshes itself while training runs."""
    saved = st.session_state.get(JOB)
    if not saved:
        return
    from ui.tuned_picker import base_name

    job, name = saved
    running = not job.snapshot().finished

    @st.fragment(run_every=1.0 if running else None)
    def panel() -> None:
        status = job.snapshot()
        st.markdown(f"**Training '{name}'** ({METHODS[job.config.method]} on {base_name(job.config.base_model)}): "
                    f"{status.message}")  # fmt: skip
        st.progress(status.fraction, text=f"step {status.step} of {status.total_steps or '?'}")
        if status.losses:
            curve = pd.DataFrame(status.losses, columns=["step", "training loss"])
            st.plotly_chart(px.line(curve, x="step", y="training loss", markers=True, height=280,
                                    title="Training loss (logged by the Trainer)"), width="stretch", key="ft_loss")  # fmt: skip
        if status.error:
            st.error(status.error)
        if not status.finished:
            st.button("Stop training", on_click=job.stop, key="ft_stop",
                      help="Ends after the current step; the adapter trained so far is saved.")  # fmt: skip
        elif running:  # it finished during this fragment's life: redraw the page so the registry shows it
            st.rerun()
        elif status.result is not None:
            r = status.result
            before, after = r.eval_loss_before, r.eval_loss_after
            st.success(f"{status.message} Held-out loss {before:.3f} → {after:.3f}." if before is not None and after is not None
                       else status.message)  # fmt: skip
            if r.skipped_examples:
                st.warning(f"{r.skipped_examples} example(s) had no answer token within max length "
                           f"{job.config.max_length} and were skipped; raise max length to train on them.")  # fmt: skip

    panel()
