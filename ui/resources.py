"""Long-lived objects behind st.cache_resource, keyed by what they depend on."""

from __future__ import annotations

import streamlit as st

from core.config import IngestConfig
from core.settings import data_dir
from core.store import CorpusStore


@st.cache_resource(show_spinner=False)
def _store(path: str) -> CorpusStore:
    from pathlib import Path

    return CorpusStore(Path(path))


def get_store() -> CorpusStore:
    """The corpus store for the current PLAYGROUND_DATA_DIR."""
    return _store(str(data_dir()))


def ingest_config() -> IngestConfig:
    return IngestConfig.from_env()
