"""Which fine-tuned model the Compare page's fine-tuned and hybrid lanes use."""

from __future__ import annotations

import streamlit as st

REGISTRY = "adapter from the registry"
LOCAL = "local base + PEFT adapter folder"
HOSTED = "hosted fine-tuned model (litellm id)"


def base_name(model: str) -> str:
    """How a base model is named on screen: the bundled model by its label, any other by its id or folder."""
    from core.generation.bundled import BUNDLED_LABEL, BUNDLED_MODEL

    return BUNDLED_LABEL if model == BUNDLED_MODEL else model


def _generator(record):
    if record.kind == "hosted":
        return _hosted(record.model_id)
    from core.generation.local_hf import TransformersGenerator

    return TransformersGenerator(record.base_model, record.path)


def _hosted(model_id: str):
    from core.generation import LiteLLMGenerator, LLMConfig

    return LiteLLMGenerator(LLMConfig(model=model_id), api_key=st.session_state.get("llm_key") or None)


def tuned_model_widgets(corpus, key: str = "cmp") -> tuple[object | None, str | None]:
    """(generator, note): the note says when the adapter is stale against the active corpus."""
    from core.finetune.registry import staleness
    from ui.ft_training import registry

    records = registry().list()
    kinds = ["none", REGISTRY, LOCAL, HOSTED] if records else ["none", LOCAL, HOSTED]
    kind = st.radio("Kind", kinds, index=1 if records else 0, horizontal=True, key=f"{key}_tuned_kind")
    if kind == REGISTRY:
        record = st.selectbox("Adapter", records, key=f"{key}_tuned_pick_{records[0].adapter_id}",  # newest by default
                              format_func=lambda r: f"{r.name} · {r.method} on {base_name(r.base_model)}")  # fmt: skip
        note = staleness(record, corpus)
        if note:
            st.warning(note)
            st.page_link("app_pages/finetune.py", label="Retrain it on the Fine-tuning lab page", icon=":material/tune:")
        return _generator(record), (f"Stale adapter: {note}" if note else None)
    if kind == LOCAL:
        base_model = st.text_input("Base model folder or id", key=f"{key}_tuned_base")
        adapter = st.text_input("Adapter folder", key=f"{key}_tuned_adapter")
        if base_model.strip() and adapter.strip():
            from core.generation.local_hf import TransformersGenerator

            return TransformersGenerator(base_model.strip(), adapter.strip()), None
    elif kind == HOSTED:
        hosted = st.text_input("Model id", placeholder="openai/ft:gpt-4o-mini-2024-07-18:org::abc123", key=f"{key}_tuned_id")
        if hosted.strip():
            return _hosted(hosted.strip()), None
    return None, None
