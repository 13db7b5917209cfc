"""Generated examples: question/answer pairs an LLM writes from corpus chunks.

Any object with generate(messages) -> Generation works (the sidebar's backend). A reply
that does not parse, or an answer holding a number its chunk lacks, is recorded as a
failure rather than kept; three backend errors in a row stop the run.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest

from core.errors import PlaygroundError
from core.finetune.examples import Example, Progress, qa_example, with_source
from core.types import Chunk, TokenUsage

GENERATION_PROMPT = (
    "Write {k} question and answer pairs that a law firm's staff might ask, each answerable from the passage "
    "below alone. Each answer must be one or two sentences and use only facts stated in the passage. Reply "
    'with JSON only: [{{"question": "...", "answer": "..."}}]\n\nDocument: {name}\n\nPassage:\n{text}'
)


@dataclass(frozen=True)
class GeneratedPairs:
    """What `generated_pairs` made: the examples, one (chunk id, reason) per failure, and the
    summed token usage of every call (None when no call was made)."""

    examples: tuple[Example, ...]
    failures: tuple[tuple[str, str], ...]
    usage: TokenUsage | None
    calls: int


def parse_pairs(text: str) -> list[tuple[str, str]]:
    """Question/answer pairs from a model reply: code fences and text around the JSON are
    ignored; a list of {question, answer}, {"pairs": [...]} or one object are accepted."""
    cleaned = re.sub(r"```(?:json)?", "", text, flags=re.IGNORECASE)
    starts = [m.start() for m in re.finditer(r"[\[{]", cleaned)][:50]
    if not starts:
        raise ValueError("no JSON in the reply")
    for start in starts:  # the first bracket may be prose ("[2] pairs:"): try each in turn
        try:
            data, _ = json.JSONDecoder().raw_decode(cleaned[start:])
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            data = data.get("pairs", data.get("questions", [data]))
        pairs = [_pair(row) for row in data] if isinstance(data, list) else []
        if any(pairs):
            return [p for p in pairs if p]
    raise ValueError("no pair with a non-empty question and answer")


def _pair(row) -> tuple[str, str] | None:
    if not isinstance(row, dict):
        return None
    question, answer = row.get("question", row.get("q")), row.get("answer", row.get("a"))
    if isinstance(question, str) and isinstance(answer, str) and question.strip() and answer.strip():
        return " ".join(question.split()), answer.strip()
    return None


def generated_pairs(chunks: Sequence[Chunk], generator, n: int, progress: Progress | None = None, seed: int = 0,
                    per_chunk: int = 2, min_tokens: int = 40) -> GeneratedPairs:  # fmt: skip
    """Ask `generator` (any object with generate(messages) -> Generation) for up to `n`
    pairs, `per_chunk` per chunk, over chunks of at least `min_tokens` in a seeded order
    spread over documents. A reply that does not parse, or an answer with a number that
    is not in its chunk, is recorded as a failure; three backend errors in a row stop."""
    rng = random.Random(f"{seed}:generated")
    by_doc: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        if chunk.tokens >= min_tokens:
            by_doc.setdefault(chunk.doc_name, []).append(chunk)
    for queue in by_doc.values():
        rng.shuffle(queue)
    order = [c for group in zip_longest(*(by_doc[k] for k in sorted(by_doc))) for c in group if c is not None]
    examples: list[Example] = []
    failures: list[tuple[str, str]] = []
    usages: list[TokenUsage] = []
    errors_in_row = 0
    for chunk in order:
        if len(examples) >= n or errors_in_row >= 3:
            break
        if progress:
            progress(len(examples) / max(n, 1), f"Generating pairs: {len(examples)}/{n} ({chunk.doc_name})")
        prompt = GENERATION_PROMPT.format(k=min(per_chunk, n - len(examples)), name=chunk.doc_name, text=chunk.text)
        try:
            reply = generator.generate([{"role": "user", "content": prompt}])
        except PlaygroundError as exc:  # BackendError and friends: record, go on
            errors_in_row += 1
            failures.append((chunk.chunk_id, f"backend error: {exc}"))
            continue
        errors_in_row = 0
        usages.append(reply.usage)
        try:
            pairs = parse_pairs(reply.text)
        except ValueError as exc:
            failures.append((chunk.chunk_id, f"unparsable reply ({exc}): {reply.text[:120]!r}"))
            continue
        have = set(_NUMBERS.findall(chunk.text.replace(",", "")))
        for question, answer in pairs[: per_chunk]:
            missing = set(_NUMBERS.findall(answer.replace(",", ""))) - have
            if missing:
                failures.append((chunk.chunk_id, f"answer has numbers not in the chunk ({', '.join(sorted(missing))})"))
            elif len(examples) < n:
                examples.append(qa_example("generated", f"generated:{chunk.chunk_id}:{len(examples)}", question,
                                            with_source(answer, [chunk.doc_name]), chunk.chunk_id))  # fmt: skip
    if errors_in_row >= 3:
        failures.append(("", "stopped after three backend errors in a row"))
    return GeneratedPairs(tuple(examples), tuple(failures), _sum_usage(usages), len(usages))


_NUMBERS = re.compile(r"\d+(?:\.\d+)?")


def _sum_usage(usages: Sequence[TokenUsage]) -> TokenUsage | None:
    if not usages:
        return None
    sources = {u.source for u in usages}
    return TokenUsage(sum(u.prompt_tokens for u in usages), sum(u.completion_tokens for u in usages),
                      sum(u.cached_prompt_tokens for u in usages), sources.pop() if len(sources) == 1 else "mixed")  # fmt: skip
