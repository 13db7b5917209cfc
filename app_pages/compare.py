"""Compare: every approach answers the same question side by side."""

import streamlit as st

from core.access import lane_context
from core.errors import PlaygroundError
from core.labels import describe_index, describe_reranker, describe_retrieval, label
from core.lanes import LABELS, LANE_KINDS, LaneConfig, run_lanes
from core.qa import load_qa
from core.report import run_to_html, run_to_json
from core.retrieval import check_query
from core.retrieval_eval import gold_for
from core.verdicts import lane_verdicts
from core.sample import SAMPLE_DIR, SAMPLE_ID
from ui.actions import attach_page_context, index_with_progress
from core.generation.choice import is_local
from ui.backend import current_generator, generator_caption
from ui.context_budget import BUDGET_HELP, BUDGETS, budget_label
from ui.freshness import freshness_section
from ui.tuned_picker import tuned_model_widgets
from ui.lane_card import lane_card
from ui.lane_charts import lane_charts
from ui.presenter import hidden_card, presenter_controls
from ui.resources import get_reader, get_store
from ui.retrieval_widgets import index_config_widgets, reranker_widgets, retrieval_config_widgets
from ui.question_picker import question_picker, type_label
from ui.state import corpus_with_documents

RERANK_NOTE = ("The RAG + rerank lane uses the reranker chosen here. None is the default because no offline reranker "
               "improves retrieval on the sample QA set: MMR trades relevance for variety (the Retrieval lab's "
               "'Measure each option' shows by how much), and a "
               "cross-encoder needs its model on this machine. With none, the lane says it equals RAG.")
DEMO_QUESTION = "fin-13"  # the domestic meal per diem: a freshness question, so the freshness demo changes it

st.title("Compare approaches")
store = get_store()
corpus = corpus_with_documents(store)
generator = current_generator()
st.caption("Answering with " + generator_caption(generator) + " (sidebar). "
           "Tokens are counted and priced as the model below, so the offline reader's exact prompt is priced as "
           "the model it would be sent to.")  # fmt: skip

with st.expander("Retrieval settings (shared by the RAG lanes)"):
    index_config = index_config_widgets(key="cmp")
    retrieval_config = retrieval_config_widgets([d.name for d in corpus.documents], key="cmp",
                                                tags=sorted({t for d in corpus.documents for t in d.tags}))  # fmt: skip
    reranker = reranker_widgets(key="cmp")
    st.caption(RERANK_NOTE)
with st.expander("Fine-tuned model (for the fine-tuned and hybrid lanes)"):
    tuned, tuned_note = tuned_model_widgets(corpus)
with st.expander("Price override ($ per 1M tokens)"):
    use_override = st.toggle("Use my prices instead of litellm's price map", key="cmp_override")
    pcols = st.columns(3)
    price_in = pcols[0].number_input("Input", 0.0, 1000.0, 0.15, 0.01, key="cmp_price_in")
    price_out = pcols[1].number_input("Output", 0.0, 1000.0, 0.60, 0.01, key="cmp_price_out")
    price_cached = pcols[2].number_input("Cached input (0 = none)", 0.0, 1000.0, 0.075, 0.005, key="cmp_price_cached")
    override = (price_in, price_out, price_cached or None) if use_override else None
cols = st.columns([3, 2])
lanes = cols[0].multiselect("Lanes", LANE_KINDS, default=list(LANE_KINDS), format_func=LABELS.get, key="cmp_lanes")
priced_as = cols[1].text_input("Priced as (litellm model)", "gpt-4o-mini" if generator is None or is_local(generator)
                               else generator.name, key="cmp_priced")  # fmt: skip
cols = st.columns(3)
position = cols[0].selectbox("Evidence in long context", ["start", "middle", "end"], index=1, key="cmp_pos", format_func=label,
                             help="Where the documents holding the evidence sit in the long-context prompt (lost in the middle).")  # fmt: skip
context_budget = cols[1].selectbox("Long-context budget", BUDGETS, key="cmp_budget", format_func=budget_label,
                                   help=BUDGET_HELP)
truncate = cols[2].toggle("Truncate long context to fit", True, key="cmp_trunc",
                          help="Long context: keep the evidence and as many other documents as fit the answering model's window.")

qa_items = load_qa(SAMPLE_DIR / "qa.jsonl") if corpus.corpus_id == SAMPLE_ID else ()
demo = next((i for i in qa_items if i.id == DEMO_QUESTION), None)
question, picked = question_picker("cmp", qa_items, default=demo,
                                   placeholder="e.g. What is the meal per diem for domestic travel?")  # fmt: skip
if demo is not None and picked is demo:
    st.caption("The demo question: closed book cannot know the firm's per diem, RAG quotes it from the finance "
               "policy with a citation, long context finds it too but sends the whole corpus (see the token bars), "
               "and the freshness demo below changes the policy so you can watch each lane react.")  # fmt: skip
go = st.button("Run the lanes", type="primary", key="cmp_run")
used_now = repr((index_config, retrieval_config, reranker, lanes, priced_as, position, truncate, context_budget, override,
                 generator.name if generator else None, getattr(tuned, "name", tuned)))  # fmt: skip

def run_on(corpus_info, question: str, item, replacements=None):
    """Run the chosen lanes on the corpus (index built or reused with a progress bar), with
    `replacements` (other versions of some documents) swapped in, in memory, when given."""
    index = index_with_progress(corpus_info, index_config, generator)
    documents = store.load_documents(corpus_info.corpus_id)
    if replacements is not None:
        from core.evaluation.freshness import variant

        index, documents = variant(index, documents, replacements)
    ctx = lane_context(index, documents, corpus_info, retrieval_config, reranker,
                       reader=get_reader(index.embedder.name), generator=generator, priced_as=priced_as.strip() or "gpt-4o-mini",
                       evidence_docs=frozenset(item.sources if item else ()),
                       evidence_quotes=tuple(item.evidence) if item else (), tuned=tuned, tuned_note=tuned_note,
                       price_override=override)  # fmt: skip
    configs = [LaneConfig(k, top_k=retrieval_config.top_k, evidence_position=position, truncate=truncate,
                          context_budget=context_budget) for k in lanes]  # fmt: skip
    live = st.empty()  # a placeholder, so that live.empty() below really clears the streamed answers
    slots = dict(zip(lanes, (column.empty() for column in live.container().columns(len(lanes))))) if generator else {}
    stream = (lambda kind, text: slots[kind].markdown(f"**{LABELS[kind]}** · streaming\n\n{text}")) if slots else None
    with st.spinner("Running the lanes" + (" (answers stream in as they arrive)" if slots else "")):
        results = run_lanes(question, ctx, configs, on_delta=stream, initializer=attach_page_context())
    live.empty()
    gold: set[str] = set()
    if item is not None and item.answerable:
        per_quote = gold_for(item, index.chunks, {d.name: d for d in ctx.documents})
        gold = set().union(*per_quote) if per_quote else set()
    return results, gold


if go:
    try:
        check_query(question)
        if not lanes:
            raise PlaygroundError("No lane is selected. Pick at least one lane above.")
        results, gold = run_on(corpus, question, picked)
        st.session_state["compare"] = (question, picked, results, gold)
        st.session_state["compare_used"] = used_now
        st.session_state["cmp_revealed"] = 0
    except PlaygroundError as exc:
        st.error(str(exc))

if "compare" in st.session_state:
    question, item, results, gold = st.session_state["compare"]
    st.subheader(question)
    if st.session_state.get("compare_used", used_now) != used_now:
        st.warning("**Out of date: press Run the lanes.** These answers were made before the settings above changed "
                   "(lanes call models, so they are not re-run on their own).")  # fmt: skip
    if item is not None:
        st.markdown("**Gold answer:** " + item.answer.replace("$", "\\$"))
        st.caption(f"Labelled question {item.id} · {type_label(item.type)} · evidence in "
                   f"{', '.join(item.sources) or 'none (the lanes should abstain)'}")  # fmt: skip
    shown, projector = presenter_controls(results)
    verdicts = lane_verdicts(item, results, gold)
    per_row = 3 if projector or len(results) > 4 else max(len(results), 1)
    for start in range(0, len(results), per_row):
        row = results[start : start + per_row]
        for n, (column, result) in enumerate(zip(st.columns(per_row, border=projector), row), start=start):
            with column:
                if n >= shown:
                    hidden_card(result, n)
                else:
                    lane_card(result, verdicts.get(result.kind), projector)
    if shown == len(results):  # presenter view: charts and exports follow the last lane
        st.divider()
        lane_charts(results)
        settings = {"corpus": corpus.corpus_id, "corpus revision": corpus.revision, "priced as": priced_as,
                    "answered by": generator.name if generator else "extractive reader (no LLM)",
                    "index": f"{describe_index(index_config)} (key {index_config.key})",
                    "retrieval": describe_retrieval(retrieval_config), "reranker": describe_reranker(reranker)}  # fmt: skip
        left, right = st.columns(2)
        left.download_button("Export JSON", run_to_json(question, results, settings), "compare.json", "application/json")
        right.download_button("Export HTML report", run_to_html(question, results, settings, item, verdicts), "compare.html", "text/html")
    if corpus.corpus_id == SAMPLE_ID and shown == len(results):
        freshness_section(qa_items, item, lambda fresh, versions: run_on(corpus, fresh.question, fresh, versions)[0])
