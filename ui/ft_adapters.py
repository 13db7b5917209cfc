"""Fine-tuning page, step 3: the adapter registry (list, staleness, retrain, export, delete, hosted ids)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import PlaygroundError
from core.finetune.registry import staleness
from ui.ft_training import JOB, registry


def _row(record, corpus) -> dict:
    m = record.metrics
    loss = lambda key: None if m.get(key) is None else round(m[key], 3)  # noqa: E731
    return {"adapter": record.name, "id": record.adapter_id, "kind": record.kind, "method": record.method,
            "base model": record.base_model, "corpus revision": record.corpus_revision,
            "fresh": "stale" if staleness(record, corpus) else "current" if record.corpus_id else "n/a",
            "held-out loss before": loss("eval_loss_before"), "after": loss("eval_loss_after"),
            "QA accuracy (adapter + RAG)": m.get("qa_accuracy", {}).get("hybrid"),
            "steps": m.get("steps"), "seconds": None if record.seconds is None else round(record.seconds, 1),
            "dataset": record.dataset_hash, "examples": record.dataset_size, "trained": record.trained_at[:19]}  # fmt: skip


def registry_section(store, corpus) -> None:
    st.subheader("3 · Adapters")
    reg = registry()
    records = reg.list()
    if not records:
        st.caption("No adapters yet: train one above, or register a hosted fine-tuned model below.")
    else:
        st.dataframe(pd.DataFrame([_row(r, corpus) for r in records]), hide_index=True, width="stretch")
        chosen = st.selectbox("Adapter", records, format_func=lambda r: f"{r.name} · {r.adapter_id}", key="ft_chosen")
        note = staleness(chosen, corpus)
        if note:
            st.warning(note)
        _actions(reg, chosen, store, corpus, stale=note is not None)
    with st.form("ft_hosted"):
        st.markdown("**Register a hosted fine-tuned model**")
        c = st.columns([3, 2])
        model_id = c[0].text_input("Model id (litellm)", placeholder="openai/ft:gpt-4o-mini-2024-07-18:org::abc123")
        base = c[1].text_input("Base model", "gpt-4o-mini-2024-07-18")
        if st.form_submit_button("Register"):
            try:
                reg.register_hosted(model_id, base, corpus, note="registered on the Fine-tuning page")
                st.rerun()
            except PlaygroundError as exc:
                st.error(str(exc))


def _actions(reg, record, store, corpus, stale: bool) -> None:
    c = st.columns(3)
    if record.kind == "local" and "dataset_spec" in record.config:
        label = "Retrain on the current corpus" if stale else "Retrain"
        if c[0].button(label, type="primary" if stale else "secondary", key="ft_retrain",
                       help="Rebuilds the dataset with the same settings from the current corpus and trains again "
                            "with the same configuration."):  # fmt: skip
            _retrain(record, store, corpus)
    if c[1].button("Delete", key="ft_delete"):
        st.session_state["ft_confirm_delete"] = record.adapter_id
    if st.session_state.get("ft_confirm_delete") == record.adapter_id:
        st.warning(f"Delete '{record.name}' and its weights?")
        if st.button("Yes, delete it", key="ft_delete_yes"):
            reg.delete(record.adapter_id)
            st.session_state.pop("ft_confirm_delete")
            st.rerun()
    if record.kind == "local" and record.method in ("lora", "ia3"):
        with c[2].popover("Merge and export"):
            dest = st.text_input("Export folder (new or empty)", key="ft_export_dest",
                                 placeholder="/models/my-merged-model")  # fmt: skip
            if st.button("Merge into the base model and save", key="ft_export") and dest.strip():
                try:
                    with st.spinner("Merging"):
                        path = reg.merge_and_export(record.adapter_id, dest.strip())
                    st.success(f"Saved a standalone model to {path}; load it as a local model without peft.")
                except PlaygroundError as exc:
                    st.error(str(exc))


def _retrain(record, store, corpus) -> None:
    from core.config import ChunkConfig
    from core.finetune.dataset import DatasetSpec, build_dataset
    from core.finetune.train import TrainConfig
    from core.qa import load_qa
    from core.sample import SAMPLE_DIR, SAMPLE_ID
    from ui.ft_training import start_training

    try:
        spec_data = dict(record.config["dataset_spec"])
        spec = DatasetSpec(**{**spec_data, "chunk": ChunkConfig(**spec_data["chunk"]), "generated": False})
        train = {k: v for k, v in record.config.items() if k != "dataset_spec"}
        config = TrainConfig(**{**train, "target_modules": tuple(train["target_modules"]) if train.get("target_modules") else None})
        qa = load_qa(SAMPLE_DIR / "qa.jsonl") if corpus.corpus_id == SAMPLE_ID else ()
        with st.spinner("Rebuilding the dataset from the current corpus"):
            dataset = build_dataset(store.load_documents(corpus.corpus_id), qa, spec)
        st.session_state["ft_dataset"] = (corpus.corpus_id, corpus.fingerprint, dataset)
        if st.session_state.get(JOB) and not st.session_state[JOB][0].snapshot().finished:
            raise PlaygroundError("A training run is in progress; stop it or wait for it before retraining.")
        start_training(config, dataset, corpus, record.name.split(" (retrained")[0] + f" (retrained r{corpus.revision})")
        st.rerun()
    except PlaygroundError as exc:
        st.error(str(exc))
