"""Welcome page: what the playground compares and where to start."""

import streamlit as st

from core.errors import PlaygroundError
from ui.actions import load_sample_with_progress
from ui.resources import get_store
from ui.state import active_corpus

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
st.page_link("app_pages/corpus.py", label="Corpus: upload, preview and manage documents and versions",
             icon=":material/folder_open:")  # fmt: skip
st.page_link("app_pages/chunking.py", label="Chunking: see how each strategy splits a document",
             icon=":material/segment:")  # fmt: skip
st.page_link("app_pages/retrieval.py", label="Retrieval lab: dense, BM25, hybrid and reranking, measured on the QA set",
             icon=":material/search:")  # fmt: skip
st.page_link("app_pages/finetune.py", label="Fine-tuning lab: build a dataset, train a LoRA / IA³ / prompt-tuning adapter",
             icon=":material/tune:")  # fmt: skip
st.page_link("app_pages/compare.py", label="Compare: every approach answers the same question, with tokens, cost and latency",
             icon=":material/view_column:")  # fmt: skip
st.page_link("app_pages/evaluate.py", label="Evaluate: score every approach on a QA set (accuracy, groundedness, cost, latency)",
             icon=":material/fact_check:")  # fmt: skip
st.page_link("app_pages/decide.py", label="Decide: a recommendation with reasons, and a cost model with break-even points",
             icon=":material/balance:")  # fmt: skip
