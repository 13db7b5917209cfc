"""The freshness demo: each lane answers a freshness question on the original sample
documents and on their newer versions (sample_docs/updates/), side by side.

Both versions are built in memory from the files (core.evaluation.freshness), so the
stored corpus is never changed: running the demo again gives the same table and adds
no corpus revision. Only the changed documents are chunked and embedded, once.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import PlaygroundError
from core.judging import judge
from core.sample import update_files
from ui.question_picker import type_label

RESULT = "freshness"


def freshness_section(qa_items, current, run_version) -> None:
    """`run_version(item, replacements)` runs the Compare lanes on the corpus with those
    document versions swapped in and returns the lane results; `current` is the question
    on screen (preselected when it is a freshness question)."""
    fresh = [i for i in qa_items if i.type == "freshness" and i.answer_after_update]
    if not fresh:
        return
    st.subheader("Freshness demo")
    names = ", ".join(p.name for p in update_files())
    st.caption(f"Newer versions of {names} change notice periods, fees and rates. RAG and long context read the "
               "new text at once; a fine-tuned adapter keeps what it learned until it is retrained. Both versions "
               "are built in memory: the stored corpus is not changed, so this can be run again and again.")  # fmt: skip
    default = next((n for n, i in enumerate(fresh) if current is not None and i.id == current.id), 0)
    item = st.selectbox("Freshness question (its answer changes with the updates)", fresh, index=default,
                        key="cmp_fresh_pick", format_func=lambda i: f"[{type_label(i.type)}] {i.question}")  # fmt: skip
    st.caption(f"Before: {item.answer}  ·  After: {item.answer_after_update}")
    if st.button("Answer before and after the updates", type="primary", key="cmp_fresh_go"):
        from core.evaluation.freshness import sample_versions

        try:
            originals, updates = sample_versions()
            before, after = run_version(item, originals), run_version(item, updates)
            st.session_state[RESULT] = (item.question, before, after, [d.name for d in updates])
        except PlaygroundError as exc:
            st.error(str(exc))
    saved = st.session_state.get(RESULT)
    if saved:
        _table(saved, {i.question: i for i in fresh})


def _table(saved, by_question) -> None:
    asked, old, new, changed = saved
    item = by_question.get(asked)
    st.markdown(f"**{asked}** · updated: {', '.join(changed) or 'none'}")
    text = lambda r: r.setup or r.error or (r.answer.text if r.answer else "")  # noqa: E731
    rows = []
    for a, b in zip(old, new):
        row = {"lane": a.label, "before the updates": text(a), "after the updates": text(b),
               "answer changed": "yes" if text(a) != text(b) else "no"}  # fmt: skip
        if item is not None and b.answer is not None:
            row["after: gives the new answer"] = "yes" if judge(b.answer, item, item.answer_after_update).correct else "no"
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
