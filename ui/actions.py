"""Long-running actions started by buttons, shown with a progress bar."""

from __future__ import annotations

import streamlit as st

from core.sample import load_sample
from core.store import CorpusStore
from core.types import IngestReport, SourceFile
from ui.resources import ingest_config
from ui.state import set_active


def _bar(label: str):
    from core.progress import with_eta

    bar = st.progress(0.0, text=label)
    return bar, with_eta(lambda fraction, message: bar.progress(fraction, text=message))


def load_sample_with_progress(store: CorpusStore) -> IngestReport:
    bar, progress = _bar("Loading the sample corpus")
    info, report = load_sample(store, ingest_config(), progress)
    bar.empty()
    set_active(info.corpus_id)
    return report


def ingest_with_progress(store: CorpusStore, corpus_id: str, sources: list[SourceFile]) -> IngestReport:
    bar, progress = _bar(f"Ingesting {len(sources)} file(s)")
    report = store.add_files(corpus_id, sources, ingest_config(), progress)
    bar.empty()
    return report


def show_report(report: IngestReport) -> None:
    """One line per outcome: added, unchanged, warnings, errors."""
    if report.added:
        names = ", ".join(f"{r.name} (v{r.version})" for r in report.added)
        st.success(f"Added {len(report.added)}: {names}")
    if report.unchanged:
        st.info(f"Unchanged (same content already stored): {', '.join(report.unchanged)}")
    for issue in report.warnings:
        st.warning(issue.message)
    for issue in report.errors:
        st.error(issue.message)


def index_with_progress(corpus, config, generator=None):
    """The index for `corpus` and `config`; a progress bar shows while it is built."""
    from ui.resources import get_index

    from core.progress import with_eta

    slot = st.empty()
    index = get_index(corpus, config, with_eta(lambda f, m: slot.progress(f, text=m)), generator)
    slot.empty()
    if getattr(index.stats, "repaired", None):  # an interrupted build was finished just now
        st.info(index.stats.repaired)
    return index


def confirm_context_cost(store, corpus, config) -> bool:
    """Show what LLM chunk contexts will cost and return True once the user accepts it."""
    from core.index.estimate import estimate_context_cost

    key = ("ctx_estimate", corpus.fingerprint, config)
    if st.session_state.get("ctx_estimate_key") != key:
        st.session_state["ctx_estimate"] = estimate_context_cost(store, corpus.corpus_id, config, config.context_model)
        st.session_state["ctx_estimate_key"] = key
    e = st.session_state["ctx_estimate"]
    money = lambda d: "price unknown" if d is None else f"${d:,.2f}"  # noqa: E731
    st.warning(
        f"LLM chunk contexts with **{e.model}**: {e.calls:,} calls, {e.prompt_tokens:,} prompt tokens "
        f"({e.cacheable_tokens:,} of them a repeated document prefix that prompt caching can serve), about "
        f"{e.output_tokens_estimate:,} output tokens (estimate). Cost: {money(e.dollars_without_cache)} without "
        f"caching, {money(e.dollars_with_cache)} with it"
        + (f" ({e.price_source})." if e.price_source else ".")
        + " Documents indexed before with this setting are not sent again."
    )
    return st.checkbox("Run it: I accept this cost", key=f"accept_ctx_{corpus.fingerprint}_{config.key}")


def attach_page_context():
    """An initializer that lets worker threads update this page's placeholders (used only
    to stream lane answers into their own st.empty slots)."""
    import threading

    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

    context = get_script_run_ctx()
    return lambda: add_script_run_ctx(threading.current_thread(), context)
