"""Long-lived objects behind st.cache_resource, keyed by what they depend on."""

from __future__ import annotations

import threading

import streamlit as st

from core.config import IngestConfig
from core.settings import data_dir
from core.store import CorpusStore

_MAX_INDEXES = 8


@st.cache_resource(show_spinner=False)
def _store(path: str) -> CorpusStore:
    from pathlib import Path

    return CorpusStore(Path(path))


def get_store() -> CorpusStore:
    """The corpus store for the current PLAYGROUND_DATA_DIR."""
    return _store(str(data_dir()))


def ingest_config() -> IngestConfig:
    return IngestConfig.from_env()


@st.cache_resource(show_spinner=False)
def _index_cache() -> tuple[dict, threading.Lock]:
    """Indexes built in this process, newest last. Built outside any cached function so
    the build can draw a progress bar (cached functions replay their elements)."""
    return {}, threading.Lock()


def get_index(corpus, config, progress=None, generator=None):
    """The index of `corpus` (a CorpusInfo) for `config`; built once per version and config."""
    from core.index import build_index

    cache, lock = _index_cache()
    key = (str(data_dir()), corpus.corpus_id, corpus.fingerprint, config)
    with lock:
        if key not in cache:
            cache[key] = build_index(get_store(), corpus.corpus_id, config, progress, generator)
            while len(cache) > _MAX_INDEXES:
                cache.pop(next(iter(cache)))
        return cache[key]


@st.cache_resource(show_spinner=False)
def get_reader(embedder_name: str):
    """One extractive reader per embedding model, so its sentence-vector cache survives
    from question to question (a new reader per run would re-embed every sentence)."""
    from core.embedding import SentenceTransformerEmbedder
    from core.generation.extractive import ExtractiveReader

    return ExtractiveReader(SentenceTransformerEmbedder(embedder_name))
