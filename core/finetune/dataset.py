"""A fine-tuning dataset built from a corpus: which sources go in (`DatasetSpec`), the
whole build (`build_dataset`) and its result (`FineTuneDataset`).

Sources, each a `kind` with its own module: "knowledge" (core.finetune.knowledge),
"rule" (core.finetune.rules), "generated" (core.finetune.generated), "style"
(core.finetune.style) and "raft" (core.finetune.raft); the split is core.finetune.split.
`build_dataset` chunks the documents with core.chunking directly, so no embedding index is
needed (the "semantic" strategy, which needs an embedder, is refused).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from core.config import ChunkConfig
from core.errors import ConfigError
from core.finetune import raft, style
from core.finetune.examples import KINDS, Example, Progress, overlaps, to_chat_jsonl
from core.finetune.generated import generated_pairs
from core.finetune.knowledge import knowledge_pairs
from core.finetune.rules import rule_pairs, rule_questions
from core.finetune.split import evaluation_evidence, split_examples
from core.qa import QAItem
from core.tokens import chunk_token_count
from core.types import Chunk, Document, TokenUsage


@dataclass(frozen=True)
class DatasetSpec:
    """Which sources go in and how. raft_no_oracle_target: "answer" (the RAFT paper: answer
    from memory) or "abstain" when no oracle is shown; raft_rule_questions: RAFT also uses
    the rule questions (oracle = their chunk), not only the QA train items;
    hide_test_evidence: rule sentences and generation chunks that hold a TEST-split evidence
    quote are skipped (a stricter closed-book experiment; memos, RAFT distractors and the
    knowledge answers may still carry that text)."""

    knowledge: bool = True
    rule: bool = True
    generated: bool = False
    style: bool = True
    raft: bool = True
    n_rule: int = 60
    n_generated: int = 40
    raft_distractors: int = 3
    raft_no_oracle_share: float = 0.2
    raft_no_oracle_target: Literal["answer", "abstain"] = "answer"
    raft_rule_questions: bool = True
    abstain_out_of_corpus: bool = True
    hide_test_evidence: bool = False
    test_share: float = 0.1
    seed: int = 0
    chunk: ChunkConfig = field(default_factory=ChunkConfig)

    def __post_init__(self) -> None:
        if not any((self.knowledge, self.rule, self.generated, self.style, self.raft)):
            raise ConfigError("No source is on: turn on at least one of knowledge, rule, generated, style, raft.")
        for name, low, high in (("n_rule", 1, 5000), ("n_generated", 1, 5000), ("raft_distractors", 1, 20)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(f"{name}={value!r} must be a whole number from {low} to {high}.")
        if not isinstance(self.raft_no_oracle_share, (int, float)) or not 0.0 <= self.raft_no_oracle_share <= 1.0:
            raise ConfigError(f"raft_no_oracle_share={self.raft_no_oracle_share!r} must be between 0 and 1 "
                              "(0.2 is usual).")  # fmt: skip
        if self.raft_no_oracle_target not in ("answer", "abstain"):
            raise ConfigError(f"raft_no_oracle_target={self.raft_no_oracle_target!r} is not one of answer, abstain.")
        if not isinstance(self.test_share, (int, float)) or not 0.0 <= self.test_share <= 0.5:
            raise ConfigError(f"test_share={self.test_share!r} must be between 0 and 0.5 (0.1 is usual).")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ConfigError(f"seed={self.seed!r} must be a whole number.")
        if not isinstance(self.chunk, ChunkConfig):
            raise ConfigError(f"chunk={self.chunk!r} must be a ChunkConfig.")
        if self.chunk.strategy == "semantic":
            raise ConfigError("chunk strategy 'semantic' needs an embedding model; pick recursive, sentence, "
                              "fixed_tokens or markdown_headers for dataset building.")  # fmt: skip

    @property
    def key(self) -> str:
        from core.config import stable_hash

        return stable_hash(self)


@dataclass(frozen=True)
class FineTuneDataset:
    """The built dataset. stats: {kind: {"train": n, "test": n}}; hash: 16 hex digits of the
    SHA-256 of both JSONL files; forced_test: examples held out because they match the
    evaluation test split; notes: what was skipped and why."""

    spec: DatasetSpec
    train: tuple[Example, ...]
    test: tuple[Example, ...]
    stats: dict[str, dict[str, int]] = field(hash=False)
    hash: str = ""
    forced_test: int = 0
    notes: tuple[str, ...] = ()
    generation_failures: tuple[tuple[str, str], ...] = ()
    generation_usage: TokenUsage | None = None

    @property
    def examples(self) -> tuple[Example, ...]:
        return self.train + self.test

    def jsonl(self, split: Literal["train", "test"] = "train") -> str:
        return to_chat_jsonl(self.train if split == "train" else self.test)

    def token_count(self, split: Literal["train", "test"] | None = None, model: str | None = None) -> int:
        """Tokens of all message texts (cl100k, or `model`'s tokenizer through litellm),
        without the chat template's few tokens per message."""
        from core.tokens import count_tokens

        chosen = self.examples if split is None else self.train if split == "train" else self.test
        count = chunk_token_count if model is None else (lambda text: count_tokens(text, model))
        return sum(count(content) for example in chosen for _, content in example.turns)


def dataset_hash(train: Sequence[Example], test: Sequence[Example]) -> str:
    payload = f"train\n{to_chat_jsonl(train)}test\n{to_chat_jsonl(test)}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def build_dataset(documents: Sequence[Document], qa_items: Sequence[QAItem], spec: DatasetSpec, generator=None,
                  style_rows=None, progress: Progress | None = None) -> FineTuneDataset:  # fmt: skip
    """Chunk `documents`, make every source `spec` turns on, and split leakage-safely
    against `qa_items`' test split. `style_rows` (core.finetune.style.StyleRow) replace the
    corpus memos as style examples; `generator` is needed for "generated" only."""
    from core.chunking import chunk_document

    report = progress or (lambda fraction, message: None)
    if not documents:
        raise ConfigError("No documents to build from: load a corpus (or the sample corpus) first.")
    if spec.generated and generator is None:
        raise ConfigError("Generated pairs need a generation backend: configure a model in the sidebar, or turn "
                          "'generated' off.")  # fmt: skip
    if style_rows and not spec.style:
        raise ConfigError("Style rows were uploaded but the style source is off: turn 'style' on or remove the file.")
    by_name = {d.name: d for d in documents}
    chunks: list[Chunk] = []
    for i, document in enumerate(documents):
        report(0.2 * i / len(documents), f"Chunking {document.name}")
        chunks.extend(chunk_document(document, spec.chunk))
    examples: list[Example] = []
    notes: list[str] = []
    if spec.knowledge:
        examples += knowledge_pairs(qa_items, by_name, spec.abstain_out_of_corpus)
    avoid = evaluation_evidence(qa_items) if spec.hide_test_evidence else ()
    wants_rules = spec.rule or (spec.raft and spec.raft_rule_questions)
    questions = rule_questions(chunks, by_name, spec.n_rule, spec.seed, avoid) if wants_rules else []
    if spec.rule:
        examples += rule_pairs(questions)
        if len(questions) < spec.n_rule:
            notes.append(f"rule: {len(questions)} of the {spec.n_rule} asked for (no more informative sentences).")
    made = None
    if spec.generated:
        usable = [c for c in chunks if not overlaps(c.text, avoid)] if avoid else chunks
        made = generated_pairs(usable, generator, spec.n_generated, lambda f, m: report(0.25 + 0.55 * f, m), spec.seed)
        examples += made.examples
        notes += [f"generated: {len(made.failures)} failure(s) over {made.calls} call(s)."] if made.failures else []
    if spec.style:
        report(0.85, "Style examples")
        rows = tuple(style_rows) if style_rows else style.memo_rows(documents)
        examples += style.style_examples(rows)
        notes += [] if rows else ["style: no memo (TO:/FROM:/RE: header) in the corpus and no rows uploaded."]
    if spec.raft:
        report(0.9, "RAFT examples")
        seeds, skipped = raft.qa_seeds(qa_items, chunks, by_name)
        seeds += raft.rule_seeds(questions) if spec.raft_rule_questions else []
        examples += raft.raft_examples(seeds, chunks, spec.raft_distractors, spec.raft_no_oracle_share, spec.seed,
                                       spec.raft_no_oracle_target)  # fmt: skip
        notes += [f"raft: evidence not found for {', '.join(skipped)}; skipped."] if skipped else []
    train, test, forced = split_examples(examples, qa_items, spec.test_share, spec.seed)
    stats = {kind: {"train": sum(e.kind == kind for e in train), "test": sum(e.kind == kind for e in test)}
             for kind in KINDS if getattr(spec, kind)}  # fmt: skip
    report(1.0, f"{len(train)} train and {len(test)} test examples")
    return FineTuneDataset(spec, train, test, stats, dataset_hash(train, test), forced, tuple(notes),
                           made.failures if made else (), made.usage if made else None)  # fmt: skip
