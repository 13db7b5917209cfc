"""QA sets for evaluation: the bundled sample set, an uploaded JSONL or CSV file, or
question/answer pairs an LLM writes from the corpus's chunks.

Uploaded rows need `question` and `answer`; optional: `evidence` (quotes) and `sources`
(file names), each a JSON list, or in a CSV cell a JSON list or values separated by
"||" (sources also by ";"); `type` (default lookup), `split` (default test), `id`
(default row-N). A freshness row also needs answer_after_update and
evidence_after_update. Errors name the file and the row.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from core.errors import BadInputError, ConfigError
from core.metrics import locate
from core.pricing import cost_usd, price_for
from core.qa import QUESTION_TYPES, QAItem, load_qa
from core.types import Chunk, TokenUsage

Progress = Callable[[float, str], None]
SPLITS = ("train", "test", "all")


def load_sample_qa() -> tuple[QAItem, ...]:
    from core.sample import SAMPLE_DIR

    return load_qa(SAMPLE_DIR / "qa.jsonl")


def select_items(items: Sequence[QAItem], split: str = "all", types: Sequence[str] | None = None,
                 limit: int | None = None) -> list[QAItem]:  # fmt: skip
    """Items of `split` ("train", "test" or "all") and `types`, the first `limit` of them."""
    if split not in SPLITS:
        raise ConfigError(f"split {split!r} is not one of {', '.join(SPLITS)}.")
    unknown = [t for t in types or () if t not in QUESTION_TYPES]
    if unknown:
        raise ConfigError(f"question type {unknown[0]!r} is not one of {', '.join(QUESTION_TYPES)}.")
    if limit is not None and limit < 1:
        raise ConfigError(f"limit={limit} must be at least 1.")
    chosen = [i for i in items if (split == "all" or i.split == split) and (not types or i.type in types)]
    return chosen[:limit] if limit else chosen


def parse_qa_upload(name: str, data: bytes) -> tuple[QAItem, ...]:
    """Parse an uploaded .jsonl or .csv QA file into items; BadInputError names the row."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in (".jsonl", ".json", ".csv"):
        raise BadInputError(name, "upload a .jsonl (one JSON object per line) or .csv file with question and answer.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(name, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8 and upload again.") from exc
    rows = _csv_rows(name, text) if suffix == ".csv" else _jsonl_rows(name, text)
    items: list[QAItem] = []
    seen: set[str] = set()
    for number, row in rows:
        where = f"{name} row {number}"
        item = _item(where, row, number)
        if item.id in seen:
            raise BadInputError(where, f"duplicate id '{item.id}'; give every row its own id.")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise BadInputError(name, "has no questions; add rows with a question and an answer.")
    return tuple(items)


def _jsonl_rows(name: str, text: str):
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInputError(f"{name} row {number}", f"is not JSON ({exc.msg}); write one JSON object per line.") from exc
        if not isinstance(row, dict):
            raise BadInputError(f"{name} row {number}", "is not a JSON object; write {\"question\": ..., \"answer\": ...}.")
        yield number, row


def _csv_rows(name: str, text: str):
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"question", "answer"} <= {f.strip().lower() for f in reader.fieldnames if f}:
        raise BadInputError(name, "needs a header row with at least the columns question and answer.")
    for number, row in enumerate(reader, start=1):
        cleaned = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        if any(cleaned.values()):
            yield number, {k: v for k, v in cleaned.items() if v != ""}


def _item(where: str, row: dict, number: int) -> QAItem:
    values = {}
    for key in ("question", "answer"):
        value = row.get(key)
        if not isinstance(value, str) or not value.strip():
            raise BadInputError(where, f"'{key}' is missing or empty; every row needs a question and an answer.")
        values[key] = value.strip()
    kind = str(row.get("type") or "lookup").strip()
    if kind not in QUESTION_TYPES:
        raise BadInputError(where, f"type {kind!r} is not one of {', '.join(QUESTION_TYPES)}.")
    split = str(row.get("split") or "test").strip()
    if split not in ("train", "test"):
        raise BadInputError(where, f"split {split!r} is not 'train' or 'test'.")
    after = row.get("answer_after_update")
    after_evidence = _list(where, row, "evidence_after_update")
    if kind == "freshness" and (not after or not after_evidence):
        raise BadInputError(where, "a freshness row needs answer_after_update and evidence_after_update.")
    return QAItem(id=str(row.get("id") or f"row-{number}").strip(), question=values["question"], answer=values["answer"],
                  evidence=_list(where, row, "evidence"), sources=_list(where, row, "sources"), type=kind, split=split,
                  answer_after_update=str(after) if after else None, evidence_after_update=after_evidence)  # fmt: skip


def _list(where: str, row: dict, key: str) -> tuple[str, ...]:
    value = row.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                raise BadInputError(where, f"'{key}' starts with '[' but is not a JSON list ({exc.msg}).") from exc
        else:
            parts = re.split(r"\|\||;", text) if key == "sources" else text.split("||")
            return tuple(p.strip() for p in parts if p.strip())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadInputError(where, f"'{key}' must be a list of strings (or one string).")
    return tuple(v.strip() for v in value if v.strip())


GENERATE_INSTRUCTIONS = (
    "You write test questions for a document set. From the passage, write one question a colleague might ask "
    "that the passage alone answers, its answer in one or two sentences, and the shortest verbatim quote from "
    "the passage that supports the answer. Reply with JSON only: "
    '{"question": "...", "answer": "...", "evidence": "..."}'
)
_JSON = re.compile(r"\{.*\}", re.DOTALL)


@dataclass(frozen=True)
class GeneratedQA:
    items: tuple[QAItem, ...]
    skipped: tuple[str, ...]  # why a reply was not used, one line each
    usage: TokenUsage
    dollars: float | None  # None: price unknown
    model: str


def generate_qa(chunks: Sequence[Chunk], generator, n: int, progress: Progress | None = None, seed: int = 0,
                min_words: int = 30, priced_as: str | None = None) -> GeneratedQA:  # fmt: skip
    """Ask `generator` for up to `n` grounded question/answer pairs, one per chunk (chunks
    of at least `min_words` words, drawn with `seed`; up to 2n tried). A reply is kept when
    it is JSON with a question, an answer and an evidence quote found verbatim (up to
    whitespace) in its chunk; the items are lookup questions in the test split."""
    if n < 1:
        raise ConfigError(f"n={n}: ask for at least one question.")
    pool = [c for c in chunks if len(c.text.split()) >= min_words]
    if not pool:
        raise BadInputError("corpus", f"has no chunk of {min_words}+ words to write questions from; add documents.")
    order = random.Random(seed).sample(pool, min(len(pool), 2 * n))
    items: list[QAItem] = []
    skipped: list[str] = []
    prompt = completion = 0
    model = priced_as or getattr(generator, "name", "")
    for tried, chunk in enumerate(order):
        if len(items) >= n:
            break
        if progress:
            progress(tried / len(order), f"Writing question {len(items) + 1}/{n} from {chunk.doc_name}")
        messages = [{"role": "system", "content": GENERATE_INSTRUCTIONS},
                    {"role": "user", "content": f"Passage from {chunk.doc_name}:\n\n{chunk.text}"}]  # fmt: skip
        reply = generator.generate(messages)
        prompt, completion = prompt + reply.usage.prompt_tokens, completion + reply.usage.completion_tokens
        row, problem = _reply(reply.text, chunk)
        if problem:
            skipped.append(f"{chunk.chunk_id}: {problem}")
            continue
        items.append(QAItem(f"gen-{len(items) + 1:03d}", row["question"], row["answer"], (row["evidence"],),
                            (chunk.doc_name,), "lookup", "test"))  # fmt: skip
    if progress:
        progress(1.0, f"Wrote {len(items)} questions")
    usage = TokenUsage(prompt, completion)
    return GeneratedQA(tuple(items), tuple(skipped), usage, cost_usd(usage, price_for(model)) if model else None, model)


def _reply(text: str, chunk: Chunk) -> tuple[dict, str | None]:
    match = _JSON.search(text)
    try:
        row = json.loads(match.group(0)) if match else None
    except json.JSONDecodeError:
        row = None
    if not isinstance(row, dict):
        return {}, "the reply is not a JSON object"
    row = {k: str(row.get(k) or "").strip() for k in ("question", "answer", "evidence")}
    missing = [k for k, v in row.items() if not v]
    if missing:
        return row, f"the reply has no {', '.join(missing)}"
    if locate(chunk.text, row["evidence"]) is None:
        return row, "the evidence is not a verbatim quote from the passage"
    return row, None
