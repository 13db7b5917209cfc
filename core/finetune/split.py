"""The leakage-safe train/test split of a fine-tuning dataset.

An example whose normalised question, or whose source QA id, belongs to the evaluation
TEST split is forced into the dataset's test side (never train); examples sharing a
normalised question stay on one side; the other question groups are split per kind (of a
group's first example) by a seeded share: int(share * groups + 0.5) go to test. Only
questions are held out: corpus text (chunks, memos, distractors) is training material by
design; `evaluation_evidence` lists the test split's quotes for the stricter option that
also skips corpus text quoting them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from core.finetune.examples import Example, normalise_question
from core.qa import QAItem


def evaluation_evidence(items: Sequence[QAItem]) -> tuple[str, ...]:
    """Every evidence quote (original and updated) of the evaluation TEST split."""
    return tuple(q for i in items if i.split == "test" for q in (*i.evidence, *i.evidence_after_update))


def split_examples(examples: Sequence[Example], qa_items: Sequence[QAItem], test_share: float, seed: int = 0
                   ) -> tuple[tuple[Example, ...], tuple[Example, ...], int]:  # fmt: skip
    """(train, test, forced): see the module docstring for the rules. `forced` counts the
    examples sent to test because they match the evaluation test split."""
    test_questions = {normalise_question(i.question) for i in qa_items if i.split == "test"}
    test_ids = {i.id for i in qa_items if i.split == "test"}
    groups: dict[str, list[Example]] = {}
    for example in examples:
        groups.setdefault(normalise_question(example.question), []).append(example)
    forced = {key for key, group in groups.items() if key in test_questions or any(e.source in test_ids for e in group)}
    by_kind: dict[str, list[str]] = {}
    for key, group in groups.items():
        if key not in forced:
            by_kind.setdefault(group[0].kind, []).append(key)
    test_keys = set(forced)
    for kind in sorted(by_kind):
        keys = by_kind[kind]
        random.Random(f"{seed}:split:{kind}").shuffle(keys)
        test_keys.update(keys[: int(test_share * len(keys) + 0.5)])
    marked = [replace(e, split="test" if normalise_question(e.question) in test_keys else "train") for e in examples]
    forced_count = sum(len(groups[k]) for k in forced)
    return (tuple(e for e in marked if e.split == "train"), tuple(e for e in marked if e.split == "test"),
            forced_count)  # fmt: skip

