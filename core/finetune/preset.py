"""The workshop preset: one click trains a LoRA adapter whose change of behaviour is visible.

It trains the bundled SmolLM2-135M-Instruct (or any base given) on the corpus's knowledge
and rule examples, exactly in the fine-tuned lane's prompt (core.prompts.fine_tuned_prompt):
a short answer, a "Source: <file>" line, and the exact abstention reply for questions the
corpus cannot answer. The base model rambles and names no file; after 16 steps the adapter
answers in the short "Source:" format while its facts stay wrong (measured; it did not
reliably learn the abstention reply in so few steps): the lesson that fine-tuning teaches
behaviour, not knowledge. Short examples (max length 160 tokens) keep each step a
few seconds on a CPU. The settings were chosen by measuring on a 2-core machine (see
benchmarks/bench_train.py --preset); they are ordinary `DatasetSpec`/`TrainConfig` values
the page shows and the user may change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.config import ChunkConfig
from core.finetune.dataset import DatasetSpec, FineTuneDataset
from core.finetune.train import TrainConfig
from core.generation.bundled import BUNDLED_MODEL


@dataclass(frozen=True)
class Preset:
    """A named dataset spec and training config; `max_train` caps the training examples (and so the steps)."""

    name: str
    look_for: str
    spec: DatasetSpec
    config: TrainConfig
    max_train: int
    max_test: int

    def for_base(self, base_model: str) -> Preset:
        return replace(self, config=replace(self.config, base_model=base_model))

    @property
    def steps(self) -> int:
        """Training steps when the dataset fills `max_train` (fewer when it is smaller)."""
        return -(-self.max_train // self.config.batch_size) * self.config.epochs

    def select(self, dataset: FineTuneDataset) -> tuple[list[list[dict]], list[list[dict]]]:
        """(train, held-out) conversations: the first `max_train` and `max_test` of the built dataset."""
        return ([e.messages for e in dataset.train[: self.max_train]],
                [e.messages for e in dataset.test[: self.max_test]])  # fmt: skip


WORKSHOP = Preset(
    name="Workshop: answer format (knowledge + rule questions, LoRA)",
    look_for="Ask the fine-tuned lane a question: the base model rambles and names no file; the adapter answers "
    "in a sentence or two and ends with a 'Source: <file>' line, yet its facts (and often the file) are wrong. "
    "Feed it retrieved passages (the hybrid lane) and the facts come back.",
    spec=DatasetSpec(knowledge=True, rule=True, style=False, raft=False, n_rule=60, test_share=0.1,
                     chunk=ChunkConfig("recursive", 256, 32)),  # the chunks it was measured on  # fmt: skip
    config=TrainConfig(BUNDLED_MODEL, "lora", r=8, alpha=16, dropout=0.05,
                       target_modules=("q_proj", "k_proj", "v_proj", "o_proj"), epochs=1, learning_rate=2e-3,
                       max_length=160, batch_size=4),  # fmt: skip
    max_train=64,
    max_test=8,
)
