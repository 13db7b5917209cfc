"""Fine-tuning page, step 1: build the dataset from the corpus, preview it, download it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import PlaygroundError
from core.finetune.dataset import DatasetSpec, build_dataset
from core.finetune.examples import preview_rows
from core.qa import load_qa
from core.sample import SAMPLE_DIR, SAMPLE_ID

DATASET = "ft_dataset"


def dataset_section(store, corpus, generator) -> None:
    st.subheader("1 · Dataset")
    qa_items = load_qa(SAMPLE_DIR / "qa.jsonl") if corpus.corpus_id == SAMPLE_ID else ()
    st.caption("Knowledge pairs come from the QA set's **train** split" + ("" if qa_items else " (none: this corpus has "
               "no QA set)") + "; rule questions are made from the text; style pairs from the sample memos or your "
               "file; RAFT examples mix the oracle chunk with distractors. No question of the QA set's **test** split "
               "ever reaches training.")  # fmt: skip
    with st.form("ft_dataset_form"):
        c = st.columns(5)
        knowledge = c[0].toggle("Knowledge QA", True, key="ft_knowledge")
        rule = c[1].toggle("Rule questions", True, key="ft_rule")
        style = c[2].toggle("Style pairs", True, key="ft_style")
        raft = c[3].toggle("RAFT", True, key="ft_raft")
        generated = c[4].toggle("LLM-generated", False, key="ft_generated", disabled=generator is None,
                                help="Needs an LLM backend in the sidebar." if generator is None else
                                "Asks the sidebar model for grounded question/answer pairs (costs tokens).")  # fmt: skip
        d = st.columns(5)
        n_rule = d[0].number_input("Rule questions", 1, 5000, 60, key="ft_n_rule")
        n_generated = d[1].number_input("Generated pairs", 1, 5000, 40, key="ft_n_generated")
        distractors = d[2].number_input("RAFT distractors", 1, 20, 3, key="ft_distractors")
        no_oracle = d[3].slider("RAFT share without oracle", 0.0, 1.0, 0.2, 0.05, key="ft_no_oracle")
        test_share = d[4].slider("Held-out share", 0.0, 0.5, 0.1, 0.05, key="ft_test_share")
        style_file = st.file_uploader("Style pairs file (JSONL or CSV: instruction/response, prompt/completion or "
                                      "messages); empty = the sample memos", type=["jsonl", "csv"], key="ft_style_file")  # fmt: skip
        go = st.form_submit_button("Build dataset", type="primary")
    if go:
        try:
            from core.finetune.style import load_style_rows

            spec = DatasetSpec(knowledge=knowledge, rule=rule, generated=generated and generator is not None,
                               style=style, raft=raft, n_rule=int(n_rule), n_generated=int(n_generated),
                               raft_distractors=int(distractors), raft_no_oracle_share=float(no_oracle),
                               test_share=float(test_share))  # fmt: skip
            rows = load_style_rows(style_file.name, style_file.getvalue()) if style_file is not None else None
            bar = st.progress(0.0, text="Building the dataset")
            dataset = build_dataset(store.load_documents(corpus.corpus_id), qa_items, spec, generator, rows,
                                    lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m))  # fmt: skip
            bar.empty()
            st.session_state[DATASET] = (corpus.corpus_id, corpus.fingerprint, dataset)
        except PlaygroundError as exc:
            st.error(str(exc))
    saved = st.session_state.get(DATASET)
    if saved and saved[0] == corpus.corpus_id:
        _show(saved[2], stale=saved[1] != corpus.fingerprint)


def _show(dataset, stale: bool) -> None:
    if stale:
        st.warning("The corpus changed since this dataset was built; build it again to train on the new text.")
    stats = pd.DataFrame([{"kind": k, **v} for k, v in dataset.stats.items()])
    c = st.columns(4)
    c[0].metric("Train examples", len(dataset.train))
    c[1].metric("Held-out examples", len(dataset.test))
    c[2].metric("Train tokens (cl100k)", f"{dataset.token_count('train'):,}",
                help="Message text counted with tiktoken cl100k; the base model's tokenizer and chat template differ.")
    c[3].metric("Dataset hash", dataset.hash)
    st.dataframe(stats, hide_index=True)
    for note in dataset.notes:
        st.caption(note)
    if dataset.generation_failures:
        st.warning(f"{len(dataset.generation_failures)} generation call(s) gave no usable pair; see the table below.")
        st.dataframe(pd.DataFrame(dataset.generation_failures, columns=["chunk", "problem"]), hide_index=True)
    kinds = st.multiselect("Show kinds", sorted(dataset.stats), default=sorted(dataset.stats), key="ft_preview_kinds")
    rows = [r for r in preview_rows(dataset.examples) if r["kind"] in kinds]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=300)
    left, right = st.columns(2)
    left.download_button("Download train JSONL (chat format)", dataset.jsonl("train"), "train.jsonl", "application/jsonl",
                         help="One {\"messages\": [...]} per line: OpenAI fine-tuning and TRL's SFTTrainer read it.")  # fmt: skip
    right.download_button("Download held-out JSONL", dataset.jsonl("test"), "test.jsonl", "application/jsonl")
