"""The measured effect of each Retrieval lab option on a labelled QA set.

Each option value is scored by the lab's own scoring (core.retrieval_eval) with every
other setting at the lab's default, and compared with the default configuration; the
page prints the difference next to the option ("+3.1 recall@10"). Results are cached on
disk under <data dir>/effects/, keyed by the corpus version, the QA items and the
option list, so they are computed once per corpus version. Options that change the
vectors (chunking, headers on the dense side) build their index once (cached like any index).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from core.config import IndexConfig, RetrievalConfig
from core.fsutil import atomic_write_json
from core.qa import QAItem

Progress = Callable[[float, str], None]
Setting = tuple[IndexConfig, RetrievalConfig, tuple[str, float, str]]
DEFAULT_RERANK = ("none", 0.7, "")
METRICS = ("recall@5", "recall@10", "MRR", "nDCG@10")
# option -> the values the lab offers (the default is whichever default_setting() has)
OPTIONS: dict[str, tuple] = {
    "mode": ("hybrid", "dense", "bm25"),
    "chunking": ("recursive", "sentence"),
    "fusion": ("rrf", "weighted", "zscore"),
    "headers": ("off", "both", "dense", "bm25"),
    "acronyms": (False, True),
    "tokenizer": ("words", "technical"),
    "stem": (False, True),
    "prf": (0, 10),
    "vector_prf": (0, 3),
    "reranker": ("none", "mmr"),
}


def default_setting() -> Setting:
    return IndexConfig(), RetrievalConfig(), DEFAULT_RERANK


def current(setting: Setting, option: str):
    """The value `option` has in `setting`."""
    index, retrieval, rerank = setting
    values = {"mode": retrieval.mode, "fusion": retrieval.fusion, "prf": retrieval.prf_terms,
              "vector_prf": retrieval.vector_prf, "tokenizer": index.sparse.tokenizer, "stem": index.sparse.stem,
              "headers": index.header_target if index.contextual_headers else "off", "reranker": rerank[0],
              "acronyms": index.title_acronyms, "chunking": index.chunk.strategy}  # fmt: skip
    return values[option]


def apply(setting: Setting, option: str, value) -> Setting:
    """The default setting with one option changed."""
    index, retrieval, rerank = setting
    if option in ("mode", "fusion"):
        return index, dataclasses.replace(retrieval, **{option: value}), rerank
    if option == "headers":
        on = value != "off"
        return dataclasses.replace(index, contextual_headers=on, header_target=value if on else "both"), retrieval, rerank
    if option == "chunking":
        return dataclasses.replace(index, chunk=dataclasses.replace(index.chunk, strategy=value)), retrieval, rerank
    if option == "acronyms":
        return dataclasses.replace(index, title_acronyms=value), retrieval, rerank
    if option in ("tokenizer", "stem"):
        return dataclasses.replace(index, sparse=dataclasses.replace(index.sparse, **{option: value})), retrieval, rerank
    if option == "prf":
        return index, dataclasses.replace(retrieval, prf_terms=value), rerank
    if option == "vector_prf":
        return index, dataclasses.replace(retrieval, vector_prf=value), rerank
    if option == "reranker":
        return index, retrieval, (value, 0.7, "")
    raise KeyError(option)


@dataclass(frozen=True)
class OptionEffects:
    """Scores of the default setting and of each (option, value), on `questions` items."""

    questions: int
    baseline: dict[str, float]
    scores: dict[str, dict[str, float]]  # "option=value" -> metrics

    def delta(self, option: str, value) -> dict[str, float] | None:
        found = self.scores.get(f"{option}={value}")
        return None if found is None else {m: found[m] - self.baseline[m] for m in METRICS}

    def label(self, option: str, value) -> str:
        """"default", or the change in points, e.g. "+3.1 recall@5, -1.0 recall@10"."""
        if value == current(default_setting(), option):
            return "default"
        delta = self.delta(option, value)
        if delta is None:
            return "not measured"
        return ", ".join(f"{100 * delta[m]:+.1f} {m}" for m in ("recall@5", "recall@10", "MRR"))


def effects_path(data_dir: Path, corpus_id: str, fingerprint: str, items: Sequence[QAItem]) -> Path:
    key = json.dumps({"items": sorted(i.id for i in items if i.answerable), "options": repr(OPTIONS),
                      "default": repr(default_setting()), "v": 1}, sort_keys=True)  # fmt: skip
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return data_dir / "effects" / f"{corpus_id[:40]}-{fingerprint}-{digest}.json"


def cached_effects(store, corpus_id: str, items: Sequence[QAItem]) -> OptionEffects | None:
    path = effects_path(store.root.parent, corpus_id, store.get(corpus_id).fingerprint, items)
    if not path.is_file():
        return None
    return OptionEffects(**json.loads(path.read_text("utf-8")))


def measure_effects(store, corpus_id: str, items: Sequence[QAItem], progress: Progress | None = None) -> OptionEffects:
    """Score the default and every option value (cached on disk; a rerun only loads)."""
    from core.index import build_index
    from core.retrieval_eval import evaluate_retrieval

    cached = cached_effects(store, corpus_id, items)
    if cached is not None:
        return cached
    report = progress or (lambda f, m: None)
    documents = {d.name: d for d in store.load_documents(corpus_id)}
    base = default_setting()
    runs = [("default", base)] + [(f"{option}={value}", apply(base, option, value)) for option, values in OPTIONS.items()
                                  for value in values if value != current(base, option)]  # fmt: skip
    scores: dict[str, dict[str, float]] = {}
    questions = 0
    for n, (name, (index_config, retrieval, rerank)) in enumerate(runs):
        report(n / len(runs), f"Scoring {name}")
        index = build_index(store, corpus_id, index_config)
        result = evaluate_retrieval(_retriever(index, retrieval, rerank), index.chunks, documents, items)
        questions = result.questions
        scores[name] = {"recall@5": result.recall_at(5), "recall@10": result.recall_at(10), "MRR": result.mrr,
                        "nDCG@10": result.ndcg_at_10}  # fmt: skip
    effects = OptionEffects(questions, scores.pop("default"), scores)
    path = effects_path(store.root.parent, corpus_id, store.get(corpus_id).fingerprint, items)
    atomic_write_json(path, dataclasses.asdict(effects))
    report(1.0, "Measured")
    return effects


def _retriever(index, retrieval: RetrievalConfig, rerank: tuple[str, float, str]):
    from core.rerank import MMRReranker, RerankingRetriever
    from core.retrieval import IndexRetriever

    base = IndexRetriever(index, retrieval, {})
    if rerank[0] == "mmr":
        return RerankingRetriever(base, MMRReranker(None, index.dense, rerank[1]), retrieval.candidates)
    return base
