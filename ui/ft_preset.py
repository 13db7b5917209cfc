"""Fine-tuning page, the workshop preset: one click builds the preset dataset and trains its adapter."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import PlaygroundError
from ui.ft_dataset import DATASET
from ui.ft_training import JOB, OWN, base_choices, base_label, start_training


def _settings(preset) -> pd.DataFrame:
    c = preset.config
    rows = {"method": "LoRA", "LoRA r / alpha / dropout": f"{c.r} / {c.alpha} / {c.dropout}",
            "target modules": ", ".join(c.target_modules or ("peft default",)), "learning rate": f"{c.learning_rate:g}",
            "max length (tokens)": str(c.max_length), "batch size": str(c.batch_size), "epochs": str(c.epochs),
            "training examples (at most)": str(preset.max_train), "held-out examples (at most)": str(preset.max_test),
            "steps (at most)": str(preset.steps),
            "dataset": "knowledge QA (train split) + rule questions; no style, RAFT or generated pairs"}  # fmt: skip
    return pd.DataFrame({"setting": list(rows), "value": list(rows.values())})


def preset_section(store, corpus) -> None:
    """The preset's base model (the bundled one by default), its settings, and the one button."""
    from core.finetune.preset import WORKSHOP

    st.subheader("Workshop preset")
    st.markdown(f"**{WORKSHOP.name}.** {WORKSHOP.look_for}")
    left, right = st.columns([3, 2])
    choice = left.selectbox("Base model for the preset", base_choices(), format_func=base_label, key="ft_preset_pick")
    if choice == OWN:
        base = left.text_input("Model folder", key="ft_preset_base", placeholder="/models/my-causal-lm").strip()
    else:
        base = choice
    with right.popover("Preset settings"):
        st.dataframe(_settings(WORKSHOP), hide_index=True)
        st.caption("Change any of them in steps 1 and 2 below for your own run.")
    busy = bool(st.session_state.get(JOB)) and not st.session_state[JOB][0].snapshot().finished
    st.caption("The first use of the bundled model converts it once (about a minute); the loss curve then updates "
               "live below. Afterwards open **Compare**: the fine-tuned and hybrid lanes use the newest adapter.")  # fmt: skip
    if st.button("Train the workshop adapter", type="primary", key="ft_preset_go", disabled=busy or not base,
                 help="Builds the preset dataset from this corpus and trains the adapter in the background."):  # fmt: skip
        _train(store, corpus, WORKSHOP.for_base(base))


def _train(store, corpus, preset) -> None:
    from core.finetune.dataset import build_dataset
    from core.finetune.modelinfo import base_model_info
    from core.qa import load_qa
    from core.sample import SAMPLE_DIR, SAMPLE_ID

    try:
        base_model_info(preset.config.base_model)  # refuse a model that is not on this machine, before building
        qa_items = load_qa(SAMPLE_DIR / "qa.jsonl") if corpus.corpus_id == SAMPLE_ID else ()
        bar = st.progress(0.0, text="Building the preset dataset")
        dataset = build_dataset(store.load_documents(corpus.corpus_id), qa_items, preset.spec,
                                progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m))  # fmt: skip
        bar.empty()
        st.session_state[DATASET] = (corpus.corpus_id, corpus.fingerprint, dataset)
        from ui.ft_training import registry

        name = f"workshop-{corpus.corpus_id}-{len(registry().list()) + 1}"
        start_training(preset.config, dataset, corpus, name, limits=(preset.max_train, preset.max_test))
    except PlaygroundError as exc:
        st.error(str(exc))
