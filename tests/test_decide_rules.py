"""The decision rules: situations -> approach and reasons, measured overrides, and the notes around them."""

from __future__ import annotations

import pytest

from core.decide.rules import (
    APPROACHES,
    LANE_TO_APPROACH,
    REFERENCES,
    RULES,
    Measured,
    Measurement,
    Situation,
    accuracy_margin,
    recommend,
)
from core.errors import ConfigError

BASE = {"gap": "knowledge", "change_rate": "static", "citations_needed": False, "corpus_tokens": 2_000_000,
        "context_window": 128_000, "queries_per_day": 1_000, "latency_budget_ms": 3_000, "labelled_examples": 0,
        "privacy": "cloud_ok", "eval_maturity": "qa_set"}  # fmt: skip
SMALL_CORPUS = {"corpus_tokens": 30_000, "context_window": 200_000, "queries_per_day": 100, "latency_budget_ms": 10_000}


def situation(**changes) -> Situation:
    return Situation(**{**BASE, **changes})


def case(name: str, approach: str, phrases: list[str], **changes):
    """One row: changes to BASE -> the expected approach and phrases expected among the reasons."""
    return pytest.param(changes, approach, phrases, id=name)


CASES = [
    case("knowledge_daily_citations", "rag", ["change_rate = daily", "citations_needed = yes", "gap = knowledge"],
         change_rate="daily", citations_needed=True),
    case("behaviour_static_many_examples", "fine_tuning", ["gap = behaviour", "labelled_examples = 2,000"],
         gap="behaviour", corpus_tokens=10_000, queries_per_day=5_000, latency_budget_ms=800, labelled_examples=2_000),
    case("small_corpus_low_volume_loose_latency", "long_context",
         ["is 15% of the 200,000-token window", "3.0M prompt tokens a day", "latency_budget_ms = 10,000"],
         **SMALL_CORPUS),
    case("both_gaps_enough_examples", "hybrid", ["gap = both", "labelled_examples = 800"],
         gap="both", change_rate="monthly", citations_needed=True, labelled_examples=800, eval_maturity="continuous"),
    case("both_gaps_few_examples", "rag", ["labelled_examples = 20", "change_rate = daily"],
         gap="both", change_rate="daily", citations_needed=True, labelled_examples=20),
    case("behaviour_without_eval", "fine_tuning", ["eval_maturity = none", "gap = behaviour"],
         gap="behaviour", corpus_tokens=10_000, labelled_examples=2_000, eval_maturity="none"),
    case("on_prem_knowledge_weekly", "rag", ["privacy = on_prem_only", "change_rate = weekly"],
         privacy="on_prem_only", change_rate="weekly"),
    case("corpus_far_beyond_window", "rag",
         ["corpus_tokens = 50,000,000 exceeds the 128,000-token window", "prompt tokens a day"],
         corpus_tokens=50_000_000, queries_per_day=50_000),
    case("corpus_tight_in_window", "rag", ["fills 80% of the 128,000-token window"],
         corpus_tokens=102_400, change_rate="weekly", citations_needed=True),
    case("behaviour_few_examples_small_corpus", "long_context",
         ["labelled_examples = 20", "corpus_tokens = 10,000 is 8% of the 128,000-token window"],
         gap="behaviour", corpus_tokens=10_000, labelled_examples=20),
    case("behaviour_high_volume", "fine_tuning", ["queries_per_day = 50,000: training and hosting"],
         gap="behaviour", corpus_tokens=50_000, queries_per_day=50_000, labelled_examples=1_000),
    case("both_on_prem_weekly", "hybrid", ["gap = both", "privacy = on_prem_only"],
         gap="both", change_rate="weekly", citations_needed=True, labelled_examples=1_000, privacy="on_prem_only"),
    case("knowledge_tight_latency", "rag", ["latency_budget_ms = 500"], latency_budget_ms=500),
]  # fmt: skip


@pytest.mark.parametrize("changes, approach, phrases", CASES)
def test_situation_table(changes, approach, phrases):
    result = recommend(situation(**changes))
    assert result.approach == approach, result.scores
    text = " | ".join(result.reasons)
    for phrase in phrases:
        assert phrase in text
    assert result.anti_patterns and result.relook_signals and result.caveats
    assert result.scores[0] == (approach, result.score(approach))
    assert [s for _, s in result.scores] == sorted((s for _, s in result.scores), reverse=True)


@pytest.mark.parametrize("changes, approach, phrases", CASES)
def test_scores_are_the_sum_of_the_listed_points_and_reasons_name_their_input(changes, approach, phrases):
    result = recommend(situation(**changes))
    for each in APPROACHES:
        expected = sum(dict(c.points).get(each, 0) for c in result.contributions if not c.overridden_by)
        assert result.score(each) == expected
    assert result.approach == approach
    for contribution in result.contributions:
        assert " = " in contribution.reason or contribution.reason.startswith("Measured")
    cited = {k for c in result.contributions for k in c.refs}
    assert {r.key for r in result.references} == cited


def test_reasons_for_the_winner_come_first():
    result = recommend(situation(change_rate="daily", citations_needed=True))
    by_reason = {c.reason: c.points_for("rag") for c in result.contributions}
    points = [by_reason[r] for r in result.reasons]
    assert points == sorted(points, reverse=True)


def test_no_evaluation_set_gives_the_caveat_and_the_anti_pattern():
    result = recommend(situation(gap="behaviour", labelled_examples=2_000, eval_maturity="none"))
    assert any(c.startswith("Build a QA set first") for c in result.caveats)
    assert any(a.startswith("Fine-tuning without an evaluation set") for a in result.anti_patterns)
    with_eval = recommend(situation(gap="behaviour", labelled_examples=2_000, eval_maturity="qa_set"))
    assert not any("Build a QA set first" in c for c in with_eval.caveats)
    assert with_eval.score("fine_tuning") == result.score("fine_tuning") + 2


def test_on_prem_and_region_notes():
    on_prem = recommend(situation(privacy="on_prem_only"))
    assert any("local open-weight models" in c for c in on_prem.caveats)
    region = recommend(situation(privacy="region_locked"))
    assert any("privacy = region_locked" in c for c in region.caveats)
    assert not any("privacy = " in c for c in recommend(situation()).caveats)


def test_long_context_relook_names_the_window_share():
    result = recommend(situation(**SMALL_CORPUS))
    assert any("beyond ~50% of the context window (now 15%" in r for r in result.relook_signals)
    assert any("break-even against the runner-up, RAG" in r for r in result.relook_signals)


def test_measured_long_context_below_rag_overrides_the_window_rules():
    prior = recommend(situation(**SMALL_CORPUS))
    assert prior.approach == "long_context"
    measured = Measured(rag=Measurement(accuracy=0.80), long_context=Measurement(accuracy=0.60), source="Evaluate")
    result = recommend(situation(**SMALL_CORPUS), measured)
    assert result.approach == "rag"
    assert any(r.startswith("Measured: long context 60% vs RAG 80% accuracy (Evaluate)") for r in result.reasons)
    overridden = {c.rule: c.overridden_by for c in result.contributions if c.overridden_by}
    assert overridden == {rule: "measured_lc_below_rag" for rule in ("corpus_fits_window", "lc_low_volume",
                                                                       "loose_latency")}  # fmt: skip
    assert not any("is 15% of the" in r for r in result.reasons)  # the overridden reason is dropped
    assert result.score("long_context") == prior.score("long_context") - 6 - 4


def test_a_gap_within_noise_does_not_override_and_says_so():
    measured = Measured(rag=Measurement(accuracy=0.80, questions=20),
                        long_context=Measurement(accuracy=0.60, questions=20))  # fmt: skip
    # 1.96 x sqrt(0.8 x 0.2 / 20 + 0.6 x 0.4 / 20) = 0.2772: a 20-point gap is inside it.
    assert accuracy_margin(measured, "rag", "long_context") == pytest.approx(0.27719, abs=1e-4)
    result = recommend(situation(**SMALL_CORPUS), measured)
    assert result.approach == "long_context"
    assert any("within the noise margin (28 points)" in c for c in result.caveats)
    assert any("rests on 20 questions: the 95% (Wilson) interval is 58% to 92%" in c for c in result.caveats)


def test_measured_hybrid_without_gain_falls_back_to_rag():
    changes = {"gap": "both", "change_rate": "weekly", "citations_needed": True, "labelled_examples": 1_000,
               "eval_maturity": "continuous"}  # fmt: skip
    assert recommend(situation(**changes)).approach == "hybrid"
    measured = Measured(rag=Measurement(accuracy=0.72), hybrid=Measurement(accuracy=0.70))
    result = recommend(situation(**changes), measured)
    assert result.approach == "rag"
    assert any("no gain beyond the margin" in r for r in result.reasons)
    gain = Measured(rag=Measurement(accuracy=0.70), hybrid=Measurement(accuracy=0.85))
    better = recommend(situation(**changes), gain)
    assert better.approach == "hybrid" and any("the adapter adds to retrieval" in r for r in better.reasons)


def test_measured_latency_over_budget_weakens_that_approach():
    changes = {"gap": "behaviour", "corpus_tokens": 10_000, "queries_per_day": 5_000, "latency_budget_ms": 800,
               "labelled_examples": 2_000}  # fmt: skip
    prior = recommend(situation(**changes))
    result = recommend(situation(**changes), Measured(fine_tuning=Measurement(latency_p95_ms=1_200)))
    assert result.score("fine_tuning") == prior.score("fine_tuning") - 3
    assert any("Fine-tuning p95 latency 1,200 ms exceeds latency_budget_ms = 800" in r for r in result.reasons)


def test_measured_cost_ratio_and_tie_break():
    changes = {**SMALL_CORPUS, "queries_per_day": 1_000}
    assert recommend(situation(**changes)).approach == "long_context"
    measured = Measured(rag=Measurement(cost_per_1k=2.0), long_context=Measurement(cost_per_1k=20.0))
    result = recommend(situation(**changes), measured)
    assert result.score("long_context") == result.score("rag")  # 4 each: the tie goes to TIE_ORDER
    assert result.approach == "long_context"
    assert any(c.startswith("Close call") for c in result.caveats)
    assert any("$20.00 vs RAG $2.00 per 1k" in r for r in result.reasons)


def test_measured_long_context_prompt_overrides_the_corpus_estimate():
    measured = Measured(long_context=Measurement(tokens_per_query=150_000), source="Compare")
    result = recommend(situation(**SMALL_CORPUS), measured)
    fired = {c.rule: c for c in result.contributions}
    assert fired["corpus_fits_window"].overridden_by == "measured_lc_prompt"
    reason = fired["measured_lc_prompt"].reason
    assert "sends 150,000 tokens per query, 75% of the 200,000-token window (Compare)" in reason
    assert result.score("long_context") == recommend(situation(**SMALL_CORPUS)).score("long_context") - 3 - 1


def test_measured_fine_tuning_below_rag():
    changes = {"gap": "behaviour", "labelled_examples": 2_000}
    prior = recommend(situation(**changes))
    measured = Measured(rag=Measurement(accuracy=0.9), fine_tuning=Measurement(accuracy=0.5))
    result = recommend(situation(**changes), measured)
    assert result.score("fine_tuning") == prior.score("fine_tuning") - 3
    assert result.score("rag") == prior.score("rag") + 1


@pytest.mark.parametrize("changes, fragment", [
    ({"gap": "facts"}, "gap 'facts' is not one of"),
    ({"change_rate": "hourly"}, "change_rate"),
    ({"privacy": "public"}, "privacy"),
    ({"eval_maturity": "some"}, "eval_maturity"),
    ({"corpus_tokens": -1}, "corpus_tokens must be a number >= 0"),
    ({"context_window": 0}, "context_window must be a number >= 1"),
    ({"citations_needed": "yes"}, "citations_needed must be True or False"),
])  # fmt: skip
def test_bad_situations_are_refused(changes, fragment):
    with pytest.raises(ConfigError, match=fragment):
        situation(**changes)


def test_bad_measurements_are_refused():
    with pytest.raises(ConfigError, match="78% is 0.78"):
        Measurement(accuracy=78)
    with pytest.raises(ConfigError, match="latency_p95_ms"):
        Measurement(latency_p95_ms=-5)


def test_table_integrity():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    keys = {r.key for r in REFERENCES}
    for rule in RULES:
        assert set(rule.refs) <= keys and set(rule.overrides) <= set(ids)
        assert {a for a, _ in rule.points} <= set(APPROACHES)
    assert set(LANE_TO_APPROACH.values()) == set(APPROACHES)
    assert all(r.url.startswith("https://") for r in REFERENCES)


def test_offline_reader_latency_is_named_and_not_held_against_the_budget():
    from core.decide.rules import Measured, Measurement, Situation, recommend

    situation = Situation("knowledge", "monthly", True, 120_000, 128_000, 1_000, 3_000, 64, "cloud_ok", "qa_set")
    reader = Measured(rag=Measurement(latency_p95_ms=7_801, measured_with="extractive reader (no LLM)",
                                      offline_reader=True), source="a test run")  # fmt: skip
    llm = Measured(rag=Measurement(latency_p95_ms=7_801, measured_with="gpt-4o-mini"), source="a test run")
    prior = recommend(situation)
    offline = recommend(situation, reader)
    assert offline.score("rag") == prior.score("rag")
    assert not any("exceeds latency_budget_ms" in r for r in offline.reasons)
    assert any("measured with extractive reader (no LLM), the offline reader" in c for c in offline.caveats)
    measured = recommend(situation, llm)
    assert measured.score("rag") == prior.score("rag") - 3
    assert any("RAG p95 latency 7,801 ms exceeds latency_budget_ms = 3,000 (answered by gpt-4o-mini" in r
               for r in measured.reasons)
