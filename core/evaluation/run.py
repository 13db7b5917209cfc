"""Run a QA set through the lanes and score every (question, lane) pair.

Per question, all lanes run together (core.lanes.run_lanes), with the question's source
documents as the long-context lane's evidence. Scores per record:
- correct: core.judging.judge (out-of-corpus: the lane abstained; otherwise it answered,
  and contains every number of the gold answer, or, without numbers, token F1 >= 0.5).
  A lane that failed with an error counts as not correct; a lane that needs set-up
  (no fine-tuned model) has no scores.
- em / f1 (core.evaluation.answers): on out-of-corpus items 1.0 when the lane abstained,
  else 0.0 (the SQuAD 2.0 convention); an abstention on an answerable item scores 0.
- semantic: cosine of answer and gold (0 for an abstention; None on out-of-corpus items).
- grounded: share of supported sentences against the context the answer cites (the cited
  chunks' full text, or the cited documents for long context), or, uncited, the lane's
  retrieved chunks (long context: the whole corpus). None for abstentions and for lanes
  without context (closed book, fine-tuned).
- retrieval (rag, rag_rerank, hybrid; None for the others and for items without located
  evidence): evidence_found = any gold chunk among the lane's hits; recall@k with k the
  lane's top_k (share of evidence quotes with a gold chunk in the hits); reciprocal rank
  of the first gold chunk among the hits (MRR@k); nDCG@10 with binary relevance over the
  hits (a lane retrieving k < 10 chunks is scored on those k). Gold chunks as in
  core.retrieval_eval.gold_for.
- latency: the sum of the lane's stage timings; tokens and dollars from the lane
  (dollars None when the price is unknown).

Freshness: `evaluate_freshness` scores the freshness items twice, on the corpus before
the updates against `answer` and on the updated corpus against `answer_after_update`
(records in phases "before_update" and "after_update"); core.evaluation.freshness builds
the two corpus versions. In the "main" phase a freshness item's gold answer follows the
corpus: the updated answer when only its updated evidence is found in the documents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, replace

from core.errors import ConfigError
from core.evaluation.answers import (
    AnswerScorer,
    exact_match,
    safe_judge,
    strip_citations,
)
from core.evaluation.records import EvalRun, QuestionRecord, new_run_id, now_iso
from core.injection import flagged_count
from core.judging import judge, token_f1
from core.lanes import LABELS, LaneConfig, LaneContext, LaneResult, run_lanes
from core.metrics import locate, ndcg_at_k, recall_at_k, reciprocal_rank
from core.qa import QAItem
from core.retrieval_eval import gold_for
from core.types import CorpusInfo, Document

RETRIEVING = ("rag", "rag_rerank", "hybrid")
NO_CONTEXT = ("closed_book", "fine_tuned")
GoldChunks = Callable[[QAItem], Sequence[set[str]]] | Mapping[str, Sequence[set[str]]]
Progress = Callable[[float, str], None]


def gold_from_index(index, documents: Sequence[Document]) -> Callable[[QAItem], list[set[str]]]:
    """Gold chunk ids per evidence quote of an item, located in `documents` and mapped onto
    the index's chunks (core.retrieval_eval.gold_for); [] for out-of-corpus items."""
    by_name = {d.name: d for d in documents}
    return lambda item: gold_for(item, index.chunks, by_name) if item.answerable else []


def current_gold(item: QAItem, documents: Sequence[Document]) -> str:
    """The gold answer for the corpus as it is: a freshness item's updated answer when its
    original evidence is gone and its updated evidence is present."""
    if not item.answer_after_update or not item.evidence_after_update:
        return item.answer
    texts = [d.text for d in documents if d.name in item.sources]
    found = lambda quotes: any(locate(t, q) for t in texts for q in quotes)  # noqa: E731
    return item.answer_after_update if not found(item.evidence) and found(item.evidence_after_update) else item.answer


def evaluate(items: Sequence[QAItem], ctx: LaneContext, configs: Sequence[LaneConfig], gold_chunks: GoldChunks,
             embedder, progress: Progress | None = None, judge_generator=None, stop: Callable[[], bool] | None = None,
             *, corpus: CorpusInfo | None = None, settings: dict | None = None,
             scorer: AnswerScorer | None = None) -> EvalRun:  # fmt: skip
    """Score every lane on every item. `gold_chunks` maps an item (callable) or an item id
    (mapping) to its gold chunk ids per evidence quote. `stop()` returning True ends the
    run after the current question (run.stopped is then True). `corpus` names the corpus
    version in the run; without it the retriever's index is asked."""
    configs = list(configs)
    _check_configs(configs)
    scorer = scorer or AnswerScorer(embedder)
    embedder.embed(["load the model once"])  # before lanes first call it from several threads at once
    records, stopped = score_items(items, ctx, configs, gold_chunks, scorer, "main", progress, judge_generator, stop)
    index = getattr(ctx.retriever, "index", None)
    base = {"lanes": [asdict(c) for c in configs], "priced_as": ctx.priced_as, "questions": len(items),
            "answered_by": getattr(ctx.generator, "name", None) or ctx.reader.name,
            "judge": getattr(judge_generator, "name", None)}  # fmt: skip
    return EvalRun(
        run_id=new_run_id(),
        created_at=now_iso(),
        corpus_id=corpus.corpus_id if corpus else getattr(index, "corpus_id", ""),
        corpus_fingerprint=corpus.fingerprint if corpus else getattr(index, "fingerprint", ""),
        corpus_revision=corpus.revision if corpus else None,
        settings={**base, **(settings or {})},
        lanes=tuple(c.kind for c in configs),
        records=tuple(records),
        stopped=stopped,
    )


def evaluate_freshness(run: EvalRun, items: Sequence[QAItem], before: LaneContext, after: LaneContext,
                       configs: Sequence[LaneConfig], gold_before: GoldChunks, gold_after: GoldChunks, embedder,
                       progress: Progress | None = None, judge_generator=None, stop: Callable[[], bool] | None = None,
                       scorer: AnswerScorer | None = None) -> EvalRun:  # fmt: skip
    """`run` plus the freshness items scored before the updates (old answer and evidence,
    `before` corpus) and after them (answer_after_update and its evidence, `after` corpus).
    Items without an updated answer are skipped."""
    configs = list(configs)
    _check_configs(configs)
    scorer = scorer or AnswerScorer(embedder)
    fresh = [i for i in items if i.answer_after_update and i.evidence_after_update]
    old = [replace(i, answer_after_update=None, evidence_after_update=()) for i in fresh]
    new = [replace(i, answer=i.answer_after_update, evidence=i.evidence_after_update, evidence_after_update=())
           for i in fresh]  # fmt: skip
    half = lambda offset: (lambda f, m: progress(offset + f / 2, m)) if progress else None  # noqa: E731
    first, stopped = score_items(old, before, configs, gold_before, scorer, "before_update", half(0.0), judge_generator, stop)
    second: list[QuestionRecord] = []
    if not stopped:
        second, stopped = score_items(new, after, configs, gold_after, scorer, "after_update", half(0.5), judge_generator, stop)
    return replace(run.with_records(first + second), stopped=run.stopped or stopped)


def score_items(items: Sequence[QAItem], ctx: LaneContext, configs: list[LaneConfig], gold_chunks: GoldChunks,
                scorer: AnswerScorer, phase: str, progress: Progress | None, judge_generator,
                stop: Callable[[], bool] | None) -> tuple[list[QuestionRecord], bool]:  # fmt: skip
    """Records of every (item, lane) in `phase`, and whether `stop()` ended the loop early."""
    records: list[QuestionRecord] = []
    for n, item in enumerate(items):
        if stop is not None and stop():
            return records, True
        if progress:
            progress(n / max(len(items), 1), f"Question {n + 1}/{len(items)}: {item.id}")
        item_ctx = replace(ctx, evidence_docs=frozenset(item.sources),
                           evidence_quotes=tuple(item.evidence) + tuple(item.evidence_after_update))
        results = run_lanes(item.question, item_ctx, configs)
        gold_text = current_gold(item, ctx.documents) if phase == "main" else item.answer
        gold = gold_chunks(item) if callable(gold_chunks) else gold_chunks.get(item.id, [])
        for config, result in zip(configs, results):
            record = score_result(item, gold_text, list(gold), config, result, item_ctx, scorer, phase)
            if judge_generator is not None and record.ran:
                verdict = safe_judge(judge_generator, item.question, gold_text, record.answer)
                record = replace(record, judge_score=verdict.score, judge_reason=verdict.reason,
                                 judge_dollars=verdict.dollars, judge_tokens=verdict.usage.total)  # fmt: skip
            records.append(record)
    if progress:
        progress(1.0, f"Scored {len(items)} questions")
    return records, False


def score_result(item: QAItem, gold: str, gold_chunks: list[set[str]], config: LaneConfig, result: LaneResult,
                 ctx: LaneContext, scorer: AnswerScorer, phase: str = "main") -> QuestionRecord:  # fmt: skip
    """One lane's answer to one item, scored (see the module docstring)."""
    base = QuestionRecord(item.id, item.type, item.split, item.question, gold, config.kind, LABELS[config.kind], phase)
    latency = sum(ms for _, ms in result.timings_ms)
    if result.setup:
        return replace(base, setup=result.setup)
    if result.error or result.answer is None:
        return replace(base, correct=False, reason="the lane failed", error=result.error or "no answer",
                       latency_ms=latency)  # fmt: skip
    answer = result.answer
    verdict = judge(answer, item, gold)
    if not item.answerable:
        em = f1 = float(answer.abstained)
        semantic = None
    elif answer.abstained:
        em = f1 = semantic = 0.0
    else:
        em, f1, semantic = exact_match(answer.text, gold), token_f1(strip_citations(answer.text), gold), scorer.semantic(answer.text, gold)
    context = None if answer.abstained else _context(result, ctx)
    ranked = [h.chunk.chunk_id for h in result.hits]
    retrieval: dict = {}
    if config.kind in RETRIEVING and gold_chunks:
        hits = set(ranked)
        retrieval = {"evidence_found": any(g & hits for g in gold_chunks), "k": config.top_k,
                     "recall_at_k": recall_at_k(ranked, gold_chunks, config.top_k),
                     "reciprocal_rank": reciprocal_rank(ranked, gold_chunks),
                     "ndcg_at_10": ndcg_at_k(ranked, set().union(*gold_chunks), 10)}  # fmt: skip
    return replace(base, answer=answer.text, abstained=answer.abstained, correct=verdict.correct, reason=verdict.reason,
                   em=em, f1=f1, semantic=semantic,
                   grounded=scorer.groundedness(answer.text, context) if context is not None else None,
                   retrieved=tuple(ranked), cited=tuple(c.chunk_id for c in answer.citations),
                   prompt_tokens=result.tokens.prompt if result.tokens else None,
                   completion_tokens=result.tokens.completion if result.tokens else None,
                   dollars=result.cost.dollars if result.cost else None, latency_ms=latency,
                   flagged_passages=flagged_count(result.warnings), **retrieval)  # fmt: skip


def _context(result: LaneResult, ctx: LaneContext) -> list[str] | None:
    """The text the answer is checked against: what it cites, else what the lane read."""
    if result.kind in NO_CONTEXT:
        return None
    chunks = {h.chunk.chunk_id: h.chunk.text for h in result.hits}
    if result.answer.citations:
        if any(c.chunk_id not in chunks for c in result.answer.citations):  # long context cites whole documents
            chunks.update({f"{d.doc_id}:doc": d.text for d in ctx.documents})
        return [chunks.get(c.chunk_id) or c.quote for c in result.answer.citations]
    if result.kind == "long_context":
        return [d.text for d in ctx.documents]
    return [h.chunk.text for h in result.hits]


def _check_configs(configs: list[LaneConfig]) -> None:
    if not configs:
        raise ConfigError("No lanes chosen: pick at least one lane to evaluate.")
    kinds = [c.kind for c in configs]
    if len(set(kinds)) != len(kinds):
        raise ConfigError(f"lanes {kinds} repeat a lane; evaluate each lane once (runs are keyed by lane).")
