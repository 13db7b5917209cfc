"""litellm generation against a real OpenAI-compatible server, and every failure mode."""

from __future__ import annotations

import pytest

from core.errors import BackendError, ConfigError
from core.generation import LiteLLMGenerator, LLMConfig
from tests.browser import free_port, json_stub
from tests.credentials import stand_in
from tests.llm_server import make_tiny_llama, transformers_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = make_tiny_llama(tmp_path_factory.mktemp("tiny") / "tiny-llama")
    with transformers_server(folder) as base:
        yield base, str(folder)


def test_generates_through_litellm_with_provider_usage(server):
    base, model = server
    generator = LiteLLMGenerator(LLMConfig(model=f"openai/{model}", api_base=base, max_tokens=6), api_key=stand_in("unused-by-local-server"))
    result = generator.generate([{"role": "user", "content": "Say hello."}])
    assert result.text.strip()
    assert result.usage.source == "provider" and result.usage.completion_tokens == 6 and result.usage.prompt_tokens > 0
    assert result.seconds > 0


def test_unreachable_server_is_explained_without_leaking_the_key():
    generator = LiteLLMGenerator(LLMConfig(model="openai/some-model", api_base=f"http://127.0.0.1:{free_port()}/v1",
                                           max_retries=0, timeout_s=120), api_key=stand_in("to-scrub"))  # fmt: skip
    with pytest.raises(BackendError) as caught:
        generator.generate([{"role": "user", "content": "hi"}])
    assert "cannot reach the model server at http://127.0.0.1" in str(caught.value)
    assert stand_in("to-scrub") not in str(caught.value)


def test_bad_configs_are_rejected():
    with pytest.raises(ConfigError):
        LLMConfig(model="  ")
    with pytest.raises(ConfigError):
        LLMConfig(model="openai/x", timeout_s=0)


def test_llm_contexts_and_llm_reranker_through_the_server(server, store, config):
    from core.config import ChunkConfig, IndexConfig, RetrievalConfig
    from core.index import build_index
    from core.rerank import LLMReranker, RerankingRetriever
    from core.retrieval import IndexRetriever
    from core.types import SourceFile
    from tests.test_index import DOCS

    base, model = server
    generator = LiteLLMGenerator(LLMConfig(model=f"openai/{model}", api_base=base, max_tokens=12), api_key=stand_in("unused-by-local-server"))
    cid = store.create("Tiny").corpus_id
    store.add_files(cid, [SourceFile(n, t.encode()) for n, t in DOCS.items()], config)
    index_config = IndexConfig(chunk=ChunkConfig(chunk_size=64, chunk_overlap=0), context_model=generator.name)
    index = build_index(store, cid, index_config, generator=generator)
    assert all(len(text) > len(chunk.text) for text, chunk in zip(index.indexed, index.chunks))
    reranker = LLMReranker(generator, workers=2)
    hits = RerankingRetriever(IndexRetriever(index, RetrievalConfig()), reranker, 5).retrieve("parental leave", 3)
    assert 1 <= len(hits) <= 3 and all(h.stage("rerank") for h in hits)
    assert reranker.usage and all(u.source == "provider" for u in reranker.usage)


def test_every_lane_through_litellm_and_the_server(server, store, config):
    from core.config import RetrievalConfig
    from core.generation.extractive import ExtractiveReader
    from core.index import build_index
    from core.lanes import LANE_KINDS, LaneConfig, LaneContext, run_lanes
    from core.retrieval import IndexRetriever
    from core.types import SourceFile
    from tests.test_index import CONFIG, DOCS

    base, model = server
    generator = LiteLLMGenerator(LLMConfig(model=f"openai/{model}", api_base=base, max_tokens=8), api_key=stand_in("unused-by-local-server"))
    cid = store.create("Tiny").corpus_id
    store.add_files(cid, [SourceFile(n, t.encode()) for n, t in DOCS.items()], config)
    index = build_index(store, cid, CONFIG)
    retriever = IndexRetriever(index, RetrievalConfig())
    ctx = LaneContext(retriever=retriever, reranked=None, documents=tuple(store.load_documents(cid)),
                      reader=ExtractiveReader(index.embedder), generator=generator, tuned=generator)  # fmt: skip
    results = run_lanes("How long is parental leave?", ctx, [LaneConfig(k) for k in LANE_KINDS])
    for result in results:
        assert result.error is None and result.answer.generator == f"openai/{model}", result.kind
        assert result.answer.usage.source == "provider" and result.tokens.completion == result.answer.usage.completion_tokens


def test_wrong_key_and_unknown_model_are_explained():
    """A stand-in OpenAI-compatible server on 127.0.0.1 that answers 401 (no real server
    checks keys offline), and a model string litellm cannot route."""
    rejection = {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                           "code": "invalid_api_key"}}  # fmt: skip
    with json_stub(401, rejection) as url:
        generator = LiteLLMGenerator(LLMConfig(model="openai/gpt-4o-mini", api_base=f"{url}/v1", max_retries=0),
                                     api_key=stand_in("rejected"))  # fmt: skip
        with pytest.raises(BackendError, match="API key was rejected") as caught:
            generator.generate([{"role": "user", "content": "hi"}])
        assert stand_in("rejected") not in str(caught.value)
    with pytest.raises(BackendError, match="no-such-provider/model: litellm does not know this provider"):
        LiteLLMGenerator(LLMConfig(model="no-such-provider/model", max_retries=0)).generate([{"role": "user", "content": "hi"}])


def test_missing_key_is_explained(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(BackendError, match="no API key"):
        LiteLLMGenerator(LLMConfig(model="openai/gpt-4o-mini", max_retries=0, timeout_s=120)).generate(
            [{"role": "user", "content": "hi"}])


def test_streaming_delivers_growing_text(server):
    base, model = server
    generator = LiteLLMGenerator(LLMConfig(model=f"openai/{model}", api_base=base, max_tokens=6), api_key=stand_in("unused-by-local-server"))
    seen: list[str] = []
    result = generator.generate([{"role": "user", "content": "Say hello."}], on_delta=seen.append)
    assert seen and seen[-1] == result.text and all(b.startswith(a) for a, b in zip(seen, seen[1:]))
    assert generator.first_token_seconds is not None and 0 < generator.first_token_seconds <= result.seconds
    assert result.usage.completion_tokens > 0
