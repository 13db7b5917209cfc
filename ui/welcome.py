"""Welcome page parts: what is ready (index, model) and a suggested demo path."""

from __future__ import annotations

import streamlit as st

from core.sample import SAMPLE_ID, bundled_model_ready, default_index_ready

DEMO = (
    ("compare", "1. Compare (5 min)", "Press **Run the lanes** on the preselected question, the domestic meal per "
     "diem. Look for: closed book has no source (the offline reader abstains, an LLM guesses); RAG quotes the "
     "finance policy with a citation; long context sends the whole corpus (its token bar, and a note when it "
     "overflows a small model's window); the fine-tuned lanes ask for an adapter. Then scroll to the "
     "**Freshness demo** and press **Answer before and after the updates**: RAG and long context move to the new "
     "\\$90, a fine-tuned model would not."),
    ("retrieval", "2. Retrieval lab (5 min)", "Pick the labelled question about terminating the Bluefin NDA and "
     "press **Search**. Switch Retrieval between hybrid, dense and BM25: the hits redraw at once; watch the "
     "rank-movement column. Then **Score** the configurations on the QA set (recall@5, MRR)."),
    ("evaluate", "3. Evaluate (5-10 min)", "Run the test split on RAG, long context and closed book. Look for: "
     "accuracy against dollars per 1,000 queries, and abstention on the out-of-corpus questions."),
    ("decide", "4. Decide (3 min)", "Answer the nine questions and press **Recommend**: the recommendation cites "
     "the measurements from steps 1-3 and says where they came from."),
)


def ready(store, corpus) -> None:
    """One line each: is the default index built, is the bundled model prepared."""
    index = default_index_ready(store, corpus.corpus_id) if corpus.documents else False
    model, about = bundled_model_ready()
    st.markdown(
        f"- {':green-badge[Ready]' if index else ':orange-badge[Not built yet]'} **Default index** of this corpus"
        + ("" if index else " — the first search builds it (minutes on a small CPU; `python -m core load-sample` "
                            "does it ahead for the sample corpus)")
        + f"\n- {':green-badge[Ready]' if model else ':orange-badge[Not prepared]'} **Bundled model**: {about}"
        + ("" if model or "not installed" in about or "no bundled" in about
           else " — converted on first use (about a minute), or ahead by `python -m core load-sample`")
    )  # fmt: skip


def demo_path() -> None:
    st.subheader("A 20-minute demo path")
    if st.session_state.get("active_corpus_id") not in (None, SAMPLE_ID):
        st.caption("Written for the sample corpus: switch to it in the sidebar to follow it word for word.")
    for page, title, text in DEMO:
        with st.container(border=True):
            st.page_link(f"app_pages/{page}.py", label=title)
            st.markdown(text)
