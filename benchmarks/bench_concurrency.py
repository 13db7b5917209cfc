"""Many sessions on one server: p50/p95 latency of 1, 10 and 30 concurrent Compare runs.

    .venv/bin/python benchmarks/bench_concurrency.py [--levels 1,10,30] [--bundled-levels 1,4]
        [--data-dir DIR] [--budget 600]

Each "session" is a thread running what the Compare page runs (core.lanes.run_lanes on
the lane context core.access builds), all sharing the process's cached resources as
Streamlit sessions do: one index, one embedding model and its shared vector cache
(core.embedding.shared_cache). All start together (a barrier). Workloads: RAG with every
session asking the same question (a workshop room on the presenter's question), RAG with a
different question per session, and a Compare run of the offline lanes (closed book, RAG,
RAG + rerank, long context).

Sentence vectors: rows marked "prepared" run with the extractive reader's sentence vectors
of the index prepared beforehand (core.index.sentences), as `make run` does: `python -m core
load-sample` and the app's warm-up build them, so a room's first questions find them ready.
The "cold" row has none: every sentence and question is embedded on the fly (the numbers
before they existed). Before every level the shared cache and the text caches are emptied
(and the prepared set loaded again from disk), so no level reuses question or sentence
vectors of an earlier one. "single p50" is the median of SINGLE_RUNS one-session runs.
With the bundled model (SmolLM2-135M, 24 new tokens) when it is installed, at smaller
levels, and only while `--budget` seconds last.
Nothing leaves the machine: no network is used (the model is local). Under load the
absolute numbers move; the ratio p95(N) / p50(1) is the figure to compare.
Goal: 30 concurrent offline RAG questions p95 <= 5x a single one. The last lines print
that ratio for the prepared rows and against the cold single session, and the floor this
CPU sets: each distinct question must itself be embedded (the model's one queue merges
them, but on 2 cores a batch of 30 costs about 30 single calls), measured before the tables.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from core.config import IndexConfig, IngestConfig, RetrievalConfig  # noqa: E402
from core.embedding import forget_shared  # noqa: E402
from core.generation.extractive import ExtractiveReader, content_words, quotable_sentences  # noqa: E402
from core.index import build_index  # noqa: E402
from core.index.sentences import prepare_sentences  # noqa: E402
from core.lanes import LaneConfig, LaneContext, run_lanes  # noqa: E402
from core.qa import load_qa  # noqa: E402
from core.rerank import MMRReranker, RerankingRetriever  # noqa: E402
from core.retrieval import IndexRetriever  # noqa: E402
from core.sample import SAMPLE_DIR, load_sample  # noqa: E402
from core.store import CorpusStore  # noqa: E402
from core.tokens import _count_cached  # noqa: E402

OFFLINE = ("closed_book", "rag", "rag_rerank", "long_context")
SINGLE_RUNS = 5


def _context(store, index, generator=None) -> LaneContext:
    """A lane context over the shared index and model (readers share the model's vector cache)."""
    try:
        from core.access import MMR_RERANK, lane_context

        return lane_context(index, store.load_documents("sample"), store.get("sample"), RetrievalConfig(), MMR_RERANK,
                            reader=ExtractiveReader(index.embedder), generator=generator)  # fmt: skip
    except ImportError:  # an older tree (for before/after numbers)
        base = IndexRetriever(index, RetrievalConfig())
        return LaneContext(retriever=base, reranked=RerankingRetriever(base, MMRReranker(index.embedder, index.dense), 30),
                           documents=tuple(store.load_documents("sample")), reader=ExtractiveReader(index.embedder),
                           generator=generator)  # fmt: skip


def _concurrent(n: int, ctx: LaneContext, questions: list[str], lanes: tuple[str, ...], same: bool = False,
                offset: int = 0) -> list[float]:  # fmt: skip
    barrier, times, errors = threading.Barrier(n), [0.0] * n, []

    def session(i: int) -> None:
        barrier.wait()
        start = time.perf_counter()
        configs = [LaneConfig(k, truncate=True) for k in lanes]  # long context: fit the window as the page can
        results = run_lanes(questions[0 if same else (i + offset) % len(questions)], ctx, configs)
        times[i] = time.perf_counter() - start
        errors.extend(r.error for r in results if r.error)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"lanes failed: {errors[:3]}")
    return times


def _level(n: int, store, index, questions, lanes, same: bool, prepared: bool, generator=None) -> list[float]:
    """One level from empty caches, with the index's sentence vectors loaded from disk if
    `prepared`. A single session runs SINGLE_RUNS times in turn (each from empty caches,
    a different question each time unless `same`), so its p50 is a median, not one sample."""
    times = []
    for run in range(SINGLE_RUNS if n == 1 else 1):
        forget_shared()
        content_words.cache_clear()  # the reader's and token counter's text caches too: nothing is reused
        quotable_sentences.cache_clear()
        _count_cached.cache_clear()
        if prepared:
            prepare_sentences(store.root.parent, index)
        times += _concurrent(n, _context(store, index, generator), questions, lanes, same, offset=run)
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def _table(title: str, rows: list[tuple[int, list[float], float]]) -> None:
    print(f"\n{title}")
    print(f"{'sessions':>8} {'p50 s':>8} {'p95 s':>8} {'p95 / single p50':>17} {'load 1m':>9}")
    single = statistics.median(rows[0][1])
    for n, times, load in rows:
        print(f"{n:>8} {statistics.median(times):>8.2f} {_p95(times):>8.2f} {_p95(times) / single:>16.1f}x {load:>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--levels", default="1,10,30")
    parser.add_argument("--bundled-levels", default="1,4,10", help="levels for the bundled model ('' to skip)")
    parser.add_argument("--data-dir", type=Path, default=None, help="reuse a data folder (index built once)")
    parser.add_argument("--budget", type=float, default=600, help="seconds after which further levels are skipped")
    args = parser.parse_args()
    started = time.perf_counter()
    levels = [int(x) for x in args.levels.split(",") if x]
    with tempfile.TemporaryDirectory() as tmp:
        store = CorpusStore(args.data_dir or Path(tmp))
        load_sample(store, IngestConfig())
        index = build_index(store, "sample", IndexConfig())
        index.embedder.embed(["warm up"])
        questions = [i.question for i in load_qa(SAMPLE_DIR / "qa.jsonl") if i.answerable]
        run_lanes(questions[0], _context(store, index), [LaneConfig(k, truncate=True) for k in OFFLINE])  # load all once
        clock = time.perf_counter()
        ready = prepare_sentences(store.root.parent, index)
        print(f"sample corpus, {len(index.chunks)} chunks, {ready.sentences} sentences ({ready.embedded} embedded "
              f"now, {time.perf_counter() - clock:.1f} s), {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
              "empty shared vector cache before every level")  # fmt: skip
        if levels:  # --levels "" runs the bundled model only
            _goal(_offline(store, index, questions, levels, started, args.budget), _embedding_floor(index, questions))
        _bundled(store, index, questions, [int(x) for x in args.bundled_levels.split(",") if x], started, args.budget)


PREPARED = "sentence vectors prepared at load-sample/warm-up, as make run does"
WORKLOADS = ((f"RAG, extractive reader, every session asks the same question; {PREPARED}", ("rag",), True, True),
             ("RAG, extractive reader, a different question per session; COLD: no prepared sentence vectors",
              ("rag",), False, False),
             (f"RAG, extractive reader, a different question per session; {PREPARED}", ("rag",), False, True),
             (f"Compare (4 offline lanes), a different question per session; {PREPARED}", OFFLINE, False, True))  # fmt: skip


def _offline(store, index, questions, levels, started, budget) -> list[list[tuple[int, list[float], float]]]:
    """Every offline workload's rows (sessions, times, load average after), printed as tables."""
    tables = []
    for title, lanes, same, warm in WORKLOADS:
        rows = []
        for n in levels:
            if time.perf_counter() - started > budget:
                print(f"  {n} sessions skipped: over the {budget:g} s budget")
                break
            rows.append((n, _level(n, store, index, questions, lanes, same, warm), os.getloadavg()[0]))
        if rows:
            _table(title, rows)
        tables.append(rows)
    return tables


def _embedding_floor(index, questions) -> tuple[float, float]:
    """(seconds to embed one question, seconds to embed 30 distinct ones in one call): best of 3."""
    encode = index.embedder._encode  # the model call itself, past the queue and every cache

    def best(texts):
        return min(_timed(encode, texts) for _ in range(3))

    return best(questions[:1]), best(questions[:30])


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def _goal(tables, floor: tuple[float, float]) -> None:
    one, thirty = floor
    print(f"\nEmbedding the questions alone (the model call, best of 3): 1 question {one * 1000:.1f} ms, "
          f"30 distinct questions {thirty * 1000:.0f} ms ({thirty / one:.0f}x one)")  # fmt: skip
    cold, prepared = tables[1], tables[2]
    if not prepared or not cold or prepared[-1][0] == 1:
        return
    n, times, _ = prepared[-1]
    print(f"Goal (p95 of {n} different RAG questions <= 5x a single one): {_p95(times):.2f} s = "
          f"{_p95(times) / statistics.median(prepared[0][1]):.1f}x the single prepared session, "
          f"{_p95(times) / statistics.median(cold[0][1]):.2f}x the single cold session")  # fmt: skip


def _bundled(store, index, questions, levels, started, budget) -> None:
    try:
        from core.generation.bundled import BUNDLED_MODEL, bundled_available, prepare_bundled
        from core.generation.local_hf import TransformersGenerator
    except ImportError:
        print("\nbundled model: not in this tree")
        return
    if not levels:
        print("\nbundled model: no --bundled-levels, skipped")
        return
    if not bundled_available():
        print("\nbundled model: not installed (make install), skipped")
        return
    prepare_bundled()
    generator = TransformersGenerator(BUNDLED_MODEL, max_new_tokens=24)
    run_lanes(questions[0], _context(store, index, generator), [LaneConfig("rag")])  # load the model once
    rows = []
    for n in levels:
        if time.perf_counter() - started > budget:
            print(f"  bundled: {n} sessions skipped: over the {budget:g} s budget")
            break
        rows.append((n, _level(n, store, index, questions, ("rag",), False, True, generator), os.getloadavg()[0]))
    if rows:
        _table("RAG, bundled SmolLM2-135M (24 new tokens), a different question per session", rows)


if __name__ == "__main__":
    main()
