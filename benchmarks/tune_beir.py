"""Sweep BM25, RM3, fusion and dense-feedback settings on a BEIR folder, on cached vectors.

    .venv/bin/python benchmarks/tune_beir.py FOLDER SPLIT MODE [ARGS]   # MODE: bm25 | prf | fuse PRF | dprf FUSION W K
    e.g. benchmarks/tune_beir.py ../shared/data/beir_nfcorpus dev fuse "[5,5,0.5]"

Tune on a dev/train split, report on test. Document vectors come from the BEIR index in
--data-dir (built, i.e. embedded, once by core.beir); query vectors are cached as .npy
next to it. Dense scores are exact cosines (numpy), BM25 and fusion are core's own
(SparseIndex, core.retrieval.fuse), metrics as core.beir.evaluate_beir.
"""
import itertools
import json
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from core.beir import build_beir_index, load_beir  # noqa: E402
from core.config import IndexConfig, RetrievalConfig, SparseConfig  # noqa: E402
from core.index.sparse import SparseIndex  # noqa: E402
from core.retrieval import fuse  # noqa: E402

folder, split = Path(sys.argv[1]), sys.argv[2]
mode = sys.argv[3] if len(sys.argv) > 3 else "bm25"
args = sys.argv[4:]
cache = Path(os.environ.get("TUNE_DATA_DIR", "/tmp/bench-retrieval"))
corpus, queries, qrels = load_beir(folder, split)
index = build_beir_index(corpus, IndexConfig(contextual_headers=False), cache / "beir", True)
ids = [c.doc_name for c in index.chunks]
texts = list(index.indexed)
got = index.dense.collection.get(ids=[c.chunk_id for c in index.chunks], include=["embeddings"])
by_id = dict(zip(got["ids"], got["embeddings"]))
D = np.array([by_id[c.chunk_id] for c in index.chunks], dtype=np.float32)
judged = [q for q in qrels if q in queries and any(s > 0 for s in qrels[q].values())]
qv_path = cache / f"queries-{folder.name}-{split}.npy"
if qv_path.exists():
    Q = np.load(qv_path)
else:
    Q = index.embedder.embed([queries[q] for q in judged])
    np.save(qv_path, Q)
DS = Q @ D.T


def metrics(ranked_lists):
    tot = dict(ndcg=0, r5=0, r10=0, r20=0, mrr=0)
    for qid, ranked in zip(judged, ranked_lists):
        gains = qrels[qid]; rel = {d for d, s in gains.items() if s > 0}
        dcg = sum(gains.get(d, 0) / math.log2(r + 1) for r, d in enumerate(ranked[:10], start=1))
        ideal = sum(g / math.log2(r + 1) for r, g in enumerate(sorted(gains.values(), reverse=True)[:10], start=1) if g > 0)
        tot["ndcg"] += dcg / ideal if ideal else 0
        for k in (5, 10, 20): tot[f"r{k}"] += len(rel & set(ranked[:k])) / len(rel)
        tot["mrr"] += next((1 / r for r, d in enumerate(ranked, start=1) if d in rel), 0)
    return {k: round(v / len(judged), 4) for k, v in tot.items()}

def dense_lists(n):
    out = []
    for row in DS:
        top = np.argpartition(-row, n)[:n]; top = top[np.argsort(-row[top])]
        out.append([(ids[i], float(row[i])) for i in top])
    return out

sparse_cache = {}
def bm25_lists(cfg: SparseConfig, n, prf=None):
    if cfg not in sparse_cache:
        sparse_cache[cfg] = SparseIndex.build(ids, texts, cfg)
    sp = sparse_cache[cfg]
    return [sp.search(queries[q], n, None, prf) for q in judged]

def show(name, lists):
    m = metrics([[c for c, _ in l] for l in lists]); print(f"{name:60s} {json.dumps(m)}", flush=True); return m

N = 200
if mode == "bm25":
    show("dense", dense_lists(N))
    for tok, stem in itertools.product(["words", "technical"], [False, True]):
        show(f"bm25 {tok} stem={stem}", bm25_lists(SparseConfig(tokenizer=tok, stem=stem), N))
    for k1, b in itertools.product([0.9, 1.2, 1.5, 2.0], [0.5, 0.75, 0.9, 1.0]):
        show(f"bm25 words stem k1={k1} b={b}", bm25_lists(SparseConfig(stem=True, k1=k1, b=b), N))
    for m in ["robertson", "atire", "bm25l", "bm25+"]:
        show(f"bm25 words stem {m}", bm25_lists(SparseConfig(stem=True, method=m), N))
elif mode == "prf":
    cfg = SparseConfig(stem=True, tokenizer="technical")
    for t, d, w in itertools.product([5, 10, 20, 40], [3, 5, 10, 20], [0.3, 0.5, 0.7]):
        show(f"prf terms={t} docs={d} w={w}", bm25_lists(cfg, N, (t, d, w)))
elif mode == "fuse":
    cfg = SparseConfig(stem=True, tokenizer="technical")
    prf = tuple(json.loads(args[0])) if args else None
    for depth in [100, 200, 400]:
        dl, bl = dense_lists(depth), bm25_lists(cfg, depth, prf)
        for fusion, w, k in [("rrf", 0.5, 60), ("rrf", 0.5, 20), ("rrf", 0.4, 60), ("rrf", 0.6, 60)] + \
                [(f, w, 60) for f in ("weighted", "zscore") for w in (0.3, 0.4, 0.5, 0.6, 0.7)]:
            rc = RetrievalConfig(fusion=fusion, dense_weight=w, rrf_k=k, top_k=100, candidates=max(100, depth))
            show(f"d={depth} {fusion} w={w} k={k}", [fuse(a, b, rc)[:100] for a, b in zip(dl, bl)])
if mode == "dprf":
    cfg = SparseConfig(stem=True, tokenizer="technical")
    prf = (5, 5, 0.5)
    fusion = args[0] if args else "zscore"
    w = float(args[1]) if len(args) > 1 else 0.5
    k = int(args[2]) if len(args) > 2 else 60
    depth = 200
    rc = RetrievalConfig(fusion=fusion, dense_weight=w, rrf_k=k, top_k=100, candidates=depth)
    bl = bm25_lists(cfg, depth, prf)
    dl = dense_lists(depth)
    fused = [fuse(a, b, rc) for a, b in zip(dl, bl)]
    show(f"base {fusion} w={w} k={k}", [f[:100] for f in fused])
    pos = {c: i for i, c in enumerate(ids)}
    for m, beta, src in itertools.product([3, 5, 10], [0.5, 1.0, 2.0], ["fused", "dense"]):
        out = []
        for qi, (f, d0, b) in enumerate(zip(fused, dl, bl)):
            top = [pos[c] for c, _ in (f if src == "fused" else d0)[:m]]
            qn = Q[qi] + beta * D[top].mean(axis=0); qn /= np.linalg.norm(qn)
            row = D @ qn
            t = np.argpartition(-row, depth)[:depth]; t = t[np.argsort(-row[t])]
            out.append(fuse([(ids[i], float(row[i])) for i in t], b, rc)[:100])
        show(f"dprf m={m} beta={beta} src={src}", out)
