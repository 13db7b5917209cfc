"""Keys never reach a file: scrub known keys and key-shaped strings from text and values.

Known keys are the values of credential-named environment variables (OPENAI_API_KEY,
ANTHROPIC_API_KEY, HF_TOKEN, any *_API_KEY / *_TOKEN / *_SECRET / *_PASSWORD ...) and
every key handed to a generation backend (`register`, called by the backends). Shapes
are the common key formats (sk-..., Bearer tokens, AWS, GitHub, Hugging Face, Google,
Slack). The writers (saved runs, snapshots, exports, CLI output, lane errors) call
`scrub` on what they write, so a key echoed in a server's error cannot be stored.
It does not find a secret that has neither a known value nor a known shape.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any

MASK = "***"
_MIN_LENGTH = 8  # shorter values would mask ordinary words
_ENV_NAME = re.compile(r"(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|ACCESS_KEY)(_ID)?$", re.IGNORECASE)
_NOT_SECRET = re.compile(r"(TOKENIZERS?_|_TOKENS?$|MAX_TOKENS)", re.IGNORECASE)  # e.g. TOKENIZERS_PARALLELISM
_SHAPES = re.compile(
    r"\bsk-[A-Za-z0-9_\-]{16,}"  # OpenAI, Anthropic (sk-ant-...), many proxies
    r"|(?i:bearer)\s+[A-Za-z0-9._~+/=\-]{8,}"  # Authorization headers
    r"|\bAKIA[0-9A-Z]{16}\b"  # AWS access key id
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}"  # GitHub
    r"|\bhf_[A-Za-z0-9]{30,}"  # Hugging Face
    r"|\bAIza[0-9A-Za-z_\-]{35}"  # Google
    r"|\bxox[abprs]-[A-Za-z0-9\-]{10,}"  # Slack
)
_registered: set[str] = set()
_lock = threading.Lock()


def register(key: str | None) -> None:
    """Remember a key (typed in the sidebar, passed to a backend) so it is scrubbed everywhere."""
    if key and len(key.strip()) >= _MIN_LENGTH:
        with _lock:
            _registered.add(key.strip())


def known_keys() -> list[str]:
    """Registered keys and credential-named environment values, longest first."""
    from_env = {v.strip() for k, v in os.environ.items()
                if _ENV_NAME.search(k) and not _NOT_SECRET.search(k) and len(v.strip()) >= _MIN_LENGTH}  # fmt: skip
    with _lock:
        keys = from_env | _registered
    return sorted(keys, key=len, reverse=True)


def scrub(text: str, extra: tuple[str | None, ...] = ()) -> str:
    """`text` with every known key, every key in `extra` and every key-shaped string masked."""
    if not text:
        return text
    for key in (*[k for k in extra if k and len(k) >= _MIN_LENGTH], *known_keys()):
        if key in text:
            text = text.replace(key, MASK)
    return _SHAPES.sub(_mask_shape, text)


def _mask_shape(match: re.Match) -> str:
    found = match.group(0)
    return f"{found.split()[0]} {MASK}" if found[:6].lower() == "bearer" else MASK


def scrub_value(value: Any) -> Any:
    """Strings inside dicts, lists and tuples scrubbed (keys and values); other values as they are."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub_value(k): scrub_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub_value(v) for v in value)
    return value
