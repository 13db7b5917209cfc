"""Token counting with litellm's bundled tokenizers (no network).

litellm is imported on first use; LITELLM_LOCAL_MODEL_COST_MAP is forced on so it
never fetches its price map. Models litellm does not know are counted with its
default tokenizer (tiktoken cl100k).
"""

from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=1)
def _litellm():
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    return litellm


def count_tokens(text: str, model: str) -> int:
    """Tokens in `text` for `model`, as litellm.token_counter counts them."""
    if not text:
        return 0
    return int(_litellm().token_counter(model=model, text=text))

