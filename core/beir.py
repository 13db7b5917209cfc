"""Evaluate a retrieval configuration on a BEIR-format dataset folder.

Folder: corpus.jsonl ({"_id", "title", "text"}), queries.jsonl ({"_id", "text"}),
qrels/<split>.tsv (query-id, corpus-id, score; header line). Documents are chunked with
the given config, or taken as one chunk per corpus line (`prechunked`, for corpora that
are already chunked). Hits are mapped back to corpus ids (first occurrence wins) and
scored at document level: nDCG@10 (graded), recall@5/10/20, MRR.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from pathlib import Path
from typing import Callable

from core.chunking import chunk_document
from core.config import IndexConfig
from core.embedding import SentenceTransformerEmbedder
from core.errors import BadInputError
from core.index.build import CorpusIndex, IndexStats
from core.index.context import indexed_texts
from core.index.dense import DenseIndex
from core.index.sparse import SparseIndex
from core.retrieval import Retriever
from core.text import normalize_text
from core.tokens import chunk_token_count
from core.types import Chunk, Document


def load_beir(folder: Path, split: str = "test") -> tuple[dict[str, dict], dict[str, str], dict[str, dict[str, int]]]:
    folder = Path(folder)
    paths = [folder / "corpus.jsonl", folder / "queries.jsonl", folder / "qrels" / f"{split}.tsv"]
    for path in paths:
        if not path.is_file():
            raise BadInputError(str(path), "is missing. A BEIR folder has corpus.jsonl, queries.jsonl and qrels/<split>.tsv.")
    corpus = {str(r["_id"]): r for r in _jsonl(paths[0])}
    queries = {str(r["_id"]): str(r["text"]) for r in _jsonl(paths[1])}
    qrels: dict[str, dict[str, int]] = {}
    with open(paths[2], newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) >= 3 and row[2].strip().lstrip("-").isdigit():
                qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    return corpus, queries, qrels


def _jsonl(path: Path):
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadInputError(f"{path.name} line {number}", f"is not JSON ({exc.msg}).") from exc


def build_beir_index(corpus: dict[str, dict], config: IndexConfig, store_dir: Path, prechunked: bool,
                     progress: Callable[[float, str], None] | None = None) -> CorpusIndex:  # fmt: skip
    embedder = SentenceTransformerEmbedder(config.embedder)
    chunks: list[Chunk] = []
    texts: list[str] = []
    for corpus_id, row in corpus.items():
        text = normalize_text(f"{row.get('title', '')}\n\n{row.get('text', '')}")
        doc_id = hashlib.sha256(corpus_id.encode()).hexdigest()[:16]
        document = Document(doc_id, corpus_id, row.get("title") or corpus_id, "txt", text, len(text))
        if prechunked:
            doc_chunks = (Chunk(f"{doc_id}:0", doc_id, corpus_id, 0, text, 0, len(text), chunk_token_count(text)),)
        else:
            doc_chunks = chunk_document(document, config.chunk, embedder)
        chunks.extend(doc_chunks)
        texts.extend(indexed_texts(document, doc_chunks, config.contextual_headers))
    key = hashlib.sha256(("prechunked" if prechunked else config.key).encode() + "".join(sorted(corpus)).encode()).hexdigest()[:16]
    dense = DenseIndex(store_dir, f"beir-{key}")
    present = dense.stored_doc_ids(sorted({c.doc_id for c in chunks}))
    todo = [i for i, c in enumerate(chunks) if c.doc_id not in present]
    if todo:
        dense.add([chunks[i] for i in todo], embedder.embed([texts[i] for i in todo], progress))
    sparse = SparseIndex.build([c.chunk_id for c in chunks], texts)
    stats = IndexStats(len(corpus), len(chunks), len(corpus), len(todo), 0.0)
    return CorpusIndex("beir", key, config, tuple(chunks), tuple(texts), dense, sparse, embedder, stats)


def evaluate_beir(retriever: Retriever, queries: dict[str, str], qrels: dict[str, dict[str, int]],
                  depth: int = 100) -> dict[str, float]:  # fmt: skip
    """Document-level metrics; a hit's corpus id is its chunk's doc_name."""
    totals = {"ndcg@10": 0.0, "recall@5": 0.0, "recall@10": 0.0, "recall@20": 0.0, "mrr": 0.0}
    judged = [q for q in qrels if q in queries and any(s > 0 for s in qrels[q].values())]
    for query_id in judged:
        ranked: list[str] = []
        for hit in retriever.retrieve(queries[query_id], depth):
            if hit.chunk.doc_name not in ranked:
                ranked.append(hit.chunk.doc_name)
        gains = qrels[query_id]
        relevant = {d for d, s in gains.items() if s > 0}
        dcg = sum(gains.get(d, 0) / math.log2(r + 1) for r, d in enumerate(ranked[:10], start=1))
        ideal = sum(g / math.log2(r + 1) for r, g in enumerate(sorted(gains.values(), reverse=True)[:10], start=1) if g > 0)
        totals["ndcg@10"] += dcg / ideal if ideal else 0.0
        for k in (5, 10, 20):
            totals[f"recall@{k}"] += len(relevant & set(ranked[:k])) / len(relevant)
        totals["mrr"] += next((1.0 / r for r, d in enumerate(ranked, start=1) if d in relevant), 0.0)
    count = max(len(judged), 1)
    return {"queries": len(judged), **{k: round(v / count, 4) for k, v in totals.items()}}
