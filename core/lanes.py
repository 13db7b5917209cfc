"""Lanes: each approach answers the same question and reports what it did.

closed_book (model alone), rag, rag_rerank, long_context (whole corpus in the prompt),
fine_tuned and hybrid (adapter, alone or fed by retrieval). Every lane returns a typed
LaneResult; a failing lane carries its error and the others still run.
"""

from __future__ import annotations

import inspect
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal, get_args

from core.accounting import CostLine, TokenBreakdown, breakdown, cost_line
from core.errors import ConfigError, PlaygroundError
from core.generation.extractive import ABSTAIN, ExtractiveReader
from core.long_context import own_window
from core.prompts import Prompt, abstains, closed_book_prompt, fine_tuned_prompt, long_context_prompt, place_evidence, rag_prompt
from core.retrieval import Retriever, check_query
from core.injection import injection_warning
from core.secrets import scrub
from core.types import Answer, Chunk, Citation, Document, Hit

LaneKind = Literal["closed_book", "rag", "rag_rerank", "long_context", "fine_tuned", "hybrid"]
LANE_KINDS: tuple[str, ...] = get_args(LaneKind)
LABELS = {"closed_book": "Closed book", "rag": "RAG", "rag_rerank": "RAG + rerank", "long_context": "Long context",
          "fine_tuned": "Fine-tuned", "hybrid": "Hybrid (adapter + RAG)"}  # fmt: skip
_MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass(frozen=True)
class LaneConfig:
    kind: LaneKind
    top_k: int = 5
    evidence_position: Literal["start", "middle", "end"] = "middle"
    truncate: bool = False
    context_budget: int | None = None  # long context: prompt tokens allowed (None: core.long_context's default)

    def __post_init__(self) -> None:
        if self.kind not in LANE_KINDS:
            raise ConfigError(f"lane {self.kind!r} is not one of {', '.join(LANE_KINDS)}.")
        if isinstance(self.top_k, bool) or not isinstance(self.top_k, int) or not 1 <= self.top_k <= 100:
            raise ConfigError(f"top_k={self.top_k!r} must be a whole number of passages from 1 to 100.")
        if self.evidence_position not in ("start", "middle", "end"):
            raise ConfigError(f"evidence_position={self.evidence_position!r} is not one of start, middle, end.")
        budget = self.context_budget
        if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 512):
            raise ConfigError(f"context_budget={budget!r} must be a whole number of tokens, at least 512 (or None).")


@dataclass(frozen=True)
class LaneContext:
    """What every lane may use: retrievers, documents, the answering backend, pricing."""

    retriever: Retriever
    reranked: Retriever | None
    documents: tuple[Document, ...]
    reader: ExtractiveReader
    generator: object | None = None  # a litellm/transformers generator; None = extractive reader
    priced_as: str = "gpt-4o-mini"
    evidence_docs: frozenset[str] = frozenset()
    evidence_quotes: tuple[str, ...] = ()  # the labelled evidence, when known: long context keeps these passages
    tuned: object | None = None  # a generator for the fine-tuned model, when one is configured
    tuned_note: str | None = None  # e.g. the adapter is stale: said in the fine-tuned and hybrid lanes
    price_override: tuple[float, float, float | None] | None = None  # $ per 1M tokens: input, output, cached


@dataclass(frozen=True)
class LaneResult:
    kind: str
    label: str
    answer: Answer | None = None
    hits: tuple[Hit, ...] = ()
    prompt: Prompt | None = None
    tokens: TokenBreakdown | None = None
    cost: CostLine | None = None
    timings_ms: tuple[tuple[str, float], ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    setup: str | None = None  # what to configure before this lane can run
    notes: tuple[str, ...] = ()  # what the lane did that a reader should know (e.g. how the corpus fit the window)


@dataclass
class _Clock:
    marks: list[tuple[str, float]] = field(default_factory=list)

    def timed(self, stage: str, fn, *args):
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.marks.append((stage, (time.perf_counter() - start) * 1000))


def run_lanes(question: str, ctx: LaneContext, configs: list[LaneConfig], workers: int = 6,
              on_delta=None, initializer=None) -> list[LaneResult]:  # fmt: skip
    """All lanes concurrently; results in the order of `configs`. `on_delta(kind, text)`
    receives streamed answer text from backends that stream; `initializer` runs in each
    worker thread (the page uses it to let threads update their placeholders)."""
    first = sorted(range(len(configs)), key=lambda i: configs[i].kind != "long_context")  # the longest prompt starts
    # first, so the shorter lanes fill the other local generation slots around it instead of waiting for it at the end
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(configs))), initializer=initializer) as pool:
        futures = {i: pool.submit(run_lane, question, ctx, configs[i], on_delta) for i in first}
        return [futures[i].result() for i in range(len(configs))]


def run_lane(question: str, ctx: LaneContext, config: LaneConfig, on_delta=None) -> LaneResult:
    label = LABELS[config.kind]
    clock = _Clock()
    try:
        question = check_query(question)
        if config.kind in ("fine_tuned", "hybrid") and ctx.tuned is None:
            return LaneResult(config.kind, label, setup=(
                "No fine-tuned model is configured, so this lane has no answer. Train or register an adapter "
                "(a local causal LM with a PEFT adapter, or a hosted fine-tuned model id) and pick it here."))  # fmt: skip
        hits: list[Hit] = []
        warnings: list[str] = [ctx.tuned_note] if ctx.tuned_note and config.kind in ("fine_tuned", "hybrid") else []
        notes: list[str] = []
        if config.kind in ("rag", "hybrid"):
            hits = clock.timed("retrieve", ctx.retriever.retrieve, question, config.top_k)
        elif config.kind == "rag_rerank":
            retriever = ctx.reranked or ctx.retriever
            if ctx.reranked is None:
                warnings.append("No reranker chosen, so this lane equals plain RAG. Offline, MMR trades relevance "
                                "for diversity (its measured effect is next to it in the Retrieval lab; it lowers "
                                "nDCG on NFCorpus) and a cross-encoder needs its model on this machine. Choose one "
                                "under Retrieval settings to compare.")  # fmt: skip
            hits = clock.timed("retrieve + rerank", retriever.retrieve, question, config.top_k)
        if config.kind == "long_context":
            prompt, sources = clock.timed("fit window", _long_context, question, ctx, config, notes)
        elif config.kind == "closed_book":
            prompt, sources = closed_book_prompt(question), []
        elif config.kind == "fine_tuned":
            prompt, sources = fine_tuned_prompt(question), []
        else:
            hits = _fit_passages(question, hits, ctx.tuned if config.kind == "hybrid" else ctx.generator, notes)
            prompt, sources = rag_prompt(question, hits), hits
        if flagged := injection_warning(sources):  # passages that address the model: sent fenced, and said here
            warnings.append(flagged)
        generator = ctx.tuned if config.kind in ("fine_tuned", "hybrid") else ctx.generator
        stream = (lambda text: on_delta(config.kind, text)) if on_delta else None
        answer = clock.timed("generate", _answer, question, prompt, sources, ctx, generator, config.kind, warnings, stream)
        tokens = breakdown(prompt, answer.text, ctx.priced_as, answer.usage)
        cost = own_window(cost_line(tokens, ctx.priced_as, ctx.price_override), generator, answer.usage)
        if getattr(generator, "settings", None) is not None and hasattr(generator.settings, "describe"):
            notes.append(f"Decoding: {generator.settings.describe()}.")
            if hasattr(generator, "compute"):
                notes.append(f"Computed in {generator.compute}.")
        return LaneResult(config.kind, label, answer, tuple(hits), prompt, tokens, cost,
                          tuple(clock.marks), tuple(warnings), notes=tuple(notes))  # fmt: skip
    except PlaygroundError as exc:
        return LaneResult(config.kind, label, timings_ms=tuple(clock.marks), error=scrub(str(exc)))


def _fit_passages(question: str, hits: list[Hit], generator, notes: list[str]) -> list[Hit]:
    """The best-ranked passages that fit a local model's own window with room for its answer
    (a small model's window is easily exceeded by five long chunks); others are dropped, and said."""
    if not hits or getattr(generator, "context_window", None) is None or not hasattr(generator, "count_tokens"):
        return hits
    from core.long_context import answering_window

    window, count, allowance, model = answering_window(generator, "")
    kept = list(hits)
    while len(kept) > 1 and count("\n".join(rag_prompt(question, kept).messages[i]["content"] for i in (0, 1))) \
            + allowance + 64 > window:  # 64: the chat template's own tokens
        kept.pop()
    if len(kept) < len(hits):
        notes.append(f"Kept the top {len(kept)} of {len(hits)} passages to fit {model}'s {window:,}-token window "
                     f"with room for a {allowance:,}-token answer.")  # fmt: skip
    return kept


def _long_context(question: str, ctx: LaneContext, config: LaneConfig, notes: list[str]):
    """The whole corpus when it fits the answering model's window; else (truncation on) the
    evidence plus what fits around it, at the chosen position (core.long_context)."""
    from core.long_context import answering_window, fit_documents, prompt_limit

    window, count, allowance, model = answering_window(ctx.generator, ctx.priced_as)
    documents = list(ctx.documents)
    if window is None:
        notes.append(f"{model}'s context window is unknown, so the whole corpus is sent unchecked.")
        return _documents_prompt(question, place_evidence(documents, set(ctx.evidence_docs), config.evidence_position))
    instructions = long_context_prompt(question, []).instructions
    reserve = count(instructions) + count(question) + allowance + 64 + 16 * len(documents)
    limit, limit_note = prompt_limit(ctx.generator, window, config.context_budget)
    fit = fit_documents(documents, set(ctx.evidence_docs), ctx.evidence_quotes, config.evidence_position, window,
                        reserve, count, config.truncate, model, limit)  # fmt: skip
    notes.extend(fit.notes + ((limit_note,) if limit_note else ()))
    return _documents_prompt(question, list(fit.documents))


def _documents_prompt(question: str, documents: list[Document]):
    return long_context_prompt(question, documents), [_document_hit(d, i) for i, d in enumerate(documents, start=1)]


def _document_hit(document: Document, rank: int) -> Hit:
    chunk = Chunk(f"{document.doc_id}:doc", document.doc_id, document.name, 0, document.text, 0, len(document.text), 0)
    return Hit(chunk, 0.0, rank)


def _answer(question, prompt: Prompt, sources: list[Hit], ctx: LaneContext, generator, kind: str, warnings,
            stream=None) -> Answer:  # fmt: skip
    if generator is None:
        if kind == "closed_book":
            warnings.append("The extractive reader (no LLM) has nothing to quote without context, so it abstains.")
            return Answer(ABSTAIN, (), True, ctx.reader.name)
        return ctx.reader.answer(question, sources)
    streams = stream is not None and "on_delta" in inspect.signature(generator.generate).parameters
    reply = generator.generate(prompt.messages, on_delta=stream) if streams else generator.generate(prompt.messages)
    citations = []
    for marker in dict.fromkeys(int(m) for m in _MARKER.findall(reply.text)):
        if 1 <= marker <= len(sources):
            chunk = sources[marker - 1].chunk
            citations.append(Citation(marker, chunk.chunk_id, chunk.doc_name, chunk.page, chunk.text[:300]))
    return Answer(reply.text, tuple(citations), abstains(reply.text), generator.name, reply.usage)

