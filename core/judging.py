"""Quick answer checks against a labelled QA item (the Evaluate page adds more).

correct: for out-of-corpus items, the lane abstained; otherwise it did not abstain and,
when the gold answer has numbers (days, dollars, dates), the answer contains all of
them (dates and years only when the question asks when, or for a date or year: "From
July 1, 2025 the rate is $465" needs $465); when it has none, the token F1 against the
gold answer (SQuAD-style normalisation, citation markers removed) is at least 0.5. A rough check: the Evaluate
page adds semantic similarity and an LLM judge.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import dataclass

from core.qa import QAItem
from core.types import Answer

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_CITATION = re.compile(r"\[\d{1,3}\]")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b|\b(?:19|20)\d{{2}}\b")
_ASKS_DATE = re.compile(r"\b(when|dates?|deadline|effective|(what|which) year)\b", re.IGNORECASE)


def normalise(text: str) -> list[str]:
    text = _ARTICLES.sub(" ", text.lower().translate(str.maketrans("", "", string.punctuation.replace("$", ""))))
    return text.split()


def token_f1(prediction: str, gold: str) -> float:
    pred, ref = normalise(prediction), normalise(gold)
    common = sum((Counter(pred) & Counter(ref)).values())
    if not pred or not ref or common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class Verdict:
    correct: bool
    f1: float
    reason: str


def judge(answer: Answer, item: QAItem, gold: str | None = None) -> Verdict:
    gold = gold or item.answer
    if not item.answerable:
        return Verdict(answer.abstained, 0.0, "abstained, as it should" if answer.abstained else "should have abstained")
    if answer.abstained:
        return Verdict(False, 0.0, "abstained on an answerable question")
    text = _CITATION.sub(" ", answer.text)
    f1 = token_f1(text, gold)
    counted = gold if _ASKS_DATE.search(item.question) else _DATE.sub(" ", gold)  # "From July 1, 2025, ..." is context
    numbers = {n.replace(",", "") for n in _NUMBER.findall(counted)}
    if numbers:
        missing = numbers - {n.replace(",", "") for n in _NUMBER.findall(text)}
        return Verdict(not missing, f1, "all gold numbers present" if not missing else f"missing {', '.join(sorted(missing))}")
    return Verdict(f1 >= 0.5, f1, f"token F1 {f1:.2f}")
