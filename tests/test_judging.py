"""Answer checks against hand-worked examples."""

from __future__ import annotations

import pytest

from core.judging import judge, token_f1
from core.qa import QAItem
from core.types import Answer


def item(kind="lookup", answer="The notice period is 30 days."):
    return QAItem("x", "q", answer, ("e",) if kind != "out_of_corpus" else (), ("a.md",) if kind != "out_of_corpus" else (), kind, "test")


def test_token_f1_by_hand():
    assert token_f1("the notice period is 30 days", "notice period: 30 days") == pytest.approx(2 * (4 / 5) * 1 / (4 / 5 + 1))
    assert token_f1("", "x") == 0.0 and token_f1("cats", "dogs") == 0.0


def test_judge():
    good = Answer("Either party must give 30 days' written notice. [1]", (), False, "reader")
    assert judge(good, item()).correct
    assert not judge(Answer("It is 60 days. [1]", (), False, "r"), item()).correct
    assert not judge(Answer("x", (), True, "r"), item()).correct
    assert judge(Answer("x", (), True, "r"), item("out_of_corpus")).correct
    assert not judge(good, item("out_of_corpus")).correct


def test_effective_dates_in_the_gold_answer_are_context_unless_asked_for():
    from core.qa import QAItem
    from core.types import Answer

    item = QAItem("f", "What is the first-year associate rate?", "From July 1, 2025 the rate is $465.", (), (), "freshness", "test")
    assert judge(Answer("The first-year rate is $465 [1].", (), False, "x"), item).correct
    assert not judge(Answer("The first-year rate is $425 [1].", (), False, "x"), item).correct
    asked = QAItem("g", "When does the new rate take effect?", "On July 1, 2025.", (), (), "lookup", "test")
    assert not judge(Answer("It takes effect in 2025.", (), False, "x"), asked).correct
    assert judge(Answer("From July 1, 2025.", (), False, "x"), asked).correct
