"""Presenter view for the Compare page: reveal the lanes one at a time in a walkthrough."""

from __future__ import annotations

import streamlit as st

REVEALED = "cmp_revealed"


def presenter_controls(results: list) -> int:
    """The toggle and reveal buttons; returns how many lanes (from the left) to show."""
    if not st.toggle("Presenter view: reveal the lanes one at a time", key="cmp_presenter",
                     help="For walkthroughs: ask the room to guess before each lane is shown."):  # fmt: skip
        return len(results)
    shown = min(st.session_state.get(REVEALED, 0), len(results))
    left, middle, right = st.columns([2, 1, 1])
    if shown < len(results):
        left.button(f"Reveal {results[shown].label} ({shown + 1} of {len(results)})", type="primary", key="cmp_next",
                    on_click=_reveal, args=(shown + 1,))  # fmt: skip
        middle.button("Reveal all", key="cmp_all", on_click=_reveal, args=(len(results),))
    right.button("Hide all", key="cmp_hide", disabled=shown == 0, on_click=_reveal, args=(0,))
    return shown


def _reveal(count: int) -> None:
    """Button callbacks run before the rerun, so labels drawn in it already show the new count."""
    st.session_state[REVEALED] = count


def hidden_card(result, position: int) -> None:
    with st.container(border=True):
        st.markdown(f"**{result.label}**")
        st.caption(f"Lane {position + 1}: hidden until revealed. Charts and exports follow the last lane.")
