"""Retrieval scoreboard: every Retrieval lab configuration on a BEIR folder and on the sample QA set.

    .venv/bin/python benchmarks/bench_retrieval.py /path/to/beir-folder [--split test] [--only NAME,...]
        [--data-dir DIR] [--no-sample] [--no-beir] [--chunked]

Prints one table: recall@5/10/20, MRR, nDCG@10, mean query ms and index build s for each
configuration on each set. BEIR documents are one chunk each (`--prechunked`) unless
`--chunked`; hits are scored at document level. The sample QA set scores every
answerable question against chunk-level gold evidence (core.retrieval_eval, the lab's
own scoring). Indexes are cached under --data-dir (default /tmp/bench-retrieval), so a
rerun only re-scores; build s is the time of this run's build (0 when reused).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from benchmarks.retrieval_configs import CONFIGS, BenchConfig  # noqa: E402


def beir_rows(folder: Path, split: str, data_dir: Path, configs: list[BenchConfig], prechunked: bool,
              depth: int) -> list[dict]:  # fmt: skip
    from core.beir import build_beir_index, evaluate_beir, load_beir

    corpus, queries, qrels = load_beir(folder, split)
    rows, built = [], {}
    for config in configs:
        index_config = config.index_config()
        needs_dense = config.retrieval_config().mode != "bm25"
        key = (index_config, needs_dense)
        if key not in built:
            start = time.perf_counter()
            built[key] = (build_beir_index(corpus, index_config, data_dir / "beir", prechunked,
                                                    progress=_progress(f"{folder.name} {config.name}"),
                                                    dense=needs_dense),
                                   time.perf_counter() - start)  # fmt: skip
        index, seconds = built[key]
        retriever = config.retriever(index, depth)
        start = time.perf_counter()
        scores = evaluate_beir(retriever, queries, qrels, depth=100)
        per_query = (time.perf_counter() - start) * 1000 / max(scores["queries"], 1)
        rows.append({"set": f"{folder.name}/{split}", "config": config.name, "recall@5": scores["recall@5"],
                     "recall@10": scores["recall@10"], "recall@20": scores["recall@20"], "MRR": scores["mrr"],
                     "nDCG@10": scores["ndcg@10"], "query ms": per_query, "build s": seconds})  # fmt: skip
        print(_format([rows[-1]], header=False), flush=True)
    return rows


def sample_rows(data_dir: Path, configs: list[BenchConfig], split: str = "all") -> list[dict]:
    from core.config import IngestConfig
    from core.index import build_index
    from core.qa import load_qa
    from core.retrieval_eval import evaluate_retrieval
    from core.sample import SAMPLE_DIR, SAMPLE_ID, load_sample
    from core.store import CorpusStore

    store = CorpusStore(data_dir / "sample-data")
    load_sample(store, IngestConfig())
    documents = {d.name: d for d in store.load_documents(SAMPLE_ID)}
    items = [i for i in load_qa(SAMPLE_DIR / "qa.jsonl") if split == "all" or i.split == split]
    rows = []
    for config in configs:
        start = time.perf_counter()
        index = build_index(store, SAMPLE_ID, config.index_config())
        seconds = time.perf_counter() - start if index.stats.embedded_chunks or index.stats.chunked_documents else 0.0
        retriever = config.retriever(index)
        start = time.perf_counter()
        scores = evaluate_retrieval(retriever, index.chunks, documents, items)
        per_query = (time.perf_counter() - start) * 1000 / max(scores.questions, 1)
        rows.append({"set": f"sample QA ({split})", "config": config.name, "recall@5": scores.recall_at(5),
                     "recall@10": scores.recall_at(10), "recall@20": scores.recall_at(20), "MRR": scores.mrr,
                     "nDCG@10": scores.ndcg_at_10, "query ms": per_query, "build s": seconds})  # fmt: skip
        print(_format([rows[-1]], header=False), flush=True)
    return rows


def _progress(label: str):
    last = [-1]

    def report(fraction: float, message: str) -> None:
        step = int(fraction * 10)
        if step != last[0]:
            last[0] = step
            print(f"  [{label}] {fraction:4.0%} {message}", file=sys.stderr, flush=True)

    return report


COLUMNS = ("set", "config", "recall@5", "recall@10", "recall@20", "MRR", "nDCG@10", "query ms", "build s")


def _format(rows: list[dict], header: bool = True) -> str:
    widths = {"set": 22, "config": 34}
    lines = [" ".join(f"{c:>{widths.get(c, 9)}}" for c in COLUMNS)] if header else []
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = row[column]
            text = value if isinstance(value, str) else f"{value:.1f}" if column.endswith(("ms", " s")) else f"{value:.4f}"
            cells.append(f"{text:>{widths.get(column, 9)}}")
        lines.append(" ".join(cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, nargs="?", help="a BEIR folder (corpus.jsonl, queries.jsonl, qrels/)")
    parser.add_argument("--split", default="test")
    parser.add_argument("--sample-split", default="all", help="all, train or test questions of the sample QA set")
    parser.add_argument("--only", default="", help="comma-separated configuration names (default: all)")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/bench-retrieval"))
    parser.add_argument("--no-sample", action="store_true")
    parser.add_argument("--no-beir", action="store_true")
    parser.add_argument("--chunked", action="store_true", help="chunk BEIR documents instead of one chunk per line")
    parser.add_argument("--depth", type=int, default=400, help="BEIR: candidates per list (the lab's small corpora use "
                                                               "its own setting)")
    args = parser.parse_args()
    wanted = {n.strip() for n in args.only.split(",") if n.strip()}
    configs = [c for c in CONFIGS if not wanted or c.name in wanted]
    if wanted - {c.name for c in CONFIGS}:
        parser.error(f"unknown configurations {sorted(wanted - {c.name for c in CONFIGS})}; "
                     f"known: {', '.join(c.name for c in CONFIGS)}")  # fmt: skip
    print(_format([], header=True), flush=True)
    rows = []
    if args.folder and not args.no_beir:
        rows += beir_rows(args.folder, args.split, args.data_dir, configs, not args.chunked, args.depth)
    if not args.no_sample:
        rows += sample_rows(args.data_dir, configs, args.sample_split)
    print("\n" + _format(rows))


if __name__ == "__main__":
    main()
