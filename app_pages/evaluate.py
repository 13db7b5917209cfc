"""Evaluate: every lane on a QA set, scored for answers, retrieval, groundedness, cost and latency."""

import streamlit as st

from ui.backend import current_generator, generator_caption
from ui.eval_run import RUN, qa_source, run_controls
from ui.eval_view import saved_runs_section, show_run
from ui.resources import get_store
from ui.retrieval_widgets import index_config_widgets, reranker_widgets, retrieval_config_widgets
from ui.state import corpus_with_documents
from ui.tuned_picker import tuned_model_widgets

st.title("Evaluate")
store = get_store()
corpus = corpus_with_documents(store)
generator = current_generator()
st.caption("Answering with " + generator_caption(generator) + " (sidebar). "
           "Each run is saved under the data folder and can be compared with another below.")  # fmt: skip

items = qa_source(corpus, generator)
with st.expander("Retrieval settings (shared by the RAG lanes)"):
    index_config = index_config_widgets(key="ev")
    retrieval_config = retrieval_config_widgets([d.name for d in corpus.documents], key="ev",
                                                tags=sorted({t for d in corpus.documents for t in d.tags}))  # fmt: skip
    reranker = reranker_widgets(key="ev")
with st.expander("Fine-tuned model (for the fine-tuned and hybrid lanes)"):
    tuned, tuned_note = tuned_model_widgets(corpus, key="ev")
if items:
    st.caption(f"{len(items)} questions in the set.")
    run_controls(store, corpus, items, index_config, retrieval_config, reranker, generator, tuned, tuned_note)
if RUN in st.session_state:
    show_run(st.session_state[RUN])
st.divider()
saved_runs_section()
