"""Warm the app after its first page is drawn: load the default index of the active corpus
and run one query (loading the embedding model) in a background thread, so the first search answers in
seconds instead of paying for torch, sentence-transformers and Chroma on the click. Then the
extractive reader's sentence vectors of that index (core.index.sentences) are loaded, or
embedded and saved when there are at most PLAYGROUND_WARM_SENTENCES of them (default
20,000; 0: only load saved ones, as the tests do), so a room's first questions find them ready.

Only an index already on disk is loaded (`python -m core load-sample` builds the sample's
and its sentence vectors); no index is built here. The page's own get_index waits for the same lock, so
a search during the warm-up never loads twice. PLAYGROUND_WARMUP=0 turns it off (tests).
"""

from __future__ import annotations

import logging
import os
import threading

_LOG = logging.getLogger(__name__)
WARM_SENTENCES = 20_000  # more than this are not embedded in the background (about a minute or two on 2 cores)


def warm_sentences() -> int:
    """How many sentence vectors the warm-up may embed (PLAYGROUND_WARM_SENTENCES)."""
    raw = os.environ.get("PLAYGROUND_WARM_SENTENCES", "").strip()
    try:
        return max(0, int(raw)) if raw else WARM_SENTENCES
    except ValueError:
        _LOG.warning("PLAYGROUND_WARM_SENTENCES=%r is not a whole number; using %d.", raw, WARM_SENTENCES)
        return WARM_SENTENCES


_STARTED: set[tuple] = set()
_GUARD = threading.Lock()


def warmup_enabled() -> bool:
    return os.environ.get("PLAYGROUND_WARMUP", "1").strip() not in ("0", "false", "no", "off")


def start_warmup(corpus) -> threading.Thread | None:
    """Load the default index of `corpus` (a CorpusInfo) in the background, once per process,
    corpus version and data folder, when it is on disk. Returns the thread, if one started."""
    from core.config import IndexConfig
    from core.sample import default_index_ready
    from core.settings import data_dir
    from ui.resources import get_index, get_store

    if corpus is None or not corpus.documents or not warmup_enabled():
        return None
    key = (str(data_dir()), corpus.corpus_id, corpus.fingerprint)
    with _GUARD:
        if key in _STARTED:
            return None
        _STARTED.add(key)
    store = get_store()
    if not default_index_ready(store, corpus.corpus_id):
        return None
    thread = threading.Thread(target=_load, args=(get_index, corpus, IndexConfig()), name="playground-warmup",
                              daemon=True)  # fmt: skip
    thread.start()
    return thread


def _load(get_index, corpus, config) -> None:
    from core.config import RetrievalConfig
    from core.index.sentences import prepare_sentences
    from core.retrieval import IndexRetriever
    from core.settings import data_dir

    try:  # one query loads the embedding model (torch, sentence-transformers) and Chroma's query path
        index = get_index(corpus, config)
        IndexRetriever(index, RetrievalConfig()).retrieve("warm-up query", 1)
        cap = warm_sentences()
        if prepare_sentences(data_dir(), index, max_sentences=cap) is None:
            _LOG.info("Sentence vectors of %s not prepared: over %d sentences (the reader embeds as it goes).",
                      corpus.corpus_id, cap)  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - a failed warm-up only means the first search loads it itself
        _LOG.warning("Warm-up of the default index failed (the first search will load it): %s", exc)


def warm_active_corpus() -> None:
    """app.py calls this after the page: warm the active corpus's default index."""
    from core.errors import PlaygroundError
    from ui.resources import get_store
    from ui.state import active_corpus

    if not warmup_enabled():
        return
    try:
        start_warmup(active_corpus(get_store().list_corpora()))
    except PlaygroundError as exc:
        _LOG.warning("No warm-up: %s", exc)
