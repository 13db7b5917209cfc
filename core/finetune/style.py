"""Style examples: uploaded instruction/response rows, or the corpus's own memos.

Uploads: JSONL (one object per line) or CSV (a header row), each row holding
instruction + response (optional system), prompt + completion, or (JSONL) a `messages`
list of {role, content}. Memos: a document whose first lines hold TO:, FROM: and RE:
becomes "Write a memo to <TO> from <FROM> ... about <RE>", with the Question Presented
and Short Answer as key points, answered by the memo text in a uniform layout (header
lines, then "## <Section>" headings; PDF lines reflowed into paragraphs).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from core.errors import BadInputError
from core.finetune.examples import ROLES, Example
from core.types import Document

PAIR_KEYS = (("instruction", "response"), ("prompt", "completion"))
SECTIONS = ("Question Presented", "Short Answer", "Background", "Discussion", "Risks and Open Points", "Recommendation")
HEADER_FIELDS = ("TO", "FROM", "CC", "DATE", "RE", "MATTER")
_FIELD = re.compile(r"^(TO|FROM|CC|DATE|RE|MATTER):\s*(.+)$")
_FIX = "Each row needs instruction + response, prompt + completion, or (JSONL) a messages list."


@dataclass(frozen=True)
class StyleRow:
    """One style conversation and where it came from ("file.jsonl line 3", "memo.md")."""

    source: str
    turns: tuple[tuple[str, str], ...]


def load_style_rows(name: str, data: bytes | str) -> tuple[StyleRow, ...]:
    """Parse an uploaded .jsonl or .csv; errors name the file and line or row and the fix."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in (".jsonl", ".csv"):
        raise BadInputError(name, f"'{suffix or 'no extension'}' is not a style file. Upload .jsonl or .csv. {_FIX}")
    try:
        text = (data.decode("utf-8") if isinstance(data, bytes) else data).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise BadInputError(name, f"is not UTF-8 text ({exc.reason} at byte {exc.start}). Save it as UTF-8.") from None
    rows = _jsonl(name, text) if suffix == ".jsonl" else _csv(name, text)
    if not rows:
        raise BadInputError(name, f"holds no rows. {_FIX}")
    return tuple(rows)


def _jsonl(name: str, text: str) -> list[StyleRow]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInputError(where, f"is not valid JSON ({exc.msg}, column {exc.colno}). {_FIX}") from None
        if not isinstance(row, dict):
            raise BadInputError(where, f"is a JSON {type(row).__name__}, not an object. {_FIX}")
        rows.append(StyleRow(where, _turns(where, row)))
    return rows


def _csv(name: str, text: str) -> list[StyleRow]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if not any(a in header and b in header for a, b in PAIR_KEYS):
        raise BadInputError(f"{name} row 1", f"has columns {header or 'none'}; it needs instruction and response, "
                            "or prompt and completion (first row = column names).")  # fmt: skip
    rows = []
    for number, raw in enumerate(reader, start=2):
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue
        row = {(k or "").strip().lower(): v for k, v in raw.items()}
        rows.append(StyleRow(f"{name} row {number}", _turns(f"{name} row {number}", row)))
    return rows


def _turns(where: str, row: dict) -> tuple[tuple[str, str], ...]:
    if "messages" in row:
        return _messages(where, row["messages"])
    for ask, reply in PAIR_KEYS:
        if ask in row or reply in row:
            values = [row.get(ask), row.get(reply)]
            for key, value in zip((ask, reply), values):
                if not isinstance(value, str) or not value.strip():
                    raise BadInputError(where, f"'{key}' is missing or empty; give both {ask} and {reply} as text.")
            system = row.get("system")
            head = (("system", system.strip()),) if isinstance(system, str) and system.strip() else ()
            return head + (("user", values[0].strip()), ("assistant", values[1].strip()))
    raise BadInputError(where, f"has keys {sorted(row)}. {_FIX}")


def _messages(where: str, messages) -> tuple[tuple[str, str], ...]:
    if not isinstance(messages, list) or not messages:
        raise BadInputError(where, "'messages' must be a non-empty list of {role, content} objects.")
    turns = []
    for i, message in enumerate(messages, start=1):
        role = message.get("role") if isinstance(message, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if role not in ROLES:
            raise BadInputError(where, f"message {i} has role {role!r}; use one of {', '.join(ROLES)}.")
        if not isinstance(content, str) or not content.strip():
            raise BadInputError(where, f"message {i} ({role}) has no text content; give it a non-empty string.")
        turns.append((role, content.strip()))
    if turns[-1][0] != "assistant" or not any(r == "user" for r, _ in turns):
        raise BadInputError(where, "the messages need a user message and must end with the assistant's reply.")
    return tuple(turns)


def parse_memo(document: Document) -> tuple[dict[str, str], str] | None:
    """Header fields (TO, FROM, CC, DATE, RE, MATTER) and the memo in a uniform layout, or
    None when the document does not open with a TO:/FROM:/RE: header."""
    lines = document.text.split("\n")
    fields: dict[str, str] = {}
    for line in lines[:30]:
        match = _FIELD.match(line.strip().lstrip("#").strip())
        if match and match.group(1) not in fields:
            fields[match.group(1)] = match.group(2).strip()
    if not {"TO", "FROM", "RE"} <= set(fields):
        return None
    return fields, _layout(document, fields)


def _layout(document: Document, fields: dict[str, str]) -> str:
    body = document.text
    marker = re.search(r"^.*MATTER:.*$", body, re.MULTILINE) or re.search(r"^.*RE:.*$", body, re.MULTILINE)
    body = body[marker.end() :]
    if document.format == "pdf":
        body = _reflow(body)
    names = {s.lower(): s for s in SECTIONS}
    out = []
    for line in body.split("\n"):
        bare = line.strip().lstrip("#").strip()
        if bare.lower() in names:
            out.append(f"\n## {names[bare.lower()]}\n")
        elif line.strip() != "PRIVILEGED AND CONFIDENTIAL - ATTORNEY WORK PRODUCT":
            out.append(line)
    header = ["MEMORANDUM"] + [f"{k}: {fields[k]}" for k in HEADER_FIELDS[:5] if k in fields]
    header.append("PRIVILEGED AND CONFIDENTIAL - ATTORNEY WORK PRODUCT")
    header += [f"MATTER: {fields['MATTER']}"] if "MATTER" in fields else []
    text = "\n\n".join(header) + "\n" + "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _reflow(text: str) -> str:
    """Join PDF layout lines into paragraphs: a line shorter than 3/4 of the widest line,
    or one followed by a list item or section heading, ends its paragraph."""
    lines = [line.strip() for line in text.split("\n")]
    width = max((len(line) for line in lines), default=0)
    out: list[str] = []
    joining = False
    for line in lines:
        starts_block = not line or re.match(r"^(?:-|\d+\.)\s", line) or line.lower() in {s.lower() for s in SECTIONS}
        if joining and not starts_block:
            out[-1] += " " + line
        else:
            out.append(line)
        joining = bool(line) and len(line) >= 0.75 * width and line.lower() not in {s.lower() for s in SECTIONS}
    return "\n\n".join(line for line in out if line)


def memo_rows(documents: Sequence[Document]) -> tuple[StyleRow, ...]:
    """One style row per memo in the corpus (see the module docstring)."""
    rows = []
    for document in sorted(documents, key=lambda d: d.name):
        parsed = parse_memo(document)
        if parsed is None:
            continue
        fields, memo = parsed
        ask = f"Write a memo to {fields['TO']} from {fields['FROM']}"
        ask += f", copying {fields['CC']}" if "CC" in fields else ""
        ask += f", dated {fields['DATE']}" if "DATE" in fields else ""
        ask += f", on matter {fields['MATTER']}" if "MATTER" in fields else ""
        ask += f", about: {fields['RE']}."
        points = [f"{name}: {text}" for name in SECTIONS[:2] if (text := _section(memo, name))]
        if points:
            ask += "\n\nKey points:\n" + "\n".join(f"- {p}" for p in points)
        rows.append(StyleRow(document.name, (("user", ask), ("assistant", memo))))
    return tuple(rows)


def _section(memo: str, name: str) -> str:
    match = re.search(rf"^## {re.escape(name)}\n+(.+?)(?=\n\n|\Z)", memo, re.MULTILINE | re.DOTALL)
    return " ".join(match.group(1).split()) if match else ""


def style_examples(rows: Sequence[StyleRow]) -> list[Example]:
    """Rows as "style" examples; the question is the last user message."""
    examples = []
    for i, row in enumerate(rows):
        question = next(text for role, text in reversed(row.turns) if role == "user")
        examples.append(Example(f"style:{i}:{row.source}", "style", row.turns, question, row.source))
    return examples
