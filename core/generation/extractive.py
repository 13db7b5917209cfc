"""The offline extractive reader (no LLM): it quotes the one to three sentences of the
retrieved chunks that best answer the question, with [n] citations, or abstains.

Sentence score = alpha * cosine(question, sentence) with the embedder + (1 - alpha) *
the share of the question's content words found in the sentence. Below `threshold`
it answers ABSTAIN. Given more than `max_candidates` sentences (a whole corpus, in the
long-context lane) it first keeps those sharing the most content words with the
question, then embeds only those. Sentence vectors come from the process's shared cache
of the embedding model (core.embedding.shared_cache), which holds the vectors prepared for
every sentence of an index (core.index.sentences) and anything embedded since; only text
found in neither (a long-context document, an index not prepared yet) is embedded on the fly.
It never writes new text, so it cannot hallucinate, and it cannot
combine facts or summarise either; it is always labelled "extractive reader (no LLM)".
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from core.chunking.sentences import sentence_spans
from core.embedding import Embedder, shared_cache
from core.types import Answer, Citation, Hit

LABEL = "extractive reader (no LLM)"
ABSTAIN = "The provided context does not answer this question."
_WORD = re.compile(r"[a-z0-9$%.]+")
_STOP = set("""a an the and or of to in on for by with at from as is are was were be been being it its this that
these those what which who whom whose when where why how do does did can could should would will shall may might
must not no any all each our your their his her there here than then so if into about under over after before
between per via i we you they he she them us me my""".split())  # fmt: skip


@lru_cache(maxsize=200_000)
def content_words(text: str) -> frozenset[str]:
    """Lower-cased words of `text` without stop words (cached: passages recur across questions)."""
    return frozenset(w.strip(".") for w in _WORD.findall(text.lower()) if w.strip(".") not in _STOP and len(w.strip(".")) > 1)


@lru_cache(maxsize=20_000)
def quotable_sentences(text: str) -> tuple[str, ...]:
    """The sentences of `text` the reader may quote: no headings, at least four words."""
    return tuple(s for s in (text[a:b] for a, b in sentence_spans(text)) if not s.startswith("#") and len(s.split()) >= 4)


class ExtractiveReader:
    name = LABEL

    def __init__(self, embedder: Embedder, threshold: float = 0.5, max_sentences: int = 3, alpha: float = 0.6,
                 max_candidates: int = 100) -> None:  # fmt: skip
        self.embedder, self.threshold, self.max_sentences, self.alpha = embedder, threshold, max_sentences, alpha
        self.max_candidates = max_candidates
        self._vectors = shared_cache(embedder)

    def answer(self, question: str, hits: list[Hit]) -> Answer:
        candidates = [(hit, s) for hit in hits for s in quotable_sentences(hit.chunk.text)]
        seen: set[str] = set()  # overlapping chunks repeat sentences: quote each once, from the best-ranked hit
        candidates = [(h, s) for h, s in candidates if not (" ".join(s.split()) in seen or seen.add(" ".join(s.split())))]
        if len(candidates) > self.max_candidates:  # e.g. a whole corpus: keep the lexically closest
            wanted = content_words(question)
            overlap = [len(wanted & content_words(s)) for _, s in candidates]
            keep = sorted(np.argsort(overlap, kind="stable")[::-1][: self.max_candidates])
            candidates = [candidates[i] for i in keep]
        if not candidates:
            return Answer(ABSTAIN, (), True, LABEL)
        scores = self.scores(question, [s for _, s in candidates])
        best = float(scores.max())
        if best < self.threshold:
            return Answer(ABSTAIN, (), True, LABEL)
        chosen = [i for i in np.argsort(-scores)[: self.max_sentences] if scores[i] >= max(self.threshold, best - 0.1)]
        markers: dict[str, int] = {}
        citations, parts = [], []
        for i in chosen:
            hit, sentence = candidates[i]
            marker = markers.setdefault(hit.chunk.chunk_id, len(markers) + 1)
            citations.append(Citation(marker, hit.chunk.chunk_id, hit.chunk.doc_name, hit.chunk.page, sentence))
            parts.append(f"{' '.join(sentence.split())} [{marker}]")
        return Answer(" ".join(parts), tuple(citations), False, LABEL)

    def scores(self, question: str, sentences: list[str]) -> np.ndarray:
        query = self._vectors.vectors([question])[0]  # the retriever embedded it already, via the same cache
        dense = self._vectors.vectors(sentences) @ query
        wanted = content_words(question)
        lexical = np.array([len(wanted & content_words(s)) / max(len(wanted), 1) for s in sentences])
        return self.alpha * dense + (1 - self.alpha) * lexical
