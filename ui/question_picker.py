"""One question box for the Retrieval lab and Compare: type a question, or pick a labelled one.

The text box always holds exactly the question that will be asked. Picking a labelled
question writes it into the box; editing the box afterwards makes it your own question
(the pick is cleared, so no gold answer is claimed for it). Nothing overrides silently.
"""

from __future__ import annotations

import streamlit as st

from core.qa import QAItem

OWN = None  # the "type my own" option of the picker


def _picked(key: str) -> None:
    item = st.session_state.get(f"{key}_pick")
    st.session_state[f"{key}_question"] = item.question if item is not None else ""


def _typed(key: str) -> None:
    item = st.session_state.get(f"{key}_pick")
    if item is not None and st.session_state.get(f"{key}_question", "").strip() != item.question:
        st.session_state[f"{key}_pick"] = OWN


def question_picker(key: str, items: tuple[QAItem, ...] | list[QAItem], default: QAItem | None = None,
                    placeholder: str = "") -> tuple[str, QAItem | None]:  # fmt: skip
    """(question, labelled item or None). `default` is preselected on the first visit."""
    if items and f"{key}_pick" not in st.session_state and default is not None:
        st.session_state[f"{key}_pick"] = default
        st.session_state[f"{key}_question"] = default.question
    item = None
    if items:
        item = st.selectbox(
            "Labelled question (from the QA set, with a gold answer)", [OWN, *items], key=f"{key}_pick",
            on_change=_picked, args=(key,),
            format_func=lambda i: "– none: I type my own question below –" if i is None else f"[{type_label(i.type)}] {i.question}",
        )  # fmt: skip
    question = st.text_input("Question", key=f"{key}_question", placeholder=placeholder, on_change=_typed, args=(key,))
    question = question.strip()
    if item is not None and question != item.question:  # typed in the same run as the pick changed
        item = None
    if items:
        st.caption(f"Asking the labelled question **{item.id}**: its gold answer is shown with the results."
                   if item is not None else "Asking your own question: there is no gold answer to check it against.")  # fmt: skip
    return question, item


TYPE_LABELS = {"lookup": "look-up", "multi_hop": "multi-hop", "summary": "summary",
               "out_of_corpus": "not in the corpus", "freshness": "freshness"}  # fmt: skip


def type_label(kind: str) -> str:
    return TYPE_LABELS.get(kind, kind.replace("_", " "))
