"""Widgets that build IndexConfig and RetrievalConfig from the user's choices."""

from __future__ import annotations

import streamlit as st

from core.chunking import STRATEGY_HELP
from core.config import CHUNK_STRATEGIES, FUSION_METHODS, ChunkConfig, IndexConfig, RetrievalConfig, SparseConfig
from core.embedding import DEFAULT_EMBEDDER
from core.labels import label
from core.option_effects import OPTIONS


HEADER_CHOICES = {"off": "off", "both": "dense + BM25", "dense": "dense only", "bm25": "BM25 only"}
RERANK_NOTE = ("Offline: MMR only (relevance = the retriever's own fused score, minus redundancy with what is already "
               "picked; no query re-embedding). No cross-encoder ships with the app: the cross-encoder and LLM rerankers "
               "need a model.")  # fmt: skip


def measured(effects, option: str, value, name: str | None = None) -> str:
    """`name` (or the value's label) plus its measured effect on the sample QA set, when known."""
    text = name if name is not None else label(value)
    return text if effects is None else f"{text} ({effects.label(option, value)})"


def index_config_widgets(key: str = "rx", llm_model: str | None = None, effects=None) -> IndexConfig:
    """Chunking, embedder, headers and BM25 settings: changing these needs a (cached) index
    build; BM25 settings and BM25-only headers rebuild BM25 only, never the vectors.
    `effects` (core.option_effects.OptionEffects) labels each option with its measured effect."""
    cols = st.columns(5)
    chunking = ChunkConfig()
    strategy = cols[0].selectbox("Chunking", CHUNK_STRATEGIES, index=CHUNK_STRATEGIES.index(chunking.strategy),
                                 key=f"{key}_strategy", format_func=lambda v: measured(effects, "chunking", v)
                                 if v in OPTIONS["chunking"] else label(v),
                                 help="\n\n".join(f"**{label(k)}**: {v}" for k, v in STRATEGY_HELP.items()))  # fmt: skip
    size = cols[1].select_slider("Chunk size (tokens)", [64, 128, 256, 384, 512, 768, 1024], value=chunking.chunk_size,
                                key=f"{key}_size")
    overlap = cols[2].select_slider("Overlap (tokens)", [0, 16, 32, 64, 128], value=chunking.chunk_overlap,
                                    key=f"{key}_overlap")
    embedder = cols[3].text_input("Embedding model", value=DEFAULT_EMBEDDER, key=f"{key}_embedder",
                                  help="Any sentence-transformers id or local path; the default ships with the app.")  # fmt: skip
    default = IndexConfig()
    headers = cols[4].selectbox("Contextual headers", list(HEADER_CHOICES), key=f"{key}_headers",
                                index=list(HEADER_CHOICES).index(default.header_target if default.contextual_headers else "off"),
                                format_func=lambda v: measured(effects, "headers", v, HEADER_CHOICES[v]),
                                help="Prepend title, section path and a one-line document summary (parts the chunk "
                                     "already holds are left out) to what the embedding and/or BM25 index.")  # fmt: skip
    if overlap > size // 2:
        st.warning(f"Overlap {overlap} is over half the chunk size {size}; using {size // 2} tokens.")
    llm_context = cols[4].toggle("LLM chunk contexts", key=f"{key}_llmctx", disabled=llm_model is None,
                                 help="A one- or two-sentence context per chunk written by the sidebar's LLM "
                                      "(contextual retrieval). Choose 'LLM via litellm' in the sidebar first.")  # fmt: skip
    acronyms = measured_toggle(cols[3], "Title acronyms in BM25 headers", default.title_acronyms, f"{key}_acro",
                               effects, "acronyms", not default.title_acronyms, disabled=headers not in ("both", "bm25"),
                               help="BM25 headers also carry the title's acronyms that the corpus writes (Mutual "
                                    "Non-Disclosure Agreement -> NDA), so a question naming a document by its "
                                    "acronym finds it. Rebuilds BM25 only.")  # fmt: skip
    sparse = bm25_widgets(key, effects)
    return IndexConfig(ChunkConfig(strategy=strategy, chunk_size=size, chunk_overlap=min(overlap, size // 2)),
                       embedder=embedder.strip() or DEFAULT_EMBEDDER, contextual_headers=headers != "off",
                       header_target=headers if headers != "off" else "both", sparse=sparse, title_acronyms=acronyms,
                       context_model=llm_model if llm_context and llm_model else None)  # fmt: skip


def bm25_widgets(key: str, effects=None) -> SparseConfig:
    """BM25 tokenisation and bm25s parameters (rebuilds BM25 only, in about a second)."""
    default = SparseConfig()
    with st.expander("BM25 settings (tokenisation, stemming, k1, b)"):
        cols = st.columns(5)
        tokens = ["words", "technical"]
        tokenizer = cols[0].radio("Tokens", tokens, index=tokens.index(default.tokenizer), key=f"{key}_bm25tok",
                                  format_func=lambda v: measured(effects, "tokenizer", v),
                                  help="technical also keeps identifiers whole and split (camelCase, snake_case, "
                                       "dotted and slashed paths), section numbers (12.3(b)) and amounts ($1,500).")  # fmt: skip
        stem = measured_toggle(cols[1], "Stemming", default.stem, f"{key}_bm25stem", effects, "stem",
                               not default.stem, help="Snowball English stemming (terminated, terminates -> termin).")
        k1 = cols[2].number_input("k1", 0.0, 10.0, default.k1, 0.1, key=f"{key}_bm25k1",
                                  help="Term-frequency saturation (1.2-2.0 is usual).")  # fmt: skip
        b = cols[3].number_input("b", 0.0, 1.0, default.b, 0.05, key=f"{key}_bm25b", help="Length normalisation.")
        methods = ["lucene", "robertson", "atire", "bm25l", "bm25+"]
        method = cols[4].selectbox("Variant", methods, index=methods.index(default.method), key=f"{key}_bm25m")
    return SparseConfig(tokenizer=tokenizer, stem=stem, k1=float(k1), b=float(b), method=method)


def retrieval_config_widgets(documents: list[str], key: str = "rx", tags: list[str] | None = None,
                             effects=None) -> RetrievalConfig:  # fmt: skip
    """Mode, fusion, k, feedback and filters: changing these never re-embeds."""
    default = RetrievalConfig()
    cols = st.columns(5)
    mode = cols[0].radio("Retrieval", ["hybrid", "dense", "bm25"], key=f"{key}_mode",
                         format_func=lambda v: measured(effects, "mode", v))  # fmt: skip
    fusion = cols[1].radio("Fusion", list(FUSION_METHODS), index=FUSION_METHODS.index(default.fusion), key=f"{key}_fusion",
                           disabled=mode != "hybrid", format_func=lambda v: measured(effects, "fusion", v),
                           help="Reciprocal rank fusion adds w / (k + rank) from each list; weighted (min-max) and "
                                "z-score normalise each list's scores, then add them with the dense weight.")  # fmt: skip
    top_k = cols[2].slider("Top k", 1, 20, 5, key=f"{key}_k")
    weight = cols[3].slider("Dense weight", 0.0, 1.0, default.dense_weight, 0.05, key=f"{key}_w", disabled=mode != "hybrid")
    rrf_k = cols[4].number_input("RRF k", 1, 1000, default.rrf_k, key=f"{key}_rrfk",
                                 disabled=mode != "hybrid" or fusion != "rrf")  # fmt: skip
    cols = st.columns(5)
    candidates = cols[0].select_slider("Candidates per list", [20, 30, 50, 100, 200], value=default.candidates,
                                       key=f"{key}_cand", help="How deep the dense and BM25 lists go before fusion "
                                                               "and before a reranker.")  # fmt: skip
    prf = measured_toggle(cols[1], "BM25 query expansion (RM3)", default.prf_terms > 0, f"{key}_prf", effects, "prf",
                          0 if default.prf_terms else 10, disabled=mode == "dense",
                          help="Pseudo-relevance feedback: add the 10 strongest terms of the top BM25 hits to the "
                               "BM25 query, then search again.")  # fmt: skip
    feedback = measured_toggle(cols[2], "Dense query feedback (Rocchio)", default.vector_prf > 0, f"{key}_vprf",
                               effects, "vector_prf", 0 if default.vector_prf else 3, disabled=mode == "bm25",
                               help="Move the query vector towards the mean vector of the top 3 hits, then search "
                                    "again (no model call).")  # fmt: skip
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
    return RetrievalConfig(mode=mode, top_k=top_k, candidates=max(candidates, top_k), fusion=fusion, rrf_k=int(rrf_k),
                           dense_weight=weight, prf_terms=10 if prf else 0, vector_prf=3 if feedback else 0,
                           documents=tuple(only), viewer_tags=viewer,
                           drop_flagged=drop)  # fmt: skip


def reranker_widgets(key: str = "rx", effects=None) -> tuple[str, float, str]:
    """(kind, MMR lambda, cross-encoder model): kind is "none", "mmr", "cross-encoder" or "llm"."""
    cols = st.columns([1, 1, 2])
    kind = cols[0].selectbox("Reranker", ["none", "mmr", "cross-encoder", "llm"], key=f"{key}_rerank",
                             format_func=lambda v: measured(effects, "reranker", v) if v in ("none", "mmr") else label(v),
                             help="mmr: diversity over the stored MiniLM vectors (offline). cross-encoder: any "
                                  "sentence-transformers CrossEncoder id or local folder. llm: the sidebar's model "
                                  "scores each candidate 0-10 (one call per candidate).")  # fmt: skip
    lambda_ = cols[1].slider("MMR λ (1 = relevance only)", 0.0, 1.0, 0.7, 0.05, key=f"{key}_mmr", disabled=kind != "mmr")
    model = cols[2].text_input("Cross-encoder model", "cross-encoder/ms-marco-MiniLM-L-6-v2", key=f"{key}_ce",
                               disabled=kind != "cross-encoder")  # fmt: skip
    cols[0].caption(RERANK_NOTE)
    return kind, lambda_, model.strip()


def make_retriever(index, config: RetrievalConfig, reranker: tuple[str, float, str], corpus, generator=None):
    """The retriever for `corpus` (its documents' access tags applied), composed with the chosen reranker."""
    from core.access import build_retriever

    return build_retriever(index, corpus, config, reranker, generator)


def measured_toggle(col, label: str, on: bool, key: str, effects, field: str, flipped, **kwargs) -> bool:
    """A toggle with, when effects were measured, the caption of what flipping it did on the QA set."""
    value = col.toggle(label, value=on, key=key, **kwargs)
    if effects is not None:
        col.caption(f"{label.split(' (')[0].lower()} {'off' if on else 'on'}: {effects.label(field, flipped)}")
    return value
