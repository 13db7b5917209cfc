"""Token counting with litellm's bundled tokenizers (no network).

litellm is imported on first use; LITELLM_LOCAL_MODEL_COST_MAP is forced on so it
never fetches its price map. Models litellm does not know are counted with its
default tokenizer (tiktoken cl100k).
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path

CHUNK_ENCODING = "cl100k_base"


@lru_cache(maxsize=1)
def litellm_module():
    """litellm, imported on first use with its local price map (never fetched)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    return litellm


def count_tokens(text: str, model: str) -> int:
    """Tokens in `text` for `model`, as litellm.token_counter counts them. Texts up to
    _CACHED_CHARS are remembered (documents and instructions recur from question to question)."""
    if not text:
        return 0
    if len(text) <= _CACHED_CHARS:
        return _count_cached(text, model)
    return int(litellm_module().token_counter(model=model, text=text))


_CACHED_CHARS = 200_000  # with 256 entries: at most about 50 MB of remembered text


@lru_cache(maxsize=256)
def _count_cached(text: str, model: str) -> int:
    return int(litellm_module().token_counter(model=model, text=text))



@lru_cache(maxsize=4)
def encoding(name: str = CHUNK_ENCODING):
    """A tiktoken encoding read from litellm's bundled files, without importing litellm."""
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        spec = importlib.util.find_spec("litellm")
        if spec and spec.submodule_search_locations:
            bundled = Path(list(spec.submodule_search_locations)[0]) / "litellm_core_utils" / "tokenizers"
            os.environ["TIKTOKEN_CACHE_DIR"] = str(bundled)
    import tiktoken

    return tiktoken.get_encoding(name)


def chunk_token_count(text: str) -> int:
    """Tokens as chunk sizes are measured (tiktoken cl100k_base)."""
    return len(encoding().encode(text, disallowed_special=()))
