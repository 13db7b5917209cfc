"""Compare: every approach answers the same question side by side."""

import streamlit as st

from core.access import lane_context
from core.errors import PlaygroundError
from core.judging import judge
from core.lanes import LABELS, LANE_KINDS, LaneConfig, run_lanes
from core.qa import load_qa
from core.report import run_to_html, run_to_json
from core.retrieval import check_query
from core.retrieval_eval import gold_for
from core.sample import SAMPLE_DIR, SAMPLE_ID
from ui.actions import attach_page_context, index_with_progress
from ui.backend import current_generator
from ui.freshness import freshness_section
from ui.tuned_picker import tuned_model_widgets
from ui.lane_card import lane_card
from ui.lane_charts import lane_charts
from ui.presenter import hidden_card, presenter_controls
from ui.resources import get_reader, get_store
from ui.retrieval_widgets import index_config_widgets, reranker_widgets, retrieval_config_widgets
from ui.state import corpus_with_documents

st.title("Compare approaches")
store = get_store()
corpus = corpus_with_documents(store)
generator = current_generator()
st.caption("Answering with **" + (generator.name if generator else "the extractive reader (no LLM)") + "** (sidebar). "
           "Tokens are counted and priced as the model below, so the offline reader's exact prompt is priced as "
           "the model it would be sent to.")  # fmt: skip

with st.expander("Retrieval settings (shared by the RAG lanes)"):
    index_config = index_config_widgets(key="cmp")
    retrieval_config = retrieval_config_widgets([d.name for d in corpus.documents], key="cmp",
                                                tags=sorted({t for d in corpus.documents for t in d.tags}))  # fmt: skip
    reranker = reranker_widgets(key="cmp")
with st.expander("Fine-tuned model (for the fine-tuned and hybrid lanes)"):
    tuned, tuned_note = tuned_model_widgets(corpus)
with st.expander("Price override ($ per 1M tokens)"):
    use_override = st.toggle("Use my prices instead of litellm's price map", key="cmp_override")
    pcols = st.columns(3)
    price_in = pcols[0].number_input("Input", 0.0, 1000.0, 0.15, 0.01, key="cmp_price_in")
    price_out = pcols[1].number_input("Output", 0.0, 1000.0, 0.60, 0.01, key="cmp_price_out")
    price_cached = pcols[2].number_input("Cached input (0 = none)", 0.0, 1000.0, 0.075, 0.005, key="cmp_price_cached")
    override = (price_in, price_out, price_cached or None) if use_override else None
cols = st.columns([3, 2, 1, 1])
lanes = cols[0].multiselect("Lanes", LANE_KINDS, default=list(LANE_KINDS), format_func=LABELS.get, key="cmp_lanes")
priced_as = cols[1].text_input("Priced as (litellm model)", generator.name if generator else "gpt-4o-mini", key="cmp_priced")
position = cols[2].selectbox("Evidence in long context", ["start", "middle", "end"], index=1, key="cmp_pos",
                             help="Where the documents holding the evidence sit in the long-context prompt (lost in the middle).")  # fmt: skip
truncate = cols[3].toggle("Truncate to fit", key="cmp_trunc", help="Long context: drop documents until it fits the window.")

qa_items = load_qa(SAMPLE_DIR / "qa.jsonl") if corpus.corpus_id == SAMPLE_ID else ()
with st.form("cmp_ask"):
    picked = None
    if qa_items:
        picked = st.selectbox("Pick a labelled question (optional)", [None, *qa_items], key="cmp_pick",
                              format_func=lambda i: "Type your own below" if i is None else f"[{i.type}] {i.question}")  # fmt: skip
    typed = st.text_input("Question", placeholder="e.g. What is the meal per diem for domestic travel?")
    go = st.form_submit_button("Run the lanes", type="primary")

def run_on(corpus_info, question: str, item):
    """Run the chosen lanes on one corpus version (index built or reused with a progress bar)."""
    index = index_with_progress(corpus_info, index_config, generator)
    ctx = lane_context(index, store.load_documents(corpus_info.corpus_id), corpus_info, retrieval_config, reranker,
                       reader=get_reader(index.embedder.name), generator=generator, priced_as=priced_as.strip() or "gpt-4o-mini",
                       evidence_docs=frozenset(item.sources if item else ()),
                       evidence_quotes=tuple(item.evidence) if item else (), tuned=tuned, tuned_note=tuned_note,
                       price_override=override)  # fmt: skip
    configs = [LaneConfig(k, top_k=retrieval_config.top_k, evidence_position=position, truncate=truncate) for k in lanes]
    live = st.container()
    slots = dict(zip(lanes, (column.empty() for column in live.columns(len(lanes))))) if generator else {}
    with st.spinner("Running the lanes" + (" (answers stream in as they arrive)" if slots else "")):
        results = run_lanes(question, ctx, configs, on_delta=(lambda kind, text: slots[kind].markdown(text)) if slots else None,
                            initializer=attach_page_context())  # fmt: skip
    live.empty()
    gold: set[str] = set()
    if item is not None and item.answerable:
        per_quote = gold_for(item, index.chunks, {d.name: d for d in ctx.documents})
        gold = set().union(*per_quote) if per_quote else set()
    return results, gold


if go:
    question = typed.strip() or (picked.question if picked else "")
    item = picked if not typed.strip() else None
    try:
        check_query(question)
        if not lanes:
            raise PlaygroundError("No lane is selected. Pick at least one lane above.")
        results, gold = run_on(corpus, question, item)
        st.session_state["compare"] = (question, item, results, gold)
        st.session_state["cmp_revealed"] = 0
    except PlaygroundError as exc:
        st.error(str(exc))

if "compare" in st.session_state:
    question, item, results, gold = st.session_state["compare"]
    st.subheader(question)
    if item is not None:
        st.caption(f"Gold answer: {item.answer}  ·  type {item.type}  ·  evidence in {', '.join(item.sources) or 'none (should abstain)'}")
    shown = presenter_controls(results)
    columns = st.columns(len(results)) if results else []
    for n, (column, result) in enumerate(zip(columns, results)):
        with column:
            if n >= shown:
                hidden_card(result, n)
                continue
            verdict = None
            if item is not None and result.answer is not None:
                v = judge(result.answer, item)
                found = bool(gold & {h.chunk.chunk_id for h in result.hits}) if result.hits else None
                verdict = (("✅ correct" if v.correct else "❌ not correct") + f" ({v.reason})"
                           + ("" if found is None else " · evidence retrieved" if found else " · evidence not retrieved"))  # fmt: skip
            lane_card(result, verdict)
    if shown == len(results):  # presenter view: charts and exports follow the last lane
        st.divider()
        lane_charts(results)
        settings = {"corpus": corpus.corpus_id, "corpus revision": corpus.revision, "priced as": priced_as,
                    "answered by": generator.name if generator else "extractive reader (no LLM)",
                    "index": index_config.key, "retrieval": retrieval_config, "reranker": reranker[0]}  # fmt: skip
        left, right = st.columns(2)
        left.download_button("Export JSON", run_to_json(question, results, settings), "compare.json", "application/json")
        right.download_button("Export HTML report", run_to_html(question, results, settings), "compare.html", "text/html")
        if corpus.corpus_id == SAMPLE_ID:
            freshness_section(question, results, lambda info: run_on(info, question, item)[0])
