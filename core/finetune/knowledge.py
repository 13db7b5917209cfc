"""Knowledge examples: the TRAIN split of a QA set, the gold answer plus a Source line;
out-of-corpus items teach abstention (the exact ABSTAIN reply the lanes detect)."""

from __future__ import annotations

from collections.abc import Sequence

from core.finetune.examples import Example, qa_example, with_source
from core.generation.extractive import ABSTAIN
from core.qa import QAItem
from core.types import Document


def current_answer(item: QAItem, documents: dict[str, Document]) -> tuple[str, tuple[str, ...]]:
    """The gold answer and its evidence for the corpus as it is now: a freshness item
    whose original quotes are gone but whose updated quotes are present uses the update."""
    from core.metrics import locate

    def found(quotes: Sequence[str]) -> bool:
        return any(locate(documents[n].text, q) for q in quotes for n in item.sources if n in documents)

    updated = item.answer_after_update and item.evidence_after_update
    if updated and not found(item.evidence) and found(item.evidence_after_update):
        return item.answer_after_update, item.evidence_after_update
    return item.answer, item.evidence


def knowledge_pairs(items: Sequence[QAItem], documents: dict[str, Document], abstain: bool = True) -> list[Example]:
    """Question -> gold answer plus a Source line, for TRAIN items only. Out-of-corpus
    items become abstention examples (the exact ABSTAIN reply the lanes detect), or are
    skipped when `abstain` is False."""
    examples = []
    for item in items:
        if item.split != "train":
            continue
        if not item.answerable:
            if abstain:
                examples.append(qa_example("knowledge", f"knowledge:{item.id}", item.question, ABSTAIN, item.id))
            continue
        answer, _ = current_answer(item, documents)
        examples.append(qa_example("knowledge", f"knowledge:{item.id}", item.question,
                                    with_source(answer, item.sources), item.id))  # fmt: skip
    return examples

