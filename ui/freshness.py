"""The freshness demo: apply sample_docs/updates, re-index only what changed, and show
each lane's answer before and after."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import PlaygroundError
from core.sample import apply_updates, load_sample, update_files
from ui.resources import get_store, ingest_config


def freshness_section(question: str, before: list, rerun) -> None:
    """`rerun(corpus_info)` runs the same lanes on the given corpus version."""
    store = get_store()
    st.subheader("Freshness demo")
    names = ", ".join(p.name for p in update_files())
    st.caption(f"Applies newer versions of {names} (changed notice periods, fees and rates). RAG and long context "
               "read the new text at once (only the changed documents are re-indexed); a fine-tuned adapter keeps "
               "what it learned until it is retrained.")  # fmt: skip
    left, right = st.columns(2)
    if left.button("Apply the updates and answer again", type="primary"):
        try:
            report = apply_updates(store, "sample", ingest_config())
            after = rerun(store.get("sample"))
            st.session_state["freshness"] = (question, before, after, [r.name for r in report.added])
        except PlaygroundError as exc:
            st.error(str(exc))
    if right.button("Restore the original documents", help="Adds the originals back as the newest versions."):
        from core.sample import SAMPLE_DIR
        from core.types import SourceFile

        originals = [SourceFile(p.name, (SAMPLE_DIR / p.name).read_bytes()) for p in update_files()]
        store.add_files("sample", originals, ingest_config())
        load_sample(store, ingest_config())
        st.session_state.pop("freshness", None)
        st.rerun()
    if "freshness" in st.session_state:
        asked, old, new, changed = st.session_state["freshness"]
        st.markdown(f"**{asked}** · new versions of: {', '.join(changed) or 'none (already applied)'}")
        rows = []
        for a, b in zip(old, new):
            text = lambda r: r.setup or r.error or (r.answer.text if r.answer else "")  # noqa: E731
            rows.append({"lane": a.label, "before": text(a), "after": text(b),
                         "changed": "yes" if text(a) != text(b) else "no"})  # fmt: skip
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
