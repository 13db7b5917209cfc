"""A lane's verdict on a labelled question, as words (never an emoji alone).

`lane_verdicts` judges each lane's answer against the QA item (core.judging) and says
whether the gold evidence was among the chunks it retrieved. Pages colour the words;
the HTML report prints them; nothing here draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.judging import judge
from core.qa import QAItem


@dataclass(frozen=True)
class LaneVerdict:
    correct: bool
    reason: str  # from core.judging: why it counts as (not) correct
    evidence: bool | None  # gold evidence among the retrieved chunks; None when the lane retrieves nothing

    @property
    def word(self) -> str:
        return "Correct" if self.correct else "Not correct"

    @property
    def evidence_words(self) -> str:
        if self.evidence is None:
            return ""
        return "evidence retrieved" if self.evidence else "evidence not retrieved"

    def sentence(self) -> str:
        return f"{self.word} ({self.reason})" + (f" · {self.evidence_words}" if self.evidence_words else "")


def lane_verdicts(item: QAItem | None, results, gold: set[str]) -> dict[str, LaneVerdict]:
    """Verdict per lane kind, for lanes that answered; empty without a labelled item."""
    if item is None:
        return {}
    verdicts = {}
    for result in results:
        if result.answer is None:
            continue
        found = bool(gold & {h.chunk.chunk_id for h in result.hits}) if result.hits and gold else None
        v = judge(result.answer, item)
        verdicts[result.kind] = LaneVerdict(v.correct, v.reason, found)
    return verdicts
