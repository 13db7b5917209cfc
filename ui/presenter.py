"""Presenter view for the Compare page: reveal the lanes one at a time in a walkthrough."""

from __future__ import annotations

import streamlit as st

REVEALED = "cmp_revealed"


PROJECTOR_CSS = """<style>
.stMainBlockContainer { font-size: 1.25rem; max-width: 100%; }
.stMainBlockContainer h4 { font-size: 1.7rem; }
.stMainBlockContainer [data-testid="stMarkdownContainer"] p { font-size: 1.25rem; line-height: 1.5; }
.stMainBlockContainer [data-testid="stCaptionContainer"] p { font-size: 1.05rem; }
</style>"""


def presenter_controls(results: list) -> tuple[int, bool]:
    """The layout toggles and reveal buttons; returns (how many lanes to show, projector layout on)."""
    left, right = st.columns(2)
    projector = left.toggle("Projector layout (3 x 2 grid, larger type)", key="cmp_projector",
                            help="Lanes in a 3 x 2 grid, larger type, answers first, details folded.")  # fmt: skip
    if projector:
        st.html(PROJECTOR_CSS)
    if not right.toggle("Presenter view: reveal the lanes one at a time", key="cmp_presenter",
                        help="For walkthroughs: ask the room to guess before each lane is shown."):  # fmt: skip
        return len(results), projector
    shown = min(st.session_state.get(REVEALED, 0), len(results))
    left, middle, right = st.columns([2, 1, 1])
    if shown < len(results):
        left.button(f"Reveal {results[shown].label} ({shown + 1} of {len(results)})", type="primary", key="cmp_next",
                    on_click=_reveal, args=(shown + 1,))  # fmt: skip
        middle.button("Reveal all", key="cmp_all", on_click=_reveal, args=(len(results),))
    right.button("Hide all", key="cmp_hide", disabled=shown == 0, on_click=_reveal, args=(0,))
    return shown, projector


def _reveal(count: int) -> None:
    """Button callbacks run before the rerun, so labels drawn in it already show the new count."""
    st.session_state[REVEALED] = count


def hidden_card(result, position: int) -> None:
    with st.container(border=True):
        st.markdown(f"**{result.label}**")
        st.caption(f"Lane {position + 1}: hidden until revealed. Charts and exports follow the last lane.")
