"""Session state in one place: which corpus is active."""

from __future__ import annotations

import streamlit as st

from core.sample import SAMPLE_ID
from core.types import CorpusInfo

ACTIVE_CORPUS = "active_corpus_id"


def active_corpus(corpora: list[CorpusInfo]) -> CorpusInfo | None:
    """The active corpus: the one chosen this session, else the sample, else the first."""
    if not corpora:
        return None
    by_id = {c.corpus_id: c for c in corpora}
    chosen = st.session_state.get(ACTIVE_CORPUS)
    if chosen not in by_id:
        chosen = SAMPLE_ID if SAMPLE_ID in by_id else corpora[0].corpus_id
        st.session_state[ACTIVE_CORPUS] = chosen
    return by_id[chosen]


_NEXT = "active_corpus_next"


def set_active(corpus_id: str) -> None:
    """Make `corpus_id` active from the next run (callers st.rerun()). The sidebar's picker holds
    the active id as its widget value and may already be drawn in this run, when Streamlit
    refuses a new value for it (the Corpus page's "Load the sample corpus" crashed on that)."""
    st.session_state[_NEXT] = corpus_id


def apply_next_active() -> None:
    """Called by the sidebar before it draws the picker."""
    if _NEXT in st.session_state:
        st.session_state[ACTIVE_CORPUS] = st.session_state.pop(_NEXT)


class PageEnd(Exception):
    """Ends a page early, like st.stop(), but lets app.py draw what follows the page (the
    workshop controls): after st.stop() Streamlit drops every further element of the run."""


def end_page():
    raise PageEnd


def corpus_with_documents(store):
    """The active corpus if it has documents; otherwise say where to get some and stop the page."""
    corpus = active_corpus(store.list_corpora())
    if corpus is None or not corpus.documents:
        st.info("No documents yet. Load the sample corpus or upload files on the **Corpus** page.")
        st.page_link("app_pages/corpus.py", label="Open the Corpus page", icon=":material/folder_open:")
        end_page()
    return corpus
