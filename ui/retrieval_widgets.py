"""Widgets that build IndexConfig and RetrievalConfig from the user's choices."""

from __future__ import annotations

import streamlit as st

from core.chunking import STRATEGY_HELP
from core.config import CHUNK_STRATEGIES, ChunkConfig, IndexConfig, RetrievalConfig
from core.embedding import DEFAULT_EMBEDDER


def index_config_widgets(key: str = "rx", llm_model: str | None = None) -> IndexConfig:
    """Chunking, embedder and headers: changing these needs a (cached) index build."""
    cols = st.columns(5)
    strategy = cols[0].selectbox("Chunking", CHUNK_STRATEGIES, index=CHUNK_STRATEGIES.index("recursive"),
                                 key=f"{key}_strategy", help="\n\n".join(f"**{k}**: {v}" for k, v in STRATEGY_HELP.items()))  # fmt: skip
    size = cols[1].select_slider("Chunk size (tokens)", [64, 128, 256, 384, 512, 768, 1024], value=256, key=f"{key}_size")
    overlap = cols[2].select_slider("Overlap (tokens)", [0, 16, 32, 64, 128], value=32, key=f"{key}_overlap")
    embedder = cols[3].text_input("Embedding model", value=DEFAULT_EMBEDDER, key=f"{key}_embedder",
                                  help="Any sentence-transformers id or local path; the default ships with the app.")  # fmt: skip
    headers = cols[4].toggle("Contextual headers", key=f"{key}_headers",
                             help="Prepend title, section path and a one-line document summary before indexing.")  # fmt: skip
    if overlap > size // 2:
        st.warning(f"Overlap {overlap} is over half the chunk size {size}; using {size // 2} tokens.")
    llm_context = cols[4].toggle("LLM chunk contexts", key=f"{key}_llmctx", disabled=llm_model is None,
                                 help="A one- or two-sentence context per chunk written by the sidebar's LLM "
                                      "(contextual retrieval). Choose 'LLM via litellm' in the sidebar first.")  # fmt: skip
    return IndexConfig(ChunkConfig(strategy=strategy, chunk_size=size, chunk_overlap=min(overlap, size // 2)),
                       embedder=embedder.strip() or DEFAULT_EMBEDDER, contextual_headers=headers,
                       context_model=llm_model if llm_context and llm_model else None)  # fmt: skip


def retrieval_config_widgets(documents: list[str], key: str = "rx", tags: list[str] | None = None) -> RetrievalConfig:
    """Mode, fusion, k and filters: changing these never re-embeds."""
    cols = st.columns(5)
    mode = cols[0].radio("Retrieval", ["hybrid", "dense", "bm25"], horizontal=True, key=f"{key}_mode")
    fusion = cols[1].radio("Fusion", ["rrf", "weighted"], horizontal=True, key=f"{key}_fusion", disabled=mode != "hybrid",
                           help="rrf: reciprocal rank fusion. weighted: min-max normalised scores, weighted.")  # fmt: skip
    top_k = cols[2].slider("Top k", 1, 20, 5, key=f"{key}_k")
    weight = cols[3].slider("Dense weight", 0.0, 1.0, 0.5, 0.05, key=f"{key}_w", disabled=mode != "hybrid")
    rrf_k = cols[4].number_input("RRF k", 1, 1000, 60, key=f"{key}_rrfk", disabled=mode != "hybrid" or fusion != "rrf")
    left, right = st.columns([3, 2])
    only = left.multiselect("Only these documents", documents, key=f"{key}_docs", placeholder="All documents")
    viewer = None
    if tags:
        held = right.multiselect("Viewer's access tags", tags, key=f"{key}_viewer", placeholder="No access control",
                                 help="Access control in RAG: with tags chosen, retrieval sees untagged documents "
                                      "and documents sharing a tag with this viewer. Tags are set on the Corpus page.")  # fmt: skip
        viewer = tuple(held) or None
    drop = left.toggle("Leave out flagged passages", key=f"{key}_noinject",
                       help="Passages the prompt-injection detector flags (text that addresses the model: 'ignore "
                            "previous instructions', role tags, 'you are now', requests for the prompt or keys) are "
                            "not retrieved. Off: they are retrieved, sent as fenced data and flagged.")  # fmt: skip
    return RetrievalConfig(mode=mode, top_k=top_k, candidates=max(30, top_k), fusion=fusion, rrf_k=int(rrf_k),
                           dense_weight=weight, documents=tuple(only), viewer_tags=viewer, drop_flagged=drop)  # fmt: skip


def reranker_widgets(key: str = "rx") -> tuple[str, float, str]:
    """(kind, MMR lambda, cross-encoder model): kind is "none", "mmr" or "cross-encoder"."""
    cols = st.columns([1, 1, 2])
    kind = cols[0].selectbox("Reranker", ["none", "mmr", "cross-encoder", "llm"], key=f"{key}_rerank",
                             help="mmr: diversity over the stored MiniLM vectors (offline). cross-encoder: any "
                                  "sentence-transformers CrossEncoder id or local folder. llm: the sidebar's model "
                                  "scores each candidate 0-10 (one call per candidate).")  # fmt: skip
    lambda_ = cols[1].slider("MMR λ (1 = relevance only)", 0.0, 1.0, 0.7, 0.05, key=f"{key}_mmr", disabled=kind != "mmr")
    model = cols[2].text_input("Cross-encoder model", "cross-encoder/ms-marco-MiniLM-L-6-v2", key=f"{key}_ce",
                               disabled=kind != "cross-encoder")  # fmt: skip
    return kind, lambda_, model.strip()


def make_retriever(index, config: RetrievalConfig, reranker: tuple[str, float, str], corpus, generator=None):
    """The retriever for `corpus` (its documents' access tags applied), composed with the chosen reranker."""
    from core.access import build_retriever

    return build_retriever(index, corpus, config, reranker, generator)
