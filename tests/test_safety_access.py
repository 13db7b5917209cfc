"""Access tags, property-tested: random tag assignments and viewers, many questions, every
lane as the pages (core.access.lane_context), the CLI (core.cli._lane_context) and
evaluation build it, long context and a freshness variant included. No lane may return,
quote or count the tokens of a document the viewer may not see. Seeded random, so a
failure reproduces."""

from __future__ import annotations

import argparse
import dataclasses
import random

import pytest

from core.access import MMR_RERANK, NO_RERANK, build_retrievers, lane_context, may_see
from core.config import IndexConfig, RetrievalConfig
from core.errors import ConfigError
from core.generation.extractive import ExtractiveReader
from core.index import build_index
from core.lanes import LANE_KINDS, LaneConfig, run_lanes
from core.retrieval import IndexRetriever
from core.types import Generation, SourceFile, TokenUsage

TAGS = ("hr", "legal", "finance")
TOPICS = ("leave", "travel", "billing", "security", "payroll", "contracts", "meals", "notice")


def _text(n: int) -> str:
    rng = random.Random(n)
    lines = [f"# Policy {n}"]
    for topic in rng.sample(TOPICS, 4):
        lines.append(f"The {topic} rule of policy {n} is that staff must follow secretword{n} for {topic} at all times. "
                     f"Every {topic} request under policy {n} needs approval within {n + 3} days.")  # fmt: skip
    return "\n\n".join(lines)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from core.store import CorpusStore

    store = CorpusStore(tmp_path_factory.mktemp("access"))
    cid = store.create("Access").corpus_id
    store.add_files(cid, [SourceFile(f"doc{n}.md", _text(n).encode()) for n in range(8)], _ingest())
    return store, cid, build_index(store, cid, IndexConfig())


def _ingest():
    from core.config import IngestConfig

    return IngestConfig()


class Echo:
    """A stand-in model that answers with its whole prompt: whatever it was shown, it quotes."""

    name = "echo"

    def generate(self, messages, max_tokens=None):
        text = "\n".join(m["content"] for m in messages)
        return Generation(text, self.name, TokenUsage(1, 1, 0, "test"), 0.0)


def _hidden_markers(info, viewer) -> set[str]:
    return {f"secretword{d.name[3:-3]}" for d in info.documents if not may_see(d.tags, viewer)}


def _leaks(result, markers: set[str]) -> list[str]:
    shown = [h.chunk.text for h in result.hits] + [h.chunk.doc_name for h in result.hits]
    if result.prompt:
        shown.append(result.prompt.context)
    if result.answer:
        shown += [result.answer.text] + [c.quote for c in result.answer.citations]
    return sorted(m for m in markers if any(m in s for s in shown))


def _cli_context(idx, documents, info, viewer, reader, generator):
    from core.cli import _lane_context

    args = argparse.Namespace(top_k=5, priced_as="gpt-4o-mini", viewer_tags=None if viewer is None else ",".join(viewer))
    return _lane_context(idx, documents, info, args, reader, generator)


@pytest.mark.slow
def test_no_lane_shows_a_document_the_viewer_may_not_see(corpus):
    from core.evaluation.freshness import variant

    store, cid, idx = corpus
    documents = store.load_documents(cid)
    reader = ExtractiveReader(idx.embedder)
    rng = random.Random(12)
    configs = [LaneConfig(k, top_k=rng.choice((3, 5, 8))) for k in LANE_KINDS]
    checked = 0
    for trial in range(16):
        for doc in store.get(cid).documents:  # random tags: some untagged, some with one or two tags
            store.set_tags(cid, doc.name, rng.sample(TAGS, rng.choice((0, 1, 1, 2))))
        info = store.get(cid)
        viewer = tuple(rng.sample(TAGS, rng.choice((0, 1, 2))))
        hidden = _hidden_markers(info, viewer)
        question = f"What is the {rng.choice(TOPICS)} rule of policy {rng.randrange(8)}?"
        generator = Echo() if trial % 2 else None
        config = RetrievalConfig(top_k=5, viewer_tags=viewer)
        update = dataclasses.replace(documents[trial % 8], text=documents[trial % 8].text + " Revised.",
                                     doc_id=f"{documents[trial % 8].doc_id[:-4]}beef")  # fmt: skip
        fresh_idx, fresh_docs = variant(idx, documents, [update])
        contexts = {
            "page": lane_context(idx, documents, info, config, (MMR_RERANK, NO_RERANK)[trial % 2], reader=reader,
                                 generator=generator, tuned=Echo(), evidence_docs={d.name for d in documents}),
            "cli": _cli_context(idx, documents, info, viewer, reader, generator),
            "freshness": lane_context(fresh_idx, fresh_docs, info, config, MMR_RERANK, reader=reader,
                                      generator=generator, tuned=Echo()),
        }  # fmt: skip
        for where, ctx in contexts.items():
            for result in run_lanes(question, ctx, configs):
                assert result.error is None, (where, result.kind, result.error)
                assert not _leaks(result, hidden), (trial, where, result.kind, viewer, _leaks(result, hidden))
                checked += 1
        run = _evaluate(contexts["page"], idx, documents, question)
        assert not any(m in str(run.records) for m in hidden), (trial, "evaluation")
    assert checked == 16 * 3 * len(LANE_KINDS)


def _evaluate(ctx, idx, documents, question):
    from core.evaluation.run import evaluate, gold_from_index
    from core.qa import QAItem

    item = QAItem(id="q1", question=question, answer="x", evidence=(), sources=(), type="lookup", split="test")
    return evaluate([item], ctx, [LaneConfig(k) for k in ("rag", "rag_rerank", "long_context")],
                    gold_from_index(idx, documents), idx.embedder)  # fmt: skip


def test_long_context_counts_only_visible_documents(corpus):
    store, cid, idx = corpus
    for n, doc in enumerate(store.get(cid).documents):
        store.set_tags(cid, doc.name, ["legal"] if n % 2 else [])
    info = store.get(cid)
    documents = store.load_documents(cid)
    reader = ExtractiveReader(idx.embedder)
    everyone = lane_context(idx, documents, info, RetrievalConfig(), reader=reader)
    viewer = lane_context(idx, documents, info, RetrievalConfig(viewer_tags=("hr",)), reader=reader)
    lanes = [LaneConfig("long_context")]
    full, limited = run_lanes("policy 3 notice?", everyone, lanes)[0], run_lanes("policy 3 notice?", viewer, lanes)[0]
    assert len(viewer.documents) == 4 and len(everyone.documents) == 8
    assert "secretword1" in full.prompt.context and "secretword1" not in limited.prompt.context
    assert limited.tokens.context < full.tokens.context * 0.7


def test_a_viewer_without_document_tags_is_refused(corpus):
    _, _, idx = corpus
    with pytest.raises(ConfigError, match="core.access"):
        IndexRetriever(idx, RetrievalConfig(viewer_tags=("hr",)))
    with pytest.raises(ConfigError, match="CorpusInfo"):
        build_retrievers(idx, {"doc1.md": ("hr",)}, RetrievalConfig())
