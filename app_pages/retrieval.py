"""Retrieval lab: ask a question, see each stage's hits, score configurations on the QA set."""
import streamlit as st

from core.errors import PlaygroundError
from core.langchain_retriever import langchain_script
from core.qa import load_qa
from core.sample import SAMPLE_DIR, SAMPLE_ID
from ui.actions import confirm_context_cost, index_with_progress
from ui.backend import current_generator
from ui.embedding_map import embedding_map
from ui.hits import highlighted_passage, hits_table
from ui.resources import get_store
from ui.retrieval_widgets import index_config_widgets, make_retriever, reranker_widgets, retrieval_config_widgets
from ui.retrieval_eval_view import qa_scoring_section, sweep_section
from ui.state import corpus_with_documents, end_page

st.title("Retrieval lab")
store = get_store()
corpus = corpus_with_documents(store)

st.caption("Chunking, embedding model and headers define the index (built once per corpus version and "
           "setting, then reused). Retrieval settings below never re-embed.")  # fmt: skip
generator = current_generator()
try:
    index_config = index_config_widgets(llm_model=generator.name if generator else None)
    doc_tags = {d.name: d.tags for d in corpus.documents}
    retrieval_config = retrieval_config_widgets([d.name for d in corpus.documents],
                                                tags=sorted({t for tags in doc_tags.values() for t in tags}))  # fmt: skip
    reranker = reranker_widgets()
except PlaygroundError as exc:
    st.error(str(exc))
    end_page()

with st.popover("Use this configuration in LangChain"):
    st.caption("A LangChain `BaseRetriever` (core.langchain_retriever.PlaygroundRetriever) with the settings "
               "above, except the reranker. Run the script from the project root.")  # fmt: skip
    script = langchain_script(corpus.corpus_id, index_config, retrieval_config)
    st.code(script, language="python")
    st.download_button("Download retriever_script.py", script, file_name="retriever_script.py")

if index_config.context_model and not confirm_context_cost(store, corpus, index_config):
    end_page()

qa_items = load_qa(SAMPLE_DIR / "qa.jsonl") if corpus.corpus_id == SAMPLE_ID else ()
with st.form("ask"):
    picked = None
    if qa_items:
        answerable = [i for i in qa_items if i.answerable]
        picked = st.selectbox("Pick a labelled question (optional)", [None, *answerable],
                              format_func=lambda i: "Type your own below" if i is None else f"[{i.type}] {i.question}")  # fmt: skip
    typed = st.text_input("Question", placeholder="e.g. How much notice is needed to terminate the mutual NDA?")
    asked = st.form_submit_button("Search", type="primary")

if asked:
    question = typed.strip() or (picked.question if picked else "")
    try:
        index = index_with_progress(corpus, index_config, generator)
        hits = make_retriever(index, retrieval_config, reranker, corpus, generator).retrieve(question, retrieval_config.top_k)
        st.session_state["retrieval_result"] = (question, picked if not typed.strip() else None, index_config, hits)
        st.session_state["retrieval_index"] = index  # kept for the embedding map; not saved in snapshots
    except PlaygroundError as exc:
        st.error(str(exc))

result = st.session_state.get("retrieval_result")
if result:
    question, item, used_config, hits = result
    used_index = st.session_state.get("retrieval_index")
    st.subheader(f"Top {len(hits)} for: {question}")
    if used_config != index_config:
        st.warning("The index settings changed since this search; press Search to run it again.")
    if item is not None:
        st.caption(f"Gold answer: {item.answer} · evidence in {', '.join(item.sources)}")
    if len(hits) < retrieval_config.top_k:
        st.info(f"Asked for the top {retrieval_config.top_k}; only {len(hits)} chunk(s) matched "
                "(the corpus or the filters leave fewer chunks).")  # fmt: skip
    st.dataframe(hits_table(hits), hide_index=True, width="stretch")
    documents = {}
    for hit in hits:
        name = hit.chunk.doc_name
        with st.expander(f"#{hit.rank} · {name} · {' > '.join(hit.chunk.section[-2:]) or 'no section'}"
                         + (f" · page {hit.chunk.page}" if hit.chunk.page else "")):  # fmt: skip
            if name not in documents:
                documents[name] = corpus.document(name) and store.load_document(corpus.corpus_id, name)
            if documents[name]:
                highlighted_passage(documents[name], hit)
            else:
                st.text(hit.chunk.text)
    if used_index is not None and used_index.config == used_config:
        with st.expander("Embedding map (PCA of every chunk, the question and the hits)"):
            embedding_map(used_index, question, hits)

if qa_items:
    qa_scoring_section(store, corpus, index_config, retrieval_config, reranker, qa_items, generator)
    sweep_section(store, corpus, index_config, retrieval_config, qa_items)
