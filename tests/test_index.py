"""Index build and reuse: chunk cache, Chroma vectors, BM25; incremental re-embedding."""

from __future__ import annotations

import pytest

from core.config import ChunkConfig, IndexConfig
from core.index import build_index
from core.types import SourceFile

DOCS = {
    "nda.md": "# Mutual NDA\n\nEither party may terminate this agreement on thirty days written notice. "
              "Confidential information must be returned within twenty days.",
    "expenses.md": "# Expenses Policy\n\nThe domestic meal per diem is $75 per day. Mileage is reimbursed at $0.67 per mile.",
    "leave.md": "# Leave Policy\n\nStaff accrue twenty vacation days per year. Parental leave is sixteen weeks paid.",
}  # fmt: skip
CONFIG = IndexConfig(chunk=ChunkConfig(strategy="recursive", chunk_size=64, chunk_overlap=8))


@pytest.fixture()
def corpus(store, config):
    cid = store.create("Tiny").corpus_id
    store.add_files(cid, [SourceFile(n, t.encode()) for n, t in DOCS.items()], config)
    return cid


def test_build_then_reuse_costs_nothing(store, corpus):
    first = build_index(store, corpus, CONFIG)
    assert first.stats.chunked_documents == 3 and first.stats.embedded_chunks == len(first.chunks) > 0
    again = build_index(store, corpus, CONFIG)
    assert again.stats.chunked_documents == 0 and again.stats.embedded_chunks == 0
    assert [c.chunk_id for c in again.chunks] == [c.chunk_id for c in first.chunks]


def test_changed_document_is_the_only_one_re_embedded(store, corpus, config):
    first = build_index(store, corpus, CONFIG)
    old_id = store.get(corpus).document("expenses.md").doc_id
    store.add_files(corpus, [SourceFile("expenses.md", DOCS["expenses.md"].replace("$75", "$90").encode())], config)
    second = build_index(store, corpus, CONFIG)
    changed = [c for c in second.chunks if c.doc_name == "expenses.md"]
    assert second.stats.chunked_documents == 1
    assert second.stats.embedded_chunks == len(changed)
    assert second.fingerprint != first.fingerprint
    vector = second.embedder.embed(["What is the meal per diem?"])[0]
    hits = second.dense.search(vector, 10, second.doc_ids)
    assert old_id not in {second.chunk(cid).doc_id for cid, _ in hits}
    assert "$90" in second.chunk(hits[0][0]).text
    old_hits = first.dense.search(vector, 1, first.doc_ids)
    assert "$75" in first.chunk(old_hits[0][0]).text, "the old version stays searchable"


def test_bm25_and_dense_find_the_right_document(store, corpus):
    index = build_index(store, corpus, CONFIG)
    bm25 = index.sparse.search("parental leave weeks", 3)
    assert index.chunk(bm25[0][0]).doc_name == "leave.md"
    assert [s for _, s in bm25] == sorted((s for _, s in bm25), reverse=True)
    allowed = {c.chunk_id for c in index.chunks if c.doc_name == "nda.md"}
    assert all(cid in allowed for cid, _ in index.sparse.search("parental leave notice", 5, allowed))
    dense = index.dense.search(index.embedder.embed(["How much notice to terminate?"])[0], 2, index.doc_ids)
    assert index.chunk(dense[0][0]).doc_name == "nda.md"


def test_contextual_headers_change_indexed_text_not_chunks(store, corpus):
    plain = build_index(store, corpus, CONFIG)
    headed = build_index(store, corpus, IndexConfig(chunk=CONFIG.chunk, contextual_headers=True, header_target="both"))
    assert [c.text for c in plain.chunks] == [c.text for c in headed.chunks]
    first = next(i for i, c in enumerate(headed.chunks) if c.doc_name == "nda.md")
    assert headed.indexed[first] == headed.chunks[first].text  # it holds its title and summary already
    assert plain.indexed[first] == plain.chunks[first].text


def test_headers_situate_later_chunks_and_can_go_to_one_side_only(store, corpus, config):
    body = " ".join(f"Clause {n} says the supplier keeps records for {n} years." for n in range(1, 30))
    text = f"# Retention Policy\n\nThis policy sets how long records are kept.\n\n## Schedule\n\n{body}"
    store.add_files(corpus, [SourceFile("retention.md", text.encode())], config)
    build_index(store, corpus, CONFIG)
    both = build_index(store, corpus, IndexConfig(chunk=CONFIG.chunk, contextual_headers=True, header_target="both"))
    later = [i for i, c in enumerate(both.chunks) if c.doc_name == "retention.md"][-1]
    assert both.indexed[later].startswith("Retention Policy > Schedule | This policy sets how long records are kept.")
    bm25_only = build_index(store, corpus, IndexConfig(chunk=CONFIG.chunk, contextual_headers=True, header_target="bm25"))
    assert bm25_only.config.key == CONFIG.key  # same vectors as no headers: nothing re-embedded
    assert bm25_only.stats.embedded_chunks == 0
    assert bm25_only.indexed[later] == bm25_only.chunks[later].text
    assert bm25_only.sparse_texts[later] == both.indexed[later]


def test_title_acronyms_let_bm25_find_a_document_by_the_acronym_others_use(store, corpus, config):
    msa = "# Master Services Agreement\n\n" + " ".join(f"Clause {n}: the supplier keeps records for {n} years." for n in range(40))
    memo = "# Memo\n\nThe MSA governs the records question; see the supplier's position."
    store.add_files(corpus, [SourceFile("msa.md", msa.encode()), SourceFile("memo.md", memo.encode())], config)
    on = build_index(store, corpus, IndexConfig(chunk=CONFIG.chunk))
    off = build_index(store, corpus, IndexConfig(chunk=CONFIG.chunk, title_acronyms=False))
    assert on.config.key == off.config.key and on.config.bm25_key != off.config.bm25_key  # BM25 only, no re-embedding
    later = [i for i, c in enumerate(on.chunks) if c.doc_name == "msa.md"][-1]
    assert on.sparse_texts[later].startswith("Master Services Agreement | ") and "| MSA\n" in on.sparse_texts[later]
    assert "MSA" not in off.sparse_texts[later]
    assert on.chunk(on.sparse.search("MSA clause 39", 1)[0][0]).doc_name == "msa.md"
    assert all("MSA" not in t for c, t in zip(on.chunks, on.sparse_texts) if c.doc_name == "nda.md")


def test_an_older_index_never_returns_newer_chunks(store, corpus, config):
    first = build_index(store, corpus, CONFIG)
    vector = first.embedder.embed(["What is the meal per diem?"])[0]
    assert first.dense_search(vector, 3, None)  # unfiltered fast path while only one version exists
    store.add_files(corpus, [SourceFile("expenses.md", DOCS["expenses.md"].replace("$75", "$90").encode())], config)
    second = build_index(store, corpus, CONFIG)
    old = first.dense_search(vector, 10, None)
    assert all(cid in {c.chunk_id for c in first.chunks} for cid, _ in old)
    assert "$75" in first.chunk(old[0][0]).text and "$90" in second.chunk(second.dense_search(vector, 1, None)[0][0]).text


class ContextWriter:
    name = "scripted/context"

    def __init__(self):
        self.prompts = []

    def generate(self, messages, max_tokens=None):
        from core.types import Generation, TokenUsage

        self.prompts.append(messages)
        return Generation("This chunk is from a   firm policy.", self.name, TokenUsage(10, 5), 0.0)


def test_llm_contexts_are_prepended_and_need_the_backend(store, corpus):
    from core.errors import ConfigError

    config = IndexConfig(chunk=CONFIG.chunk, context_model="scripted/context")
    with pytest.raises(ConfigError, match="need the generation backend 'scripted/context'"):
        build_index(store, corpus, config)
    writer = ContextWriter()
    index = build_index(store, corpus, config, generator=writer)
    assert len(writer.prompts) == len(index.chunks)
    first = writer.prompts[0][0]["content"]
    assert first.startswith("<document>\n") and "<chunk>" in first
    assert all(t.startswith("This chunk is from a firm policy.\n\n") for t in index.indexed)
    again = build_index(store, corpus, config, generator=writer)
    assert len(writer.prompts) == len(index.chunks) and again.stats.embedded_chunks == 0


def test_anthropic_prompts_mark_the_document_for_caching():
    from core.index.context import context_messages
    from core.types import Chunk, Document

    document = Document("d", "a.md", "A", "md", "Whole document text.", 20)
    chunk = Chunk("d:0", "d", "a.md", 0, "Whole", 0, 5, 1)
    parts = context_messages(document, chunk, "anthropic/claude-sonnet-4-5")[0]["content"]
    assert parts[0]["cache_control"] == {"type": "ephemeral"} and "<document>" in parts[0]["text"]
    assert isinstance(context_messages(document, chunk, "openai/gpt-4o-mini")[0]["content"], str)


def test_context_cost_is_estimated_before_running(store, corpus):
    from core.index.estimate import estimate_context_cost
    from core.pricing import price_for

    estimate = estimate_context_cost(store, corpus, CONFIG, "gpt-4o-mini")
    index = build_index(store, corpus, CONFIG)
    assert estimate.calls == len(index.chunks)
    assert estimate.prompt_tokens > estimate.cacheable_tokens >= 0
    price = price_for("gpt-4o-mini")
    assert estimate.dollars_without_cache == pytest.approx(
        estimate.prompt_tokens * price.input + estimate.output_tokens_estimate * price.output)
    assert estimate.dollars_with_cache <= estimate.dollars_without_cache
    assert estimate_context_cost(store, corpus, CONFIG, "unknown-provider/unknown-model").dollars_with_cache is None
