"""JSON and JSON Lines, through langchain-community's JSONLoader (jq): one record per
array element or line, each written out as compact JSON text, so keys and values are
both searchable. The text is checked first, so a syntax error names its line and column.
It does not flatten nested structures into prose or pick a "text" field by itself.
"""

from __future__ import annotations

import json

from core.errors import BadInputError
from core.loaders.base import Loaded, decode_text
from core.loaders.langchain_files import run_on_bytes


def _records(name: str, text: str, lines: bool) -> int:
    """How many records the text holds; raises with the place of the first syntax error."""
    try:
        if lines:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
            return len(rows)
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise BadInputError(name, f"is not valid JSON{' Lines' if lines else ''} ({exc.msg} at {where}). "
                            "Fix the file there, or save it as .txt to index it as plain text.") from exc  # fmt: skip
    return len(value) if isinstance(value, list) else 1


def _load(name: str, data: bytes, lines: bool) -> Loaded:
    from langchain_community.document_loaders import JSONLoader

    from core.langchain_docs import loaded_text

    text, encoding, warnings = decode_text(name, data)
    if _records(name, text, lines) == 0:
        raise BadInputError(name, "holds no records (an empty array or only blank lines). Add records or remove the file.")
    is_array = not lines and text.lstrip().startswith("[")
    schema = ".[]" if is_array else "."
    docs = run_on_bytes(name, text.encode("utf-8"),
                        lambda path: JSONLoader(path, jq_schema=schema, text_content=False, json_lines=lines), "JSON")  # fmt: skip
    body = loaded_text(docs, "\n")
    return Loaded(text=body, title=None, encoding=encoding, warnings=warnings)


def load_json(name: str, data: bytes) -> Loaded:
    return _load(name, data, lines=False)


def load_jsonl(name: str, data: bytes) -> Loaded:
    return _load(name, data, lines=True)
