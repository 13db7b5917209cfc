"""The QA-set scoring section of the Retrieval lab: metrics table and chart."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from core.config import RetrievalConfig
from core.errors import PlaygroundError
from core.progress import with_eta
from core.retrieval_eval import evaluate_retrieval
from ui.actions import index_with_progress
from ui.retrieval_widgets import make_retriever

VARIANTS = {
    "dense": (dict(mode="dense"), False),
    "bm25": (dict(mode="bm25"), False),
    "hybrid (RRF)": (dict(mode="hybrid", fusion="rrf"), False),
    "hybrid (weighted)": (dict(mode="hybrid", fusion="weighted"), False),
    "hybrid (z-score)": (dict(mode="hybrid", fusion="zscore"), False),
    "hybrid (RRF) + chosen reranker": (dict(mode="hybrid", fusion="rrf"), True),
    "hybrid (z-score) + chosen reranker": (dict(mode="hybrid", fusion="zscore"), True),
}
DEFAULT = ["dense", "bm25", "hybrid (RRF)", "hybrid (weighted)", "hybrid (z-score)"]
SWEEP = "sweep_table"  # not "sweep": that is the form's key, and a form key may not be set in session state


def qa_scoring_section(store, corpus, index_config, retrieval_config: RetrievalConfig, reranker, qa_items,
                       generator=None) -> None:  # fmt: skip
    st.subheader("Score on the labelled QA set")
    st.caption(f"{sum(i.answerable for i in qa_items)} answerable questions; a hit counts when its chunk "
               "covers at least half of an evidence quote (or the quote covers half of the chunk).")  # fmt: skip
    with st.form("score"):
        chosen = st.multiselect("Configurations", list(VARIANTS), default=DEFAULT, key="rx_score_configs",
                                help="Top k from 30 candidates; the reranker is the one chosen above.")
        go = st.form_submit_button("Score")
    if go and chosen:
        try:
            label, table = _score(store, corpus, index_config, retrieval_config, reranker, qa_items, chosen, generator)
            st.session_state["retrieval_scores_label"], st.session_state["retrieval_scores"] = label, table
        except PlaygroundError as exc:
            st.error(str(exc))
    if "retrieval_scores" in st.session_state:
        table = st.session_state["retrieval_scores"]
        st.caption(f"Index: {st.session_state.get('retrieval_scores_label', '')}")
        st.dataframe(table.round(3), hide_index=True, width="stretch")
        import plotly.express as px

        long = table.melt(id_vars="configuration", value_vars=["recall@5", "recall@10", "MRR", "nDCG@10"])
        figure = px.bar(long, x="variable", y="value", color="configuration", barmode="group",
                        labels={"variable": "metric", "value": ""}, range_y=[0, 1], height=340)  # fmt: skip
        st.plotly_chart(figure, width="stretch")


def _score(store, corpus, index_config, retrieval_config, reranker, qa_items, chosen, generator):
    index = index_with_progress(corpus, index_config, generator)
    documents = {d.name: d for d in store.load_documents(corpus.corpus_id)}
    bar = st.progress(0.0)
    report = with_eta(lambda f, m: bar.progress(f, text=m))
    rows = []
    for n, name in enumerate(chosen):
        fields, reranked = VARIANTS[name]
        config = dataclasses.replace(retrieval_config, **fields, documents=())
        retriever = make_retriever(index, config, reranker if reranked else ("none", 0.0, ""), corpus)
        scores = evaluate_retrieval(retriever, index.chunks, documents, qa_items,
                                    progress=lambda f, m: report((n + f) / len(chosen), f"{name}: {m}"))  # fmt: skip
        rows.append({"configuration": name, "recall@5": scores.recall_at(5), "recall@10": scores.recall_at(10),
                     "recall@20": scores.recall_at(20), "MRR": scores.mrr, "nDCG@10": scores.ndcg_at_10,
                     "hit rate@5": scores.hit_rate_at(5), "questions": scores.questions})  # fmt: skip
    bar.empty()
    label = f"{index_config.chunk.strategy} {index_config.chunk.chunk_size}/{index_config.chunk.chunk_overlap}" + (
        " + headers" if index_config.contextual_headers else "")
    return label, pd.DataFrame(rows)


def sweep_section(store, corpus, index_config, retrieval_config: RetrievalConfig, qa_items) -> None:
    """Recall against chunk size, on an explicit action (each new size embeds the corpus once)."""
    from core.sweep import sweep_chunk_sizes

    st.subheader("Chunk-size sweep")
    st.caption(f"Strategy '{index_config.chunk.strategy}', overlap kept at the same share of the chunk, retrieval as "
               "set above. Each size not seen before embeds the whole corpus once; sizes seen before are reused.")  # fmt: skip
    with st.form("sweep"):
        sizes = st.multiselect("Chunk sizes (tokens)", [64, 128, 256, 384, 512, 768, 1024], default=[128, 256, 512, 1024],
                               key="rx_sweep_sizes")  # fmt: skip
        go = st.form_submit_button("Run sweep")
    if go and sizes:
        bar = st.progress(0.0)
        try:
            results = sweep_chunk_sizes(store, corpus.corpus_id, index_config, retrieval_config, sorted(sizes), qa_items,
                                        with_eta(lambda f, m: bar.progress(f, text=m)))  # fmt: skip
            st.session_state[SWEEP] = pd.DataFrame(
                [{"chunk size": size, "recall@5": s.recall_at(5), "recall@10": s.recall_at(10), "MRR": s.mrr}
                 for size, s in results])  # fmt: skip
        except PlaygroundError as exc:
            st.error(str(exc))
        bar.empty()
    if SWEEP in st.session_state:
        import plotly.express as px

        table = st.session_state[SWEEP]
        long = table.melt(id_vars="chunk size", value_vars=["recall@5", "recall@10", "MRR"])
        figure = px.line(long, x="chunk size", y="value", color="variable", markers=True, range_y=[0, 1], height=320,
                         labels={"value": "", "variable": "metric"})  # fmt: skip
        figure.update_xaxes(type="log", tickvals=list(table["chunk size"]))
        st.plotly_chart(figure, width="stretch")
        st.dataframe(table.round(3), hide_index=True)
