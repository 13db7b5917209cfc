"""Workshop mode: save the session's results as a snapshot file and load one later.

A loaded snapshot puts each page's saved results back into session state, so the pages
show them without re-running (no model, no network). The corpus is referenced, not
copied: its documents must be on this machine for the pages that read them.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.errors import PlaygroundError

LOADED = "snapshot_loaded"  # (title, created_at, CorpusRef | None, settings) of the loaded snapshot
_SEEN = "snapshot_file_seen"
_PENDING = "snapshot_pending_settings"  # controls to restore at the start of the next run
# Buttons hold a value in session state but may not be given one (Streamlit refuses it).
_BUTTONS = {"cmp_next", "cmp_all", "cmp_hide", "rx_search", "cmp_run", "ev_generate", "ft_delete", "ft_delete_yes",
            "ft_eval", "ft_export", "ft_measure", "ft_preset_go", "ft_retrain", "ft_start", "ft_stop"}  # fmt: skip


def result_types() -> dict[str, Any]:
    """Session keys that hold results, and their types (imports kept lazy)."""
    from core.config import IndexConfig, RetrievalConfig
    from core.decide.costs import CostInputs
    from core.decide.rules import Recommendation, Situation
    from core.evaluation.records import EvalRun
    from core.lanes import LaneResult
    from core.qa import QAItem
    from core.types import Hit

    return {
        "compare": tuple[str, QAItem | None, list[LaneResult], set[str]],
        "freshness": tuple[str, list[LaneResult], list[LaneResult], list[str]],
        "retrieval_result": tuple[str, QAItem | None, IndexConfig, list[Hit]],
        "retrieval_used": tuple[RetrievalConfig, tuple[str, float, str]],
        "retrieval_scores_label": str,
        "retrieval_scores": "dataframe",
        "sweep_table": "dataframe",
        "eval_run": EvalRun,
        "decide": tuple[Situation, Recommendation],
        "decide_costs": tuple[CostInputs, int, str],
    }


def restore_pending_controls() -> None:
    """Put a loaded snapshot's control values back, before any widget of this run is drawn
    (a widget's value may not be changed once it is drawn), so results and controls agree."""
    pending = st.session_state.pop(_PENDING, None)
    if not pending:
        return
    triggers = _trigger_keys()
    for key, value in pending.items():
        if key in _BUTTONS or key in triggers or key.startswith("FormSubmitter"):
            continue
        st.session_state[key] = value


def _trigger_keys() -> set[str]:
    """Keys of buttons drawn in this session (their values are triggers), from Streamlit's widget records."""
    try:
        inner = st.session_state._state._state  # SafeSessionState -> SessionState
        meta, ids = inner._new_widget_state.widget_metadata, inner._key_id_mapper.id_key_mapping
        return {key for wid, key in ids.items() if wid in meta and "trigger" in meta[wid].value_type}
    except AttributeError:  # another Streamlit version: the known button keys still apply
        return set()


def _settings() -> dict[str, Any]:
    prefixes = ("cmp_", "rx_", "ev_", "dec_", "ft_", "ck_", "gen_backend", "llm_model", "llm_base", "local_")
    return {k: v for k, v in st.session_state.items() if isinstance(k, str) and k.startswith(prefixes)}


def workshop_sidebar(corpus) -> None:
    """Save and load controls, and a note when a snapshot is showing."""
    from core.snapshot import CorpusRef, decode, encode

    loaded = st.session_state.get(LOADED)
    with st.expander("Workshop snapshot", icon=":material/save:", expanded=loaded is not None):
        types = result_types()
        results = {k: st.session_state[k] for k in types if k in st.session_state}
        title = st.text_input("Title", "Workshop session", key="snapshot_title")
        ref = CorpusRef.of(corpus) if corpus is not None else None
        settings = _settings()
        st.download_button(  # data is built on click, from the references captured now
            "Save snapshot", lambda: encode(title, ref, settings, results, types), "playground-snapshot.json",
            "application/json", disabled=not results, on_click="ignore", width="stretch",
            help="Results of every page in this session (no documents, no API keys)." if results
            else "Run something first (Compare, Retrieval lab, Evaluate, Decide).",
        )  # fmt: skip
        upload = st.file_uploader("Load snapshot", type=["json"], key="snapshot_upload")
        if upload is not None and st.session_state.get(_SEEN) != upload.file_id:
            st.session_state[_SEEN] = upload.file_id
            try:
                snapshot = decode(upload.getvalue(), types)
            except PlaygroundError as exc:
                st.error(str(exc))
            else:
                for key in types:
                    st.session_state.pop(key, None)
                st.session_state.update(snapshot.results)
                st.session_state[_PENDING] = snapshot.settings
                st.session_state[LOADED] = (snapshot.title, snapshot.created_at, snapshot.corpus, snapshot.settings)
                if snapshot.skipped:
                    st.warning("Not readable by this version, skipped: " + ", ".join(snapshot.skipped))
                st.rerun()
        if loaded is not None:
            _loaded_note(loaded, corpus)


def _loaded_note(loaded, corpus) -> None:
    title, created_at, ref, settings = loaded
    st.success(f"Showing **{title}** (saved {created_at}). Pages show its results until you run them again.")
    if ref is not None and corpus is not None and ref.fingerprint != corpus.fingerprint:
        st.warning(f"Saved on corpus '{ref.name}' revision {ref.revision}; the active corpus "
                   f"'{corpus.name}' revision {corpus.revision} has different content.")  # fmt: skip
    with st.popover("Settings it was made with"):
        st.json(settings, expanded=False)
    if st.button("Close snapshot", help="Clears the saved results from this session."):
        for key in result_types():
            st.session_state.pop(key, None)
        st.session_state.pop(LOADED, None)
        st.rerun()
