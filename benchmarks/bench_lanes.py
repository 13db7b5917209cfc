"""All lanes for one question with the offline reader, next to retrieval alone.

    .venv/bin/python benchmarks/bench_lanes.py [--questions 20]

Uses the sample corpus and its QA questions on an existing (or freshly built) index.
Prints the median seconds for all six lanes (target < 2 s) and for retrieval alone, and
their ratio. The first question is reported apart: it fills the reader's sentence cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from core.config import IndexConfig, IngestConfig, RetrievalConfig  # noqa: E402
from core.generation.extractive import ExtractiveReader  # noqa: E402
from core.index import build_index  # noqa: E402
from core.lanes import LANE_KINDS, LaneConfig, LaneContext, run_lanes  # noqa: E402
from core.qa import load_qa  # noqa: E402
from core.rerank import MMRReranker, RerankingRetriever  # noqa: E402
from core.retrieval import IndexRetriever  # noqa: E402
from core.sample import SAMPLE_DIR, load_sample  # noqa: E402
from core.store import CorpusStore  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = CorpusStore(Path(tmp))
        load_sample(store, IngestConfig())
        index = build_index(store, "sample", IndexConfig())
        base = IndexRetriever(index, RetrievalConfig())
        ctx = LaneContext(retriever=base, reranked=RerankingRetriever(base, MMRReranker(index.embedder, index.dense), 30),
                          documents=tuple(store.load_documents("sample")), reader=ExtractiveReader(index.embedder))  # fmt: skip
        index.embedder.embed(["warm up"])
        questions = [i.question for i in load_qa(SAMPLE_DIR / "qa.jsonl")][: args.questions]
        lanes, retrieval = [], []
        for question in questions:
            start = time.perf_counter()
            base.retrieve(question, 5)
            retrieval.append(time.perf_counter() - start)
            start = time.perf_counter()
            run_lanes(question, ctx, [LaneConfig(kind) for kind in LANE_KINDS])
            lanes.append(time.perf_counter() - start)
        warm = lanes[1:]
        print(f"{len(questions)} questions, six lanes, extractive reader, 2-core CPU")
        print(f"first question (cold reader cache): {lanes[0]:.2f} s")
        print(f"all lanes, median {statistics.median(warm):.2f} s, max {max(warm):.2f} s (target < 2 s)")
        print(f"retrieval alone, median {statistics.median(retrieval) * 1000:.0f} ms")
        print(f"all lanes / retrieval = {statistics.median(warm) / statistics.median(retrieval):.0f}")


if __name__ == "__main__":
    main()
