"""AppTest: every page renders without exception; the sample corpus loads through the page."""

from __future__ import annotations

import functools

import pytest
from streamlit.testing.v1 import AppTest

from core.sample import sample_files
from tests.credentials import stand_in

TIMEOUT = 600  # per script run, sized to the slowest step (a training or index build) on a busy 2-core box


def app() -> AppTest:
    return AppTest.from_file("../app.py", default_timeout=TIMEOUT)


def with_sample(data_dir):
    """The sample corpus, with its default index already built (copied from one build)."""
    import shutil

    from core.store import CorpusStore

    shutil.copytree(prebuilt_sample(), data_dir, dirs_exist_ok=True)  # building it may create data_dir (model caches)
    return CorpusStore(data_dir)


@functools.lru_cache(maxsize=1)
def prebuilt_sample():
    import atexit
    import shutil
    import tempfile
    from pathlib import Path

    from core.config import IndexConfig, IngestConfig
    from core.index import build_index
    from core.sample import load_sample
    from core.store import CorpusStore

    root = Path(tempfile.mkdtemp(prefix="prebuilt-sample-")) / "data"
    atexit.register(shutil.rmtree, root.parent, True)
    store = CorpusStore(root)
    load_sample(store, IngestConfig())
    build_index(store, "sample", IndexConfig())
    return root


def on_page(page: str) -> AppTest:
    at = app().run()
    at.switch_page(page).run()
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_sidebar_shows_active_corpus_and_backend(data_dir):
    with_sample(data_dir)
    at = app().run()
    assert at.sidebar.selectbox[0].options == ["Sample: Harrow & Vale LLP"]
    assert any(f"{len(sample_files())} documents" in c.value for c in at.sidebar.caption)


def test_home_renders_welcome_on_first_run(data_dir):
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "RAG vs Fine-Tuning Playground"
    assert any("No corpus yet" in c.value for c in at.sidebar.caption)
    assert at.sidebar.radio(key="gen_backend").value == "Extractive reader (no LLM)"
    button(at, "Load the sample corpus").click().run()
    assert not at.exception
    assert "The active corpus is **Sample: Harrow & Vale LLP**" in " ".join(m.value for m in at.markdown)


def test_corpus_page_empty_state(data_dir):
    at = on_page("app_pages/corpus.py")
    assert not at.exception
    assert any("No corpus yet" in i.value for i in at.info)


def test_corpus_page_loads_sample_and_previews(data_dir):
    at = on_page("app_pages/corpus.py")
    button(at, "Load the sample corpus").click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Documents"] == str(len(sample_files()))
    assert int(metrics["Words"].replace(",", "")) >= 60_000
    table = at.dataframe[0].value
    assert len(table) == len(sample_files())
    assert set(table["format"]) >= {"md", "txt", "pdf", "docx", "html"}
    assert any(s.value.startswith("Added") for s in at.success)
    at.selectbox(key="preview_doc").select("saas_subscription_agreement.pdf").run()
    assert not at.exception
    preview = at.code[0].value
    assert preview.startswith("--- page 1 ---") and "--- page 2 ---" in preview


def test_create_rename_delete_corpus_through_the_page(data_dir):
    at = on_page("app_pages/corpus.py")
    at.text_input[0].input("Client contracts")
    next(b for b in at.button if b.label == "Create corpus").click().run()
    assert not at.exception
    assert any("This corpus is empty" in i.value for i in at.info)
    rename = next(t for t in at.text_input if t.label == "Rename the active corpus")
    rename.input("Vendor contracts")
    next(b for b in at.button if b.label == "Rename").click().run()
    assert at.checkbox[0].label == "Yes, delete 'Vendor contracts' and all its documents"
    at.checkbox[0].check().run()
    button(at, "Delete corpus").click().run()
    assert not at.exception
    assert any("No corpus yet" in i.value for i in at.info)


@pytest.mark.parametrize("page", ["app_pages/home.py", "app_pages/corpus.py"])
def test_pages_render_with_a_corpus(data_dir, page):
    with_sample(data_dir)
    at = on_page(page)
    assert not at.exception


def test_retrieval_page_searches_and_scores(data_dir):
    with_sample(data_dir)
    at = on_page("app_pages/retrieval.py")
    assert not at.exception
    next(t for t in at.text_input if t.label == "Question").input("How much is the domestic meal per diem?")
    button(at, "Search").click().run()
    assert not at.exception, at.exception
    hits = at.dataframe[0].value
    assert 1 <= len(hits) <= 5 and {"dense rank", "bm25 rank", "fused rank"} <= set(hits.columns)
    assert "expenses_policy.txt" in set(hits["document"])
    assert len(at.get("plotly_chart")) == 0, "the embedding map waits for its toggle (it reads every vector)"
    at.toggle(key="rx_map").set_value(True).run()
    assert len(at.get("plotly_chart")) == 1, "the embedding map is drawn"
    at.slider(key="rx_k").set_value(3).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 3, "a cheap retrieval change redraws the hits at once"
    assert not any("Out of date" in w.value for w in at.warning)
    button(at, "Score").click().run()
    assert not at.exception
    scores = at.dataframe[-1].value
    assert list(scores["configuration"]) == ["dense", "bm25", "hybrid (RRF)", "hybrid (weighted)", "hybrid (z-score)"]
    assert scores["recall@10"].between(0.3, 1.0).all()
    at.selectbox(key="rx_rerank").select("mmr").run()
    button(at, "Search").click().run()
    assert not at.exception and {"rerank rank", "moved"} <= set(at.dataframe[0].value.columns)
    at.selectbox(key="rx_rerank").select("cross-encoder").run()
    at.text_input(key="rx_ce").input("no-such-org/missing-cross-encoder").run()
    button(at, "Search").click().run()
    assert not at.exception
    assert any("could not be loaded" in e.value for e in at.error)


def test_retrieval_page_without_documents(data_dir):
    at = on_page("app_pages/retrieval.py")
    assert not at.exception
    assert any("No documents yet" in i.value for i in at.info)


@pytest.mark.parametrize("strategy", ["fixed_tokens", "recursive", "sentence", "markdown_headers", "semantic"])
def test_chunking_page_every_strategy(data_dir, strategy):
    with_sample(data_dir)
    at = on_page("app_pages/chunking.py")
    at.selectbox(key="ck_doc").select("memo_saas_price_increase.pdf").run()
    at.selectbox(key="ck_strategy").select(strategy).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Chunks"]) >= 2
    table = at.dataframe[0].value
    assert len(table) == int(metrics["Chunks"]) and table["tokens"].max() <= 256 + 3
    assert "chunk" in at.code[0].value


def test_llm_backend_errors_show_in_the_page_and_contexts_ask_for_cost(data_dir):
    from core.config import IngestConfig
    from core.store import CorpusStore
    from core.types import SourceFile
    from tests.browser import free_port
    from tests.test_index import DOCS

    store = CorpusStore(data_dir)
    cid = store.create("Tiny").corpus_id
    store.add_files(cid, [SourceFile(n, t.encode()) for n, t in DOCS.items()], IngestConfig())
    at = on_page("app_pages/retrieval.py")
    at.sidebar.radio(key="gen_backend").set_value("LLM via litellm").run()
    at.sidebar.text_input(key="llm_model").input("openai/tiny").run()
    at.sidebar.text_input(key="llm_base").input(f"http://127.0.0.1:{free_port()}/v1").run()
    at.sidebar.text_input(key="llm_key").input(stand_in("never-shown")).run()
    at.selectbox(key="rx_rerank").select("llm").run()
    next(t for t in at.text_input if t.label == "Question").input("parental leave?")
    button(at, "Search").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "cannot reach the model server" in errors and stand_in("never-shown") not in errors
    at.toggle(key="rx_llmctx").set_value(True).run()
    assert not at.exception
    assert any("LLM chunk contexts with **openai/tiny**" in w.value for w in at.warning)
    assert not any(b.label == "Search" for b in at.button), "nothing runs before the cost is accepted"
    at.toggle(key="rx_llmctx").set_value(False).run()
    at.select_slider(key="rx_size").set_value(64).run()
    at.select_slider(key="rx_overlap").set_value(128).run()
    assert any("Overlap 128 is over half the chunk size 64; using 32" in w.value for w in at.warning)
    at.sidebar.radio(key="gen_backend").set_value("Extractive reader (no LLM)").run()
    at.selectbox(key="rx_rerank").select("none").run()
    at.slider(key="rx_k").set_value(20).run()
    next(t for t in at.text_input if t.label == "Question").input("parental leave?")
    button(at, "Search").click().run()
    assert not at.exception
    assert any("Asked for the top 20; only" in i.value for i in at.info)


def test_compare_page_runs_all_six_lanes_on_the_sample(data_dir):
    with_sample(data_dir)
    at = on_page("app_pages/compare.py")
    assert not at.exception
    at.selectbox(key="cmp_pick").select_index(1)
    button(at, "Run the lanes").click().run()
    assert not at.exception, at.exception
    headers = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert headers == ["#### Closed book", "#### RAG", "#### RAG + rerank", "#### Long context", "#### Fine-tuned",
                       "#### Hybrid (adapter + RAG)"]  # fmt: skip
    assert sum("No fine-tuned model is configured" in i.value for i in at.info) == 2
    assert any("per query as gpt-4o-mini" in m.value for m in at.markdown)
    assert any(m.value.startswith((":green-badge[**Correct**]", ":red-badge[**Not correct**]")) for m in at.markdown)
    assert len(at.get("plotly_chart")) >= 4 + 4, "a token bar per answering lane plus the cross-lane charts"
    at.selectbox(key="cmp_pick").select_index(0)
    next(t for t in at.text_input if t.label == "Question").input("   ")
    button(at, "Run the lanes").click().run()
    assert any("is empty" in e.value for e in at.error)


def test_compare_freshness_demo_and_exports(data_dir):
    from core.qa import load_qa
    from core.sample import SAMPLE_DIR

    store = with_sample(data_dir)
    per_diem = next(i for i in load_qa(SAMPLE_DIR / "qa.jsonl") if i.type == "freshness" and "per diem" in i.question.lower())
    at = on_page("app_pages/compare.py")
    at.multiselect(key="cmp_lanes").set_value(["rag", "long_context", "fine_tuned"])
    at.selectbox(key="cmp_pick").set_value(per_diem)
    button(at, "Run the lanes").click().run()
    assert not at.exception, at.exception
    assert [b.label for b in at.get("download_button")][:2] == ["Export JSON", "Export HTML report"]
    revision = store.get("sample").revision
    assert at.selectbox(key="cmp_fresh_pick").value == per_diem, "the freshness demo offers the question on screen"
    for _ in range(2):  # idempotent: the same table each time, and the stored corpus never changes
        button(at, "Answer before and after the updates").click().run()
        assert not at.exception, at.exception
        table = at.dataframe[-1].value
        rag = table[table["lane"] == "RAG"].iloc[0]
        assert "$75" in rag["before the updates"] and "$90" in rag["after the updates"] and rag["answer changed"] == "yes"
        assert table[table["lane"] == "Fine-tuned"].iloc[0]["answer changed"] == "no"
        assert store.get("sample").revision == revision


def test_compare_with_a_local_base_and_adapter(data_dir, tmp_path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from core.config import IngestConfig
    from core.store import CorpusStore
    from core.types import SourceFile
    from tests.llm_server import make_tiny_llama
    from tests.test_index import DOCS

    tiny = make_tiny_llama(tmp_path / "tiny")
    get_peft_model(AutoModelForCausalLM.from_pretrained(tiny), LoraConfig(r=4, target_modules=["q_proj"])).save_pretrained(tmp_path / "adapter")
    store = CorpusStore(data_dir)
    cid = store.create("Tiny").corpus_id
    store.add_files(cid, [SourceFile(n, t.encode()) for n, t in DOCS.items()], IngestConfig())
    at = on_page("app_pages/compare.py")
    at.sidebar.radio(key="gen_backend").set_value("Local transformers model").run()
    at.sidebar.text_input(key="local_model").input(str(tiny)).run()
    at.radio(key="cmp_tuned_kind").set_value("local base + PEFT adapter folder").run()
    at.text_input(key="cmp_tuned_base").input(str(tiny)).run()
    at.text_input(key="cmp_tuned_adapter").input(str(tmp_path / "adapter")).run()
    next(t for t in at.text_input if t.label == "Question").input("How long is parental leave?")
    button(at, "Run the lanes").click().run()
    assert not at.exception, at.exception
    assert not any("No fine-tuned model" in i.value for i in at.info)
    answered = [c.value for c in at.caption if c.value.startswith("Answered by")]
    assert len(answered) == 6 and sum(f"local:{tiny} + adapter adapter" in a for a in answered) == 2


def test_compare_presenter_view_reveals_lanes_one_at_a_time(data_dir):
    with_sample(data_dir)
    at = on_page("app_pages/compare.py")
    at.multiselect(key="cmp_lanes").set_value(["closed_book", "rag", "long_context"])
    at.selectbox(key="cmp_pick").select_index(1)
    button(at, "Run the lanes").click().run()
    at.toggle(key="cmp_presenter").set_value(True).run()
    assert not at.exception, at.exception
    headers = lambda: [m.value for m in at.markdown if m.value.startswith("#### ")]  # noqa: E731
    assert headers() == [] and not at.get("plotly_chart")
    assert sum("hidden until revealed" in c.value for c in at.caption) == 3
    button(at, "Reveal Closed book (1 of 3)").click().run()
    assert headers() == ["#### Closed book"] and [c.key for c in at.get("plotly_chart")] == ["tokens_closed_book"]
    button(at, "Reveal RAG (2 of 3)").click().run()
    assert headers() == ["#### Closed book", "#### RAG"]
    button(at, "Reveal all").click().run()
    assert len(headers()) == 3 and len(at.get("plotly_chart")) > 3 and not at.exception
    button(at, "Hide all").click().run()
    assert headers() == []


def test_decide_page_recommends_and_prices(data_dir):
    at = on_page("app_pages/decide.py")
    assert not at.exception
    button(at, "Recommend").click().run()
    assert not at.exception, at.exception
    assert at.subheader[0].value == "Recommendation: RAG"
    at.radio(key="dec_gap").set_value("behaviour")
    at.select_slider(key="dec_change").set_value("static")
    at.toggle(key="dec_cite").set_value(False)
    at.number_input(key="dec_examples").set_value(5_000)
    at.number_input(key="dec_latency").set_value(800)
    button(at, "Recommend").click().run()
    assert at.subheader[0].value == "Recommendation: Fine-tuning"
    assert any("example figures" in s.value for s in at.selectbox if isinstance(s.value, str))
    button(at, "Calculate").click().run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "year one $" in d.value.columns)
    assert set(table["approach"]) == {"RAG", "Fine-tuning", "Long context", "Hybrid (adapter + RAG)"}
    assert (table["year one $"] > table["setup $"]).all()
    assert len(at.get("plotly_chart")) == 2 and any("cheaper below" in c.value for c in at.caption)


def test_finetune_page_trains_an_adapter_that_compare_then_uses(data_dir, tmp_path):
    from tests.llm_server import make_tiny_llama

    store = with_sample(data_dir)
    tiny = make_tiny_llama(tmp_path / "tiny")
    at = on_page("app_pages/finetune.py")
    assert not at.exception
    for key in ("ft_rule", "ft_style", "ft_raft"):
        at.toggle(key=key).set_value(False)
    button(at, "Build dataset").click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Train examples"] == "58" and metrics["Held-out examples"] == "6"
    assert [b.label for b in at.get("download_button")][:2] == ["Download train JSONL (chat format)", "Download held-out JSONL"]
    at.text_input(key="ft_base").input(str(tiny)).run()
    at.number_input(key="ft_max_length").set_value(128).run()
    assert any(m.value.startswith("**Estimate:**") and "6 x 1,974,048 parameters" in m.value for m in at.markdown)
    button(at, "Start training").click().run()
    status = at.session_state["ft_job"][0].wait(900)
    assert status.state == "done" and status.losses, status.error
    at.run()
    assert not at.exception, at.exception
    assert any("Held-out loss" in s.value for s in at.success)
    table = next(d.value for d in at.dataframe if "adapter" in d.value.columns)
    assert list(table["fresh"]) == ["current"] and table["steps"][0] == status.step
    button(at, "Evaluate on the QA test split: base vs adapter vs adapter + RAG").click().run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("Test-split accuracy: base ") for s in at.success), [e.value for e in at.error]
    at.run()
    table = next(d.value for d in at.dataframe if "adapter" in d.value.columns)
    assert "–" not in table["QA acc. base / adapter / adapter + RAG"][0]
    at.switch_page("app_pages/compare.py").run()
    assert at.radio(key="cmp_tuned_kind").value == "adapter from the registry"
    at.multiselect(key="cmp_lanes").set_value(["fine_tuned", "hybrid"])
    next(t for t in at.text_input if t.label == "Question").input("How long is parental leave?")
    button(at, "Run the lanes").click().run()
    assert not at.exception, at.exception
    answered = [c.value for c in at.caption if c.value.startswith("Answered by")]
    assert len(answered) == 2, [e.value[-400:] for e in at.error]
    assert all(f"local:{tiny} + adapter lora-sample-1-" in a for a in answered)
    from core.config import IngestConfig
    from core.sample import apply_updates

    apply_updates(store, "sample", IngestConfig())
    at.run()
    assert any("the corpus has changed since" in w.value for w in at.warning)


def test_evaluate_page_scores_lanes_saves_and_compares_runs(data_dir):
    with_sample(data_dir)
    at = on_page("app_pages/evaluate.py")
    assert not at.exception
    at.number_input(key="ev_limit").set_value(6)
    at.multiselect(key="ev_lanes").set_value(["closed_book", "rag", "long_context"])
    button(at, "Run the evaluation").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value.set_index("lane")
    assert list(table.index) == ["Closed book", "RAG", "Long context"] and (table["questions"] == 6).all()
    assert table.loc["RAG", "recall@k"] >= 0 and pd_isna(table.loc["Long context", "recall@k"])
    assert table.loc["Long context", "prompt tokens"] > 50 * table.loc["RAG", "prompt tokens"] > 0
    assert table.loc["RAG", "$ per 1k queries"] > 0 and 0 <= table.loc["RAG", "accuracy"] <= 1
    assert len(at.get("plotly_chart")) == 2
    assert [b.label for b in at.get("download_button")][:2] == ["Export CSV (one row per question and lane)", "Export JSON"]
    button(at, "Run the evaluation").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="ev_run_base").value != at.selectbox(key="ev_run_cand").value
    assert any("Regressions" in w.value for w in at.warning) or any("No metric got worse" in s.value for s in at.success)
    at.switch_page("app_pages/decide.py").run()
    assert at.selectbox(key="dec_source").value.startswith("evaluation run")
    button(at, "Recommend").click().run()
    assert not at.exception, at.exception


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_snapshot_restores_saved_results_on_the_pages(data_dir):
    from core.snapshot import CorpusRef, decode, encode
    from ui.workshop import LOADED, result_types

    store = with_sample(data_dir)
    at = on_page("app_pages/compare.py")
    at.multiselect(key="cmp_lanes").set_value(["rag", "long_context"])
    at.selectbox(key="cmp_pick").select_index(1)
    button(at, "Run the lanes").click().run()
    saved = {k: at.session_state[k] for k in result_types() if k in at.session_state}
    data = encode("Demo", CorpusRef.of(store.get("sample")), {}, saved, result_types())
    snapshot = decode(data, result_types())
    fresh = on_page("app_pages/compare.py")
    for key, value in snapshot.results.items():
        fresh.session_state[key] = value
    fresh.session_state[LOADED] = (snapshot.title, snapshot.created_at, snapshot.corpus, snapshot.settings)
    fresh.run()
    assert not fresh.exception, fresh.exception
    assert [m.value for m in fresh.markdown if m.value.startswith("#### ")] == ["#### RAG", "#### Long context"]
    assert fresh.subheader[0].value == at.subheader[0].value
