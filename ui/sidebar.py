"""The sidebar every page shares: active corpus and generation backend."""

from __future__ import annotations

import streamlit as st

from core.errors import PlaygroundError
from ui.backend import backend_sidebar
from ui.resources import get_store
from ui.state import ACTIVE_CORPUS, active_corpus


def render_sidebar() -> None:
    with st.sidebar:
        _corpus_section()
        backend_sidebar()


def _corpus_section() -> None:
    try:
        corpora = get_store().list_corpora()
    except PlaygroundError as exc:
        st.error(str(exc))
        return
    current = active_corpus(corpora)
    st.subheader("Active corpus")
    if current is None:
        st.caption("No corpus yet. Open **Corpus** and load the sample corpus.")
        return
    names = {c.corpus_id: c.name for c in corpora}
    st.selectbox("Corpus", list(names), key=ACTIVE_CORPUS, format_func=names.get, label_visibility="collapsed")
    current = active_corpus(corpora)
    st.caption(f"{len(current.documents)} documents · {current.total_words:,} words · revision {current.revision}")
