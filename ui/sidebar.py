"""The sidebar every page shares: active corpus, generation backend, workshop snapshot."""

from __future__ import annotations

import streamlit as st

from core.errors import PlaygroundError
from ui.backend import backend_sidebar
from ui.resources import get_store
from ui.state import ACTIVE_CORPUS, active_corpus, apply_next_active
from ui.workshop import restore_pending_controls, workshop_sidebar


def render_sidebar():
    """Draw the shared sidebar; returns a function that draws the workshop snapshot controls,
    to be called after the page ran, so that saving sees the results that page just made."""
    restore_pending_controls()  # a snapshot loaded on the last run: its controls, before any widget
    apply_next_active()  # a corpus made active on the last run (set_active)
    with st.sidebar:
        corpus = _corpus_section()
        backend_sidebar()
        slot = st.container()

    def workshop() -> None:
        with slot:
            workshop_sidebar(corpus)

    return workshop


def _corpus_section():
    """The active-corpus picker; returns the active CorpusInfo (None when there is none)."""
    try:
        corpora = get_store().list_corpora()
    except PlaygroundError as exc:
        st.error(str(exc))
        return None
    current = active_corpus(corpora)
    st.subheader("Active corpus")
    if current is None:
        st.caption("No corpus yet. Open **Corpus** and load the sample corpus.")
        return None
    names = {c.corpus_id: c.name for c in corpora}
    st.selectbox("Corpus", list(names), key=ACTIVE_CORPUS, format_func=names.get, label_visibility="collapsed")
    current = active_corpus(corpora)
    st.caption(f"{len(current.documents)} documents · {current.total_words:,} words · revision {current.revision}")
    return current
