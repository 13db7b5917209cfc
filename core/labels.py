"""Human labels for the identifiers the app shows (strategies, modes, rerankers, question
types, stages), and "–" for a missing value. Pages call `label(value)`; unknown
identifiers get their underscores turned into spaces rather than being shown raw.
"""

from __future__ import annotations

import math
from typing import Any

MISSING = "–"

LABELS: dict[str, str] = {
    # chunking strategies
    "fixed_tokens": "Fixed token windows", "recursive": "Recursive (paragraphs, lines, words)",
    "sentence": "Whole sentences", "markdown_headers": "Heading-aware", "semantic": "Semantic (embedding breaks)",
    # retrieval modes and fusion
    "hybrid": "Hybrid (dense + BM25)", "dense": "Dense (embeddings)", "bm25": "BM25 (keywords)",
    "rrf": "Reciprocal rank fusion", "weighted": "Weighted scores",
    # rerankers
    "none": "None", "mmr": "MMR (diversity)", "cross-encoder": "Cross-encoder", "llm": "LLM judge (0-10)",
    # question types
    "lookup": "Look-up", "multi_hop": "Multi-hop", "summary": "Summary", "out_of_corpus": "Not in the corpus",
    "freshness": "Freshness",
    # evidence placement in long context
    "start": "At the start", "middle": "In the middle", "end": "At the end",
    # stages
    "fused": "fused", "rerank": "reranked",
}  # fmt: skip


def label(value: Any) -> str:
    """The human label of an identifier; "–" for None or NaN."""
    if is_missing(value):
        return MISSING
    text = str(value)
    return LABELS.get(text, text.replace("_", " "))


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def shown(value: Any, fmt: str = "{}") -> str:
    """`value` formatted with `fmt`, or "–" when missing."""
    return MISSING if is_missing(value) else fmt.format(value)


def describe_retrieval(config) -> str:
    """A RetrievalConfig in words, e.g. "Hybrid (dense + BM25), reciprocal rank fusion (k 60), top 5 of 30 candidates"."""
    parts = [label(config.mode)]
    if config.mode == "hybrid":
        parts.append(f"reciprocal rank fusion (k {config.rrf_k})" if config.fusion == "rrf"
                     else f"weighted scores (dense weight {config.dense_weight:.2f})")  # fmt: skip
    parts.append(f"top {config.top_k} of {config.candidates} candidates")
    parts.append(f"only {', '.join(config.documents)}" if config.documents else "all documents")
    tags = getattr(config, "viewer_tags", None)
    parts.append("no access control" if tags is None else f"viewer tags {', '.join(tags)}")
    return ", ".join(parts)


def describe_index(config) -> str:
    """An IndexConfig in words, e.g. "Recursive (paragraphs, lines, words), 256 tokens, 32 overlap, all-MiniLM-L6-v2"."""
    chunk = config.chunk
    text = f"{label(chunk.strategy)}, {chunk.chunk_size} tokens, {chunk.chunk_overlap} overlap, {config.embedder}"
    if config.contextual_headers:
        text += ", contextual headers"
    if getattr(config, "context_model", None):
        text += f", LLM chunk contexts by {config.context_model}"
    return text


def describe_reranker(reranker: tuple[str, float, str]) -> str:
    kind, lambda_, model = reranker
    if kind == "mmr":
        return f"MMR (diversity), λ {lambda_:.2f}"
    if kind == "cross-encoder":
        return f"Cross-encoder {model}"
    return label(kind)
