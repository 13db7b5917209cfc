"""RAFT training examples (Zhang et al. 2024, "RAFT: Adapting Language Model to Domain
Specific RAG"): a question, its oracle chunk(s) and N distractor chunks, shuffled.

The user message is exactly what the hybrid lane sends (core.prompts.rag_prompt: the
numbered passages, then the question), so the adapter trains on its inference format.
The answer quotes the oracle between ##begin_quote## and ##end_quote## with its [n]
marker, then gives the answer. A share P of examples carry no oracle, only distractors:
exactly round(P * n) rounded half up (int(P * n + 0.5)), chosen with the seed. Their
target is the answer from memory (the paper's recipe, "answer") or the RAG abstention
reply (ABSTAIN, "abstain"). Distractors come from documents other than the evidence's.
Out-of-corpus questions are not used (the knowledge examples teach their abstention).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import ConfigError
from core.finetune.examples import Example
from core.finetune.knowledge import current_answer
from core.finetune.rules import RuleQuestion
from core.generation.extractive import ABSTAIN
from core.metrics import gold_chunk_ids, locate
from core.prompts import rag_prompt
from core.qa import QAItem
from core.types import Chunk, Document, Hit

BEGIN, END = "##begin_quote##", "##end_quote##"
MIN_DISTRACTOR_TOKENS = 20  # skip heading-only fragments


@dataclass(frozen=True)
class RaftSeed:
    """A question with its answer and the oracle chunks holding the evidence, each with
    the quoted text as it appears in that chunk."""

    question: str
    answer: str
    oracles: tuple[tuple[Chunk, str], ...]
    source: str


def oracle(quote: str, names: Sequence[str], chunks: Sequence[Chunk], documents: dict[str, Document]
           ) -> tuple[Chunk, str] | None:  # fmt: skip
    """The chunk holding most of `quote` (core.metrics gold chunks) and the quote's text
    inside it, or None when the quote is in none of the named documents."""
    for name in names:
        document = documents.get(name)
        span = locate(document.text, quote) if document else None
        if not span:
            continue
        gold = gold_chunk_ids(chunks, span, name)
        candidates = [c for c in chunks if c.chunk_id in gold]
        if not candidates:
            continue
        best = max(candidates, key=lambda c: (min(span[1], c.end) - max(span[0], c.start), -c.index))
        text = " ".join(document.text[max(span[0], best.start) : min(span[1], best.end)].split())
        return best, text
    return None


def qa_seeds(items: Sequence[QAItem], chunks: Sequence[Chunk], documents: dict[str, Document]
             ) -> tuple[list[RaftSeed], list[str]]:  # fmt: skip
    """Seeds from the TRAIN split's answerable items, and the ids of items skipped because
    none of their evidence could be located in the chunks."""
    seeds, skipped = [], []
    for item in items:
        if item.split != "train" or not item.answerable:
            continue
        answer, quotes = current_answer(item, documents)
        found = [hit for quote in quotes if (hit := oracle(quote, item.sources, chunks, documents))]
        if found:
            seeds.append(RaftSeed(item.question, answer, tuple(dict.fromkeys(found)), item.id))
        else:
            skipped.append(item.id)
    return seeds, skipped


def rule_seeds(questions: Sequence[RuleQuestion]) -> list[RaftSeed]:
    return [RaftSeed(q.question, q.sentence, ((q.chunk, q.sentence),), q.chunk.chunk_id) for q in questions]


def raft_examples(seeds: Sequence[RaftSeed], chunks: Sequence[Chunk], distractors: int, no_oracle_share: float,
                  seed: int = 0, no_oracle_target: str = "answer") -> list[Example]:  # fmt: skip
    """One example per seed with `distractors` distractor chunks; see the module docstring."""
    rng = random.Random(f"{seed}:raft")
    pool = [c for c in chunks if c.tokens >= MIN_DISTRACTOR_TOKENS]
    without = set(rng.sample(range(len(seeds)), int(no_oracle_share * len(seeds) + 0.5)))
    examples = []
    for i, s in enumerate(seeds):
        evidence_docs = {c.doc_name for c, _ in s.oracles}
        others = [c for c in pool if c.doc_name not in evidence_docs]
        if len(others) < distractors:
            raise ConfigError(f"raft_distractors={distractors} but only {len(others)} chunks lie outside the evidence "
                              f"documents of {s.source!r}; lower raft_distractors or add documents.")  # fmt: skip
        shown = list({c.chunk_id: c for c, _ in s.oracles}.values()) if i not in without else []
        shown += rng.sample(others, distractors)
        rng.shuffle(shown)
        turns = tuple((m["role"], m["content"]) for m in rag_prompt(s.question, [Hit(c, 0.0, r) for r, c in
                                                                                enumerate(shown, 1)]).messages)  # fmt: skip
        answer = _answer(s, shown) if i not in without else _no_oracle_answer(s, no_oracle_target)
        source_id = s.source if ":" not in s.source else f"{s.source}:{i}"
        examples.append(Example(f"raft:{source_id}", "raft", turns + (("assistant", answer),), s.question, s.source,
                                has_oracle=i not in without))  # fmt: skip
    return examples


def _answer(seed: RaftSeed, shown: list[Chunk]) -> str:
    numbers = {c.chunk_id: n for n, c in enumerate(shown, start=1)}
    quotes: dict[int, list[str]] = {}
    for chunk, text in seed.oracles:
        quotes.setdefault(numbers[chunk.chunk_id], []).append(f"{BEGIN}{text}{END}")
    reason = "; ".join(f"document [{n}] says {' and '.join(q)}" for n, q in sorted(quotes.items()))
    markers = "".join(f"[{n}]" for n in sorted(quotes))
    return f"##Reason: {reason[0].upper()}{reason[1:]}\n##Answer: {seed.answer} {markers}"


def _no_oracle_answer(seed: RaftSeed, target: str) -> str:
    if target == "abstain":
        return ABSTAIN
    reason = "##Reason: None of the documents above holds the evidence; this answer is from memory."
    return f"{reason}\n##Answer: {seed.answer}"
