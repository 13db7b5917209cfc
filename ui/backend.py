"""The generation backend chosen in the sidebar. The API key lives in this browser
session's memory (st.session_state) only: never written to disk, logs or exports."""

from __future__ import annotations

import os

import streamlit as st

from core.errors import PlaygroundError
from core.generation import LiteLLMGenerator, LLMConfig

EXTRACTIVE = "Extractive reader (no LLM)"
LITELLM = "LLM via litellm"
LOCAL = "Local transformers model"
_ENV_KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "MISTRAL_API_KEY", "GROQ_API_KEY")


def backend_sidebar() -> None:
    st.subheader("Generation backend")
    choice = st.radio("Backend", [EXTRACTIVE, LITELLM, LOCAL], key="gen_backend", label_visibility="collapsed")
    if choice == EXTRACTIVE:
        st.caption("Offline default: answers by quoting retrieved sentences; no model is called.")
        return
    if choice == LOCAL:
        st.text_input("Model folder or Hugging Face id", "", key="local_model",
                      help="A causal LM saved on this machine (downloads happen only if you allow them).")
        st.text_input("PEFT adapter folder (optional)", "", key="local_adapter")
        st.caption("Loaded on first use (torch and transformers are imported then).")
        return
    models = ollama_models()
    if models:
        st.caption("Ollama is running here: " + ", ".join(f"ollama/{m}" for m in models[:8]))
    st.text_input("Model (litellm)", "openai/gpt-4o-mini", key="llm_model",
                  help="e.g. openai/gpt-4o-mini, anthropic/claude-sonnet-4-5, ollama/llama3.2, "
                       "hosted_vllm/NAME, or openai/NAME with a base URL for any OpenAI-compatible server.")  # fmt: skip
    st.text_input("Base URL (optional)", "", key="llm_base", placeholder="http://127.0.0.1:8000/v1")
    st.text_input("API key (optional)", "", key="llm_key", type="password",
                  help="Kept in this browser session's memory only. Leave empty to use the provider's "
                       "environment variable or a local server without keys.")  # fmt: skip
    found = [k for k in _ENV_KEYS if os.environ.get(k)]
    st.caption("Key: typed here (session memory only)" if st.session_state.get("llm_key")
               else f"Key from environment: {', '.join(found)}" if found else "No key typed or in the environment.")  # fmt: skip


def current_generator():
    """The configured generator (litellm or local), or None for the extractive reader."""
    backend = st.session_state.get("gen_backend")
    if backend == LOCAL:
        from core.generation.local_hf import TransformersGenerator

        model = st.session_state.get("local_model", "").strip()
        return TransformersGenerator(model, st.session_state.get("local_adapter", "").strip() or None) if model else None
    if backend != LITELLM:
        return None
    try:
        config = LLMConfig(model=st.session_state.get("llm_model", "").strip(),
                           api_base=st.session_state.get("llm_base", "").strip() or None)  # fmt: skip
    except PlaygroundError as exc:
        st.sidebar.error(str(exc))
        return None
    return LiteLLMGenerator(config, api_key=st.session_state.get("llm_key") or None)


@st.cache_data(ttl=30, show_spinner=False)
def ollama_models(url: str = "http://127.0.0.1:11434") -> list[str]:
    """Models of a local Ollama server, or [] when none answers (checked every 30 s)."""
    import json
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}/api/tags", timeout=0.3) as response:
            return [m["name"] for m in json.load(response).get("models", [])]
    except (OSError, ValueError):
        return []
