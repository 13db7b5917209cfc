"""Retrieval lab: ask a question, see each stage's hits, score configurations on the QA set."""
import streamlit as st

from core.errors import PlaygroundError
from core.langchain_retriever import langchain_script
from core.qa import load_qa
from core.retrieval import check_query
from core.sample import SAMPLE_DIR, SAMPLE_ID
from ui.actions import confirm_context_cost, index_with_progress
from ui.backend import current_generator
from ui.embedding_map import embedding_map
from ui.hits import highlighted_passage, hits_table
from ui.resources import get_store
from ui.option_effects_view import option_effects
from ui.retrieval_widgets import index_config_widgets, make_retriever, reranker_widgets, retrieval_config_widgets
from ui.retrieval_eval_view import qa_scoring_section, sweep_section
from ui.question_picker import question_picker
from ui.state import corpus_with_documents, end_page

CHEAP = ("none", "mmr")  # rerankers that redraw in milliseconds; cross-encoder and LLM wait for Search

st.title("Retrieval lab")
store = get_store()
corpus = corpus_with_documents(store)

st.caption("Chunking, embedding model and headers define the index (built once per corpus version and "
           "setting, then reused). Retrieval settings below never re-embed.")  # fmt: skip
generator = current_generator()
effects = option_effects(store, corpus)
try:
    index_config = index_config_widgets(llm_model=generator.name if generator else None, effects=effects)
    doc_tags = {d.name: d.tags for d in corpus.documents}
    retrieval_config = retrieval_config_widgets([d.name for d in corpus.documents],
                                                tags=sorted({t for tags in doc_tags.values() for t in tags}),
                                                effects=effects)  # fmt: skip
    reranker = reranker_widgets(effects=effects)
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
question, picked = question_picker("rx", [i for i in qa_items if i.answerable],
                                   placeholder="e.g. How much notice is needed to terminate the mutual NDA?")  # fmt: skip
asked = st.button("Search", type="primary", key="rx_search")
settings_now = (retrieval_config, reranker)


def search(question, item, index) -> None:
    hits = make_retriever(index, retrieval_config, reranker, corpus, generator).retrieve(question, retrieval_config.top_k)
    st.session_state["retrieval_result"] = (question, item, index_config, hits)
    st.session_state["retrieval_used"] = settings_now
    st.session_state["retrieval_index"] = index  # kept for the embedding map; not saved in snapshots


if asked:
    try:
        check_query(question)
        search(question, picked, index_with_progress(corpus, index_config, generator))
    except PlaygroundError as exc:
        st.error(str(exc))

result = st.session_state.get("retrieval_result")
stale = None
if result and st.session_state.get("retrieval_used") != settings_now:
    used_index = st.session_state.get("retrieval_index")
    if result[2] == index_config and used_index is not None and used_index.config == index_config and reranker[0] in CHEAP:
        try:  # retrieval over the index in memory takes milliseconds: redraw under the new settings at once
            search(result[0], result[1], used_index)
            result = st.session_state["retrieval_result"]
        except PlaygroundError as exc:
            st.error(str(exc))
    else:
        stale = "the retrieval settings or the reranker changed since this search"
if result:
    question, item, used_config, hits = result
    used_index = st.session_state.get("retrieval_index")
    st.subheader(f"Top {len(hits)} for: {question}")
    if used_config != index_config:
        stale = "the index settings (chunking, embedding model or headers) changed since this search"
    if stale:
        st.warning(f"**Out of date: press Search.** These hits were drawn before {stale}.")
    if item is not None:
        st.caption(f"Gold answer: {item.answer} · evidence in {', '.join(item.sources)}")
    if len(hits) < retrieval_config.top_k:
        st.info(f"Asked for the top {retrieval_config.top_k}; only {len(hits)} chunk(s) matched "
                "(the corpus or the filters leave fewer chunks).")  # fmt: skip
    st.dataframe(hits_table(hits), hide_index=True, width="stretch")
    if any(h.stage("rerank") for h in hits) and st.session_state.get("retrieval_used", settings_now)[1][0] == "mmr":
        st.caption("MMR reorders for variety: its **rerank score** is only the pick order (30 = picked first), not a "
                   "relevance score; the dense, BM25 and fused columns hold the scores before reranking.")  # fmt: skip
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
        if st.toggle("Show the embedding map (PCA of every chunk, the question and the hits)", key="rx_map"):
            embedding_map(used_index, question, hits)

if qa_items:
    qa_scoring_section(store, corpus, index_config, retrieval_config, reranker, qa_items, generator)
    sweep_section(store, corpus, index_config, retrieval_config, qa_items)
