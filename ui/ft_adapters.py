"""Fine-tuning page, step 3: the adapter registry (list, staleness, retrain, export, delete, hosted ids)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import PlaygroundError
from core.finetune.registry import staleness
from ui.ft_training import JOB, registry
from ui.tuned_picker import base_name


def _row(record, corpus) -> dict:
    m = record.metrics
    loss = lambda key: None if m.get(key) is None else round(m[key], 3)  # noqa: E731
    return {"adapter": record.name, "id": record.adapter_id, "kind": record.kind, "method": record.method,
            "base model": base_name(record.base_model), "corpus revision": record.corpus_revision,
            "fresh": "stale" if staleness(record, corpus) else "current" if record.corpus_id else "n/a",
            "held-out loss before": loss("eval_loss_before"), "after": loss("eval_loss_after"),
            "QA acc. base / adapter / adapter + RAG": " / ".join(
                "–" if m.get("qa_accuracy", {}).get(k) is None else f"{m['qa_accuracy'][k]:.2f}" for k in QA_KEYS),
            "steps": m.get("steps"), "seconds": None if record.seconds is None else round(record.seconds, 1),
            "dataset": record.dataset_hash, "examples": record.dataset_size, "trained": record.trained_at[:19]}  # fmt: skip


QA_KEYS = ("base", "adapter", "adapter + RAG")
QA_LANES = {"closed_book": "base", "fine_tuned": "adapter", "hybrid": "adapter + RAG"}


def registry_section(store, corpus) -> None:
    st.subheader("3 · Adapters")
    reg = registry()
    records = reg.list()
    if not records:
        st.caption("No adapters yet: train one above, or register a hosted fine-tuned model below.")
    else:
        st.dataframe(pd.DataFrame([_row(r, corpus) for r in records]), hide_index=True, width="stretch")
        chosen = st.selectbox("Adapter", records, format_func=lambda r: f"{r.name} · {r.adapter_id}",
                              key=f"ft_chosen_{records[0].adapter_id}")  # a new adapter becomes the default
        note = staleness(chosen, corpus)
        if note:
            st.warning(note)
        _loss_curve(chosen)
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


def _loss_curve(record) -> None:
    """The chosen adapter's logged training losses, with its held-out loss before and after."""
    import plotly.express as px

    losses = record.metrics.get("losses") or []
    if not losses:
        return
    before, after = record.metrics.get("eval_loss_before"), record.metrics.get("eval_loss_after")
    held = f" · held-out loss {before:.3f} → {after:.3f}" if before is not None and after is not None else ""
    curve = pd.DataFrame(losses, columns=["step", "training loss"])
    st.plotly_chart(px.line(curve, x="step", y="training loss", markers=True, height=260,
                            title=f"Training loss of '{record.name}'{held}"), width="stretch", key="ft_record_loss")  # fmt: skip


def _actions(reg, record, store, corpus, stale: bool) -> None:
    c = st.columns(3)
    if record.kind == "local" and "dataset_spec" in record.config:
        label = "Retrain on the current corpus" if stale else "Retrain"
        if c[0].button(label, type="primary" if stale else "secondary", key="ft_retrain",
                       help="Rebuilds the dataset with the same settings from the current corpus and trains again "
                            "with the same configuration."):  # fmt: skip
            _retrain(record, store, corpus)
    if record.kind == "local" and corpus.corpus_id == "sample":
        if st.button("Evaluate on the QA test split: base vs adapter vs adapter + RAG", key="ft_eval"):
            _evaluate(reg, record, corpus)
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
        train = {k: v for k, v in record.config.items() if k not in ("dataset_spec", "limits")}
        limits = tuple(record.config["limits"]) if record.config.get("limits") else None
        config = TrainConfig(**{**train, "target_modules": tuple(train["target_modules"]) if train.get("target_modules") else None})
        qa = load_qa(SAMPLE_DIR / "qa.jsonl") if corpus.corpus_id == SAMPLE_ID else ()
        with st.spinner("Rebuilding the dataset from the current corpus"):
            dataset = build_dataset(store.load_documents(corpus.corpus_id), qa, spec)
        st.session_state["ft_dataset"] = (corpus.corpus_id, corpus.fingerprint, dataset)
        if st.session_state.get(JOB) and not st.session_state[JOB][0].snapshot().finished:
            raise PlaygroundError("A training run is in progress; stop it or wait for it before retraining.")
        start_training(config, dataset, corpus, record.name.split(" (retrained")[0] + f" (retrained r{corpus.revision})",
                       limits)  # fmt: skip
        st.rerun()
    except PlaygroundError as exc:
        st.error(str(exc))


def _evaluate(reg, record, corpus) -> None:
    """The base model alone (closed book), the adapter alone, and the adapter fed by retrieval, on the
    test split of the sample QA set; accuracies go into the registry record."""
    from core.config import IndexConfig, RetrievalConfig
    from core.evaluation.qasets import load_sample_qa, select_items
    from core.evaluation.run import evaluate, gold_from_index
    from core.evaluation.summary import summarise
    from core.generation.local_hf import TransformersGenerator
    from core.access import lane_context
    from core.lanes import LaneConfig
    from ui.actions import index_with_progress
    from ui.resources import get_reader, get_store

    try:
        index = index_with_progress(corpus, IndexConfig())
        documents = tuple(get_store().load_documents(corpus.corpus_id))
        ctx = lane_context(index, documents, corpus, RetrievalConfig(), reader=get_reader(index.embedder.name),
                           generator=TransformersGenerator(record.base_model),
                           tuned=TransformersGenerator(record.base_model, record.path))  # fmt: skip
        bar = st.progress(0.0, text="Evaluating")
        run = evaluate(select_items(load_sample_qa(), "test"), ctx, [LaneConfig(k) for k in QA_LANES],
                       gold_from_index(index, documents), index.embedder,
                       lambda f, m: bar.progress(min(f, 1.0), text=m), corpus=corpus)  # fmt: skip
        bar.empty()
        accuracy = {QA_LANES[s.lane]: s.accuracy for s in summarise(run)}
        reg.update_metrics(record.adapter_id, {"qa_accuracy": accuracy, "qa_run": run.run_id})
        st.success("Test-split accuracy: " + " · ".join(f"{k} {accuracy.get(k) or 0:.2f}" for k in QA_KEYS))
    except PlaygroundError as exc:
        st.error(str(exc))
