"""Answer metrics: exact match, token F1, semantic similarity, groundedness, LLM judge.

- exact match: the answer and the gold answer are equal after SQuAD-style normalisation
  (core.judging.normalise: lower case, punctuation except $ and the articles a/an/the
  removed, whitespace collapsed), with [n] citation markers removed first.
- token F1: core.judging.token_f1 over the same normalised tokens.
- semantic: cosine similarity of the embedder's vectors of answer (markers removed) and
  gold answer (all-MiniLM-L6-v2 by default; its vectors are unit length).
- groundedness: the share of the answer's sentences that the context supports. A
  sentence (markers removed; sentences without a content word, e.g. "Yes.", are left
  out) is supported when its highest cosine similarity to any context sentence is
  >= SUPPORT_COSINE (0.70), OR when some context sentence contains >= SUPPORT_OVERLAP
  (60%) of its content words (core.generation.extractive.content_words: lower-cased
  words minus stop words). Over more than MAX_CONTEXT_SENTENCES (50) context sentences
  (a cited whole document in long context, or the whole corpus when uncited) the cosine
  test looks only at the 50 sharing the most content words with the answer, to bound
  the embedding work; the overlap test looks at all of them. A heuristic: paraphrases below the cosine threshold count as
  unsupported, and a sentence that copies context words but changes a number can pass.
- llm_judge: asks a generation backend whether the answer agrees with the gold answer;
  0/1 with a reason, its tokens and dollars (reported apart from the lanes' cost).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.chunking.sentences import sentence_spans
from core.embedding import Embedder, VectorCache
from core.errors import BackendError
from core.generation.extractive import content_words
from core.judging import normalise
from core.pricing import cost_usd, price_for
from core.types import TokenUsage

SUPPORT_COSINE = 0.70
SUPPORT_OVERLAP = 0.60
MAX_CONTEXT_SENTENCES = 50
_CITATION = re.compile(r"\s*\[\d{1,3}\]")


def strip_citations(text: str) -> str:
    return " ".join(_CITATION.sub("", text).split())


def exact_match(prediction: str, gold: str) -> float:
    return 1.0 if normalise(strip_citations(prediction)) == normalise(gold) else 0.0


def sentences(text: str) -> list[str]:
    """Sentences with content words, citation markers removed, whitespace collapsed."""
    found = (" ".join(strip_citations(text[s:e]).split()) for s, e in sentence_spans(text))
    return [s for s in found if content_words(s)]


@dataclass(frozen=True)
class SentenceSupport:
    sentence: str
    best_cosine: float
    best_overlap: float  # share of the sentence's content words found in one context sentence
    supported: bool


class AnswerScorer:
    """Semantic similarity and groundedness with one embedder; vectors cached across calls."""

    def __init__(self, embedder: Embedder, support_cosine: float = SUPPORT_COSINE,
                 support_overlap: float = SUPPORT_OVERLAP, max_context: int = MAX_CONTEXT_SENTENCES) -> None:  # fmt: skip
        self.embedder = embedder
        self.support_cosine, self.support_overlap, self.max_context = support_cosine, support_overlap, max_context
        self._vectors = VectorCache(embedder, limit=100_000)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors.vectors(texts)

    def semantic(self, answer: str, gold: str) -> float:
        a, b = self.vectors([strip_citations(answer), gold])
        return float(a @ b / ((np.linalg.norm(a) * np.linalg.norm(b)) or 1.0))

    def support(self, answer: str, context: Sequence[str]) -> list[SentenceSupport]:
        claims = sentences(answer)
        pool = list(dict.fromkeys(s for text in context for s in sentences(text)))
        if not claims:
            return []
        if not pool:
            return [SentenceSupport(c, 0.0, 0.0, False) for c in claims]
        words = [content_words(c) for c in claims]
        pool_words = [content_words(p) for p in pool]
        overlap = np.array([[len(w & pw) / len(w) for pw in pool_words] for w in words])
        candidates = pool
        if len(pool) > self.max_context:
            wanted = set().union(*words)
            shared = [len(wanted & pw) for pw in pool_words]
            candidates = [pool[i] for i in sorted(np.argsort(shared, kind="stable")[::-1][: self.max_context])]
        cosine = _unit(self.vectors(claims)) @ _unit(self.vectors(candidates)).T
        best_cos, best_overlap = cosine.max(axis=1), overlap.max(axis=1)
        return [SentenceSupport(c, float(bc), float(bo), bool(bc >= self.support_cosine or bo >= self.support_overlap))
                for c, bc, bo in zip(claims, best_cos, best_overlap)]  # fmt: skip

    def groundedness(self, answer: str, context: Sequence[str]) -> float | None:
        """Share of supported sentences; None when the answer has no sentence to check."""
        rows = self.support(answer, context)
        return sum(r.supported for r in rows) / len(rows) if rows else None


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


JUDGE_INSTRUCTIONS = (
    "You grade answers to questions about a law firm's documents against a reference answer. "
    "Score 1 when the answer states the facts the reference gives for what the question asks (numbers, "
    "periods, parties, conditions) without contradicting it; extra correct detail is fine. Score 0 when it "
    "contradicts the reference, misses the asked-for fact, or declines to answer. If the reference says the "
    "documents do not answer the question, score 1 only when the answer declines to answer.\n"
    "Reply with exactly two lines:\nSCORE: 0 or 1\nREASON: one short sentence"
)
_SCORE = re.compile(r"score\s*[:=]\s*([01])\b", re.IGNORECASE)
_REASON = re.compile(r"reason\s*[:=]\s*(.+)", re.IGNORECASE)


@dataclass(frozen=True)
class JudgeVerdict:
    score: int | None  # None when no score could be read from the reply
    reason: str
    usage: TokenUsage
    dollars: float | None  # None: price unknown
    model: str


def judge_messages(question: str, gold: str, answer: str) -> list[dict]:
    user = f"Question: {question}\n\nReference answer: {gold}\n\nAnswer to grade: {strip_citations(answer)}"
    return [{"role": "system", "content": JUDGE_INSTRUCTIONS}, {"role": "user", "content": user}]


def llm_judge(generator, question: str, gold: str, answer: str, priced_as: str | None = None) -> JudgeVerdict:
    """Grade one answer with `generator` (any backend with generate(messages) -> Generation).
    Dollars use the price of `priced_as` (default: the generator's model name)."""
    reply = generator.generate(judge_messages(question, gold, answer))
    score = _SCORE.search(reply.text)
    reason = _REASON.search(reply.text)
    model = priced_as or getattr(generator, "name", "") or reply.model
    if score is None:
        text = f"no score in the judge's reply: {reply.text.strip()[:200]!r}"
    else:
        text = reason.group(1).strip() if reason else reply.text.strip()[:200]
    return JudgeVerdict(int(score.group(1)) if score else None, text, reply.usage, cost_usd(reply.usage, price_for(model)),
                        model)  # fmt: skip


def safe_judge(generator, question: str, gold: str, answer: str, priced_as: str | None = None) -> JudgeVerdict:
    """llm_judge, with a failing backend recorded as the reason instead of raised."""
    try:
        return llm_judge(generator, question, gold, answer, priced_as)
    except BackendError as exc:
        return JudgeVerdict(None, f"judge failed: {exc}", TokenUsage(0, 0), None, getattr(generator, "name", ""))
