"""Welcome page: what the playground compares and where to start."""

import streamlit as st

from core.errors import PlaygroundError
from ui.actions import load_sample_with_progress
from ui.resources import get_store
from ui.state import active_corpus
from ui.welcome import demo_path, ready

st.title("RAG vs Fine-Tuning Playground")
st.markdown(
    """
Choosing how to customise an LLM? This playground runs the options on **your documents**
and shows what each one does, measured rather than claimed:

- **RAG** changes what the model *sees*: chunks retrieved from the corpus, with citations.
- **Fine-tuning** (LoRA adapters) changes how the model *behaves*: style, format, task habits.
- **Long context** puts the whole corpus in the prompt, when it fits the window.
- **Hybrids** feed retrieval into a fine-tuned model.

Every figure the app shows (tokens, dollars, milliseconds, recall) is counted or measured,
and says where it comes from.
"""
)

store = get_store()
corpus = active_corpus(store.list_corpora())
st.subheader("Where to start")
if corpus is None:
    st.markdown(
        "Load the bundled sample corpus (a fictional law firm's contracts, policies and memos, "
        "with a labelled QA set), or upload your own files on the **Corpus** page."
    )
    if st.button("Load the sample corpus", type="primary"):
        try:
            load_sample_with_progress(store)
        except PlaygroundError as exc:
            st.error(str(exc))
        else:
            st.rerun()
else:
    st.markdown(
        f"The active corpus is **{corpus.name}**: {len(corpus.documents)} documents, "
        f"{corpus.total_words:,} words, {corpus.total_tokens:,} tokens "
        f"(counted with litellm's tokenizer for {corpus.documents[0].token_model if corpus.documents else 'n/a'})."
    )
    ready(store, corpus)
    demo_path()
PAGES = (
    ("corpus", "Corpus: upload, preview and manage documents and versions", "folder_open"),
    ("chunking", "Chunking: see how each strategy splits a document", "segment"),
    ("retrieval", "Retrieval lab: dense, BM25, hybrid and reranking, measured on the QA set", "search"),
    ("finetune", "Fine-tuning lab: build a dataset, train a LoRA / IA³ / prompt-tuning adapter", "tune"),
    ("compare", "Compare: every approach answers the same question, with tokens, cost and latency", "view_column"),
    ("evaluate", "Evaluate: score every approach on a QA set (accuracy, groundedness, cost, latency)", "fact_check"),
    ("decide", "Decide: a recommendation with reasons, and a cost model with break-even points", "balance"),
)
for page, label, icon in PAGES:
    st.page_link(f"app_pages/{page}.py", label=label, icon=f":material/{icon}:")

