"""Evaluate a retrieval configuration on a BEIR-format dataset folder.

Folder: corpus.jsonl ({"_id", "title", "text"}), queries.jsonl ({"_id", "text"}),
qrels/<split>.tsv (query-id, corpus-id, score; header line). Documents are chunked with
the given config, or taken as one chunk per corpus line (`prechunked`, for corpora that
are already chunked; lines sharing a metadata field such as "doc_id" can be grouped into
one document for contextual headers). Hits are mapped back to corpus ids (a document
ranks by its best chunk) and scored at document level: nDCG@10 (graded), recall@5/10/20,
MRR. Vectors are stored in Chroma under a key of the embedder and the exact texts embedded,
so a rerun whose settings leave those unchanged embeds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import time
from pathlib import Path
from typing import Callable

from core.chunking import chunk_document
from core.config import IndexConfig, RetrievalConfig
from core.embedding import SentenceTransformerEmbedder
from core.errors import BadInputError
from core.index.build import CorpusIndex, IndexStats
from core.index.context import chunk_headers, compose, corpus_acronyms, title_acronyms, with_acronyms
from core.index.dense import DenseIndex
from core.index.sparse import SparseIndex
from core.retrieval import IndexRetriever, Retriever
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
                     progress: Callable[[float, str], None] | None = None, dense: bool = True,
                     doc_field: str | None = None) -> CorpusIndex:  # fmt: skip
    """Chunks, vectors (unless `dense` is False: a BM25-only index embeds nothing) and BM25.
    With `prechunked`, each line is one chunk; `doc_field` (a key of the line's metadata,
    e.g. "doc_id") groups lines into one document for contextual headers."""
    report = progress or (lambda fraction, message: None)
    started = time.perf_counter()
    embedder = SentenceTransformerEmbedder(config.embedder)
    chunks, heads, titles = _beir_chunks(corpus, config, prechunked, doc_field, embedder)
    texts = [compose(c.text, h if config.dense_headers else None, None) for c, h in zip(chunks, heads)]
    acronyms = _acronyms(chunks, titles) if config.bm25_headers and config.title_acronyms else {}
    sparse_texts = [compose(c.text, with_acronyms(h, acronyms.get(t, [])) if config.bm25_headers else None, None)
                    for c, h, t in zip(chunks, heads, titles)]  # fmt: skip
    vectors, todo = None, []
    if dense:
        vectors = DenseIndex(store_dir, f"beir-{beir_index_key(chunks, texts, config.embedder)}")
        present = vectors.stored_doc_ids(sorted({c.doc_id for c in chunks}))
        todo = [i for i, c in enumerate(chunks) if c.doc_id not in present]
        if todo:
            vectors.add([chunks[i] for i in todo], embedder.embed([texts[i] for i in todo], progress=report))
    report(1.0, f"BM25 over {len(chunks)} chunks")
    sparse = SparseIndex.build([c.chunk_id for c in chunks], sparse_texts, config.sparse)
    stats = IndexStats(len(corpus), len(chunks), len(corpus), len(todo), time.perf_counter() - started)
    return CorpusIndex("beir", "beir", config, tuple(chunks), tuple(texts), vectors, sparse, embedder, stats,
                       tuple(sparse_texts) if sparse_texts != texts else None)  # fmt: skip


def beir_index_key(chunks: list[Chunk], texts: list[str], embedder: str) -> str:
    """Everything that changes the vectors: the embedder and the exact text embedded for each
    chunk (so corpus edits, chunking, dense-side headers and document grouping all count,
    and settings that leave the texts as they were reuse the vectors)."""
    digest = hashlib.sha256(f"{embedder}\0v3\0".encode())
    for chunk, text in zip(chunks, texts):
        digest.update(f"{chunk.chunk_id}\0{chunk.doc_name}\0{text}\0".encode())
    return digest.hexdigest()[:16]


def _group(row: dict, doc_field: str | None) -> str:
    if not doc_field:
        return ""
    meta = row.get("metadata") or {}
    value = meta.get(doc_field, row.get(doc_field)) if isinstance(meta, dict) else row.get(doc_field)
    return "" if value is None else str(value)


def _acronyms(chunks: list[Chunk], titles: list[str]) -> dict[str, list[str]]:
    known = corpus_acronyms(c.text for c in chunks)
    return {title: title_acronyms(title, known) for title in set(titles)}


def _beir_chunks(corpus, config, prechunked, doc_field, embedder) -> tuple[list[Chunk], list[str], list[str]]:
    """Chunks (doc_name = corpus id, so hits map back to qrels), their offline headers and
    their documents' titles."""
    chunks: list[Chunk] = []
    heads: list[str] = []
    titles: list[str] = []
    groups: dict[str, list[str]] = {}
    for corpus_id, row in corpus.items():
        groups.setdefault(_group(row, doc_field) or f"\0{corpus_id}", []).append(corpus_id)
    for members in groups.values():
        rows = [corpus[m] for m in members]
        lines = [normalize_text(f"{r.get('title') or ''}\n\n{r.get('text') or ''}") for r in rows]
        title = next((normalize_text(str(r["title"])) for r in rows if str(r.get("title") or "").strip()), "")
        whole = "\n\n".join(lines)
        document = Document(_doc_id(members[0]), members[0], title, "txt", whole, len(whole))
        for corpus_id, text in zip(members, lines):
            doc_id = _doc_id(corpus_id)
            if prechunked:
                doc_chunks = (Chunk(f"{doc_id}:0", doc_id, corpus_id, 0, text, 0, len(text), chunk_token_count(text)),)
                line_doc = document if doc_field else Document(doc_id, corpus_id, title, "txt", text, len(text))
            else:
                line_doc = Document(doc_id, corpus_id, normalize_text(str(corpus[corpus_id].get("title") or "")), "txt", text,
                                    len(text))  # fmt: skip
                doc_chunks = chunk_document(line_doc, config.chunk, embedder)
            chunks.extend(doc_chunks)
            heads.extend(chunk_headers(line_doc, doc_chunks) if config.contextual_headers else [""] * len(doc_chunks))
            titles.extend([line_doc.title] * len(doc_chunks))
    return chunks, heads, titles


def _doc_id(corpus_id: str) -> str:
    return hashlib.sha256(corpus_id.encode()).hexdigest()[:16]


def evaluate_beir(retriever: Retriever, queries: dict[str, str], qrels: dict[str, dict[str, int]],
                  depth: int = 100) -> dict[str, float]:  # fmt: skip
    """Document-level metrics; a hit's corpus id is its chunk's doc_name."""
    totals = {"ndcg@10": 0.0, "recall@5": 0.0, "recall@10": 0.0, "recall@20": 0.0, "mrr": 0.0}
    judged = [q for q in qrels if q in queries and any(s > 0 for s in qrels[q].values())]
    prime = getattr(retriever, "prime", None)
    if prime is not None:  # embed every query in one batch
        prime([queries[q] for q in judged])
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


def run_beir(folder: Path, split: str, index_config: IndexConfig, retrieval: RetrievalConfig, store_dir: Path, *,
             prechunked: bool = False, doc_field: str | None = None, reranker: tuple[str, float] = ("none", 0.7),
             progress: Callable[[float, str], None] | None = None) -> dict:  # fmt: skip
    """Build (or reuse) the index, score the configuration, and report exactly what was used."""
    from dataclasses import asdict

    corpus, queries, qrels = load_beir(folder, split)
    if doc_field and not prechunked:
        raise BadInputError("--doc-field", "groups the lines of a --prechunked corpus; add --prechunked or drop it.")
    index = build_beir_index(corpus, index_config, store_dir, prechunked, progress, dense=retrieval.mode != "bm25",
                             doc_field=doc_field)  # fmt: skip
    retriever, reranker_name = _with_reranker(IndexRetriever(index, retrieval), index, retrieval, reranker)
    started = time.perf_counter()
    scores = evaluate_beir(retriever, queries, qrels, depth=retrieval.top_k)
    seconds = time.perf_counter() - started
    used = asdict(index_config)
    if prechunked:
        used["chunk"] = None  # one chunk per corpus line: the chunk settings were not used
    if retrieval.mode == "bm25":
        used["embedder"] = None
    return {"dataset": str(folder), "split": split, "documents": len(corpus), "chunks": len(index.chunks),
            "prechunked": prechunked, "doc_field": doc_field, "index": used, "retrieval": asdict(retrieval),
            "reranker": reranker_name, "embedded_now": index.stats.embedded_chunks,
            "build_seconds": round(index.stats.seconds, 1), "query_ms": round(1000 * seconds / max(scores["queries"], 1), 1),
            **scores}  # fmt: skip


def _with_reranker(base, index, retrieval: RetrievalConfig, reranker: tuple[str, float]):
    from core.rerank import CrossEncoderReranker, MMRReranker, RerankingRetriever

    kind, lambda_ = reranker
    if kind == "none":
        return base, None
    if kind == "mmr":
        return RerankingRetriever(base, MMRReranker(None, index.dense, lambda_), retrieval.candidates), f"mmr (lambda {lambda_})"
    if kind.startswith("cross-encoder:") and kind.split(":", 1)[1].strip():
        model = kind.split(":", 1)[1].strip()
        return RerankingRetriever(base, CrossEncoderReranker(model), retrieval.candidates), f"cross-encoder {model}"
    raise BadInputError("--reranker", f"{kind!r} is not none, mmr or cross-encoder:MODEL (a local CrossEncoder folder).")


def stderr_progress(label: str) -> Callable[[float, str], None]:
    """A progress callback that prints a line to stderr at every tenth done (works in logs)."""
    import sys

    last = [-1]

    def report(fraction: float, message: str) -> None:
        step = int(min(max(fraction, 0.0), 1.0) * 10)
        if step != last[0]:
            last[0] = step
            print(f"{label}: {fraction:4.0%} {message}", file=sys.stderr, flush=True)

    return report
