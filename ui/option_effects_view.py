"""The Retrieval lab's measured option labels: loaded from disk, or measured on request."""

from __future__ import annotations

import streamlit as st

from core.errors import PlaygroundError
from core.option_effects import cached_effects, measure_effects
from core.qa import load_qa
from core.sample import SAMPLE_DIR, SAMPLE_ID


def option_effects(store, corpus):
    """OptionEffects for the sample corpus (each option's change in recall@5, recall@10 and
    MRR against the lab's defaults), or None. Measuring is an explicit action, once per
    corpus version; the result is cached on disk."""
    if corpus.corpus_id != SAMPLE_ID:
        return None
    items = load_qa(SAMPLE_DIR / "qa.jsonl")
    effects = cached_effects(store, corpus.corpus_id, items)
    if effects is not None:
        st.caption(f"Options are labelled with their measured effect on the sample QA set ({effects.questions} "
                   "answerable questions, points against the default settings, scored by this lab's QA scoring).")  # fmt: skip
        return effects
    if st.button("Measure each option on the sample QA set", key="rx_measure",
                 help="Scores every option against the defaults with the QA scoring below (once per corpus "
                      "version; headers for the dense side embed the corpus once)."):  # fmt: skip
        bar = st.progress(0.0)
        try:
            effects = measure_effects(store, corpus.corpus_id, items, lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m))
        except PlaygroundError as exc:
            st.error(str(exc))
        bar.empty()
    return effects
