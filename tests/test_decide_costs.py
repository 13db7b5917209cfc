"""The cost model against hand-computed figures, and break-evens checked by evaluating both sides."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.decide import costs
from core.decide.costs import DAYS_PER_MONTH, CostInputs, Usage, total_after, year_one
from core.errors import ConfigError

# Hand-computed (prices in $ per 1M tokens, 1,000 queries a day, 30.4375 days a month):
#   rag:  (2,000 x 1 + 200 x 4) / 1e6                        = 0.0028 $/query
#   lc:   (100,000 x 0.1 x 1 + 100,000 x 0.9 x 0.1 + 200 x 4) / 1e6 = 0.0198 $/query (90% of the prompt cached)
#   ft:   (500 x 2 + 200 x 8) / 1e6                          = 0.0026 $/query
RAG = Usage(2_000, 200, 1.0, 4.0)
LC = Usage(100_000, 200, 1.0, 4.0, cached_input_per_m=0.1, cached_share=0.9)
FT = Usage(500, 200, 2.0, 8.0)
INPUTS = CostInputs(queries_per_day=1_000, rag=RAG, fine_tuning=FT, long_context=LC,
                    embedding_ingest=50, vector_db_per_month=70, reindex_per_month=10,
                    training_gpu_hours=10, gpu_per_hour=3, data_preparation=2_000, retrains_per_month=1,
                    hosting_per_month=500)  # fmt: skip


def test_month_length_is_the_gregorian_average():
    assert DAYS_PER_MONTH == 365.25 / 12 == 30.4375


def test_per_query_monthly_and_year_one_by_hand():
    assert costs.per_query_cost("rag", INPUTS) == pytest.approx(0.0028)
    assert costs.per_query_cost("long_context", INPUTS) == pytest.approx(0.0198)
    assert costs.per_query_cost("fine_tuning", INPUTS) == pytest.approx(0.0026)
    # rag: 0.0028 x 1,000 x 30.4375 = 85.225 tokens + 70 vector DB + 10 re-index
    assert costs.monthly_cost("rag", INPUTS) == pytest.approx(165.225)
    assert costs.setup_cost("rag", INPUTS) == 50.0
    assert year_one("rag", INPUTS) == pytest.approx(50 + 12 * 165.225)  # 2,032.70
    # fine-tuning: setup 2,000 + 10 h x $3 = 2,030; monthly 79.1375 tokens + 1 retrain x $30 + 500 hosting
    assert costs.setup_cost("fine_tuning", INPUTS) == 2_030.0
    assert costs.monthly_cost("fine_tuning", INPUTS) == pytest.approx(609.1375)
    assert year_one("fine_tuning", INPUTS) == pytest.approx(9_339.65)
    # long context: tokens only, 0.0198 x 30,437.5 = 602.6625
    assert costs.setup_cost("long_context", INPUTS) == 0.0
    assert costs.monthly_cost("long_context", INPUTS) == pytest.approx(602.6625)
    assert year_one("long_context", INPUTS) == pytest.approx(7_231.95)
    assert all(isinstance(year_one(a, INPUTS), float) for a in INPUTS.priced())


def test_cost_table_and_lines():
    rows = {row.approach: row for row in costs.cost_table(INPUTS)}
    assert list(rows) == ["rag", "fine_tuning", "long_context"]  # hybrid has no Usage: no row
    assert rows["rag"].per_1k == pytest.approx(2.8) and rows["rag"].year_one == pytest.approx(2_032.7)
    assert rows["long_context"].label == "Long context"
    lines = {line.name: line for line in costs.cost_lines("fine_tuning", INPUTS)}
    assert set(lines) == {"tokens", "data preparation", "training", "retraining", "model hosting", "shared hosting"}
    assert lines["training"].dollars == 30.0 and lines["training"].kind == "one_off"
    assert lines["retraining"].dollars == 30.0  # retrain_cost None: one training run's GPU cost
    assert {line.name for line in costs.cost_lines("long_context", INPUTS)} == {"tokens", "shared hosting"}


def test_hybrid_pays_both_lists_and_shared_hosting_reaches_every_approach():
    inputs = replace(INPUTS, hybrid=Usage(2_500, 200, 2.0, 8.0), retrain_cost=100.0, shared_hosting_per_month=40)
    # per query (2,500 x 2 + 200 x 8) / 1e6 = 0.0066; monthly 200.8875 + 70 + 10 + 100 + 500 + 40
    assert costs.setup_cost("hybrid", inputs) == pytest.approx(50 + 2_000 + 30)
    assert costs.monthly_cost("hybrid", inputs) == pytest.approx(0.0066 * 1_000 * 30.4375 + 720)
    assert costs.monthly_cost("long_context", inputs) == pytest.approx(602.6625 + 40)


def test_break_even_months_crossing():
    result = costs.break_even_months("rag", "long_context", INPUTS)
    # 50 + m x 165.225 = 0 + m x 602.6625  ->  m = 50 / 437.4375
    assert result.at == pytest.approx(50 / 437.4375)
    assert total_after("rag", INPUTS, result.at) == pytest.approx(total_after("long_context", INPUTS, result.at))
    assert (result.cheaper_before, result.cheaper_after) == ("long_context", "rag")
    before, after = result.at * 0.5, result.at * 2
    assert total_after("long_context", INPUTS, before) < total_after("rag", INPUTS, before)
    assert total_after("rag", INPUTS, after) < total_after("long_context", INPUTS, after)
    assert "Long context is cheaper below 0.11 months" in result.reason


def test_break_even_months_never_crossing():
    result = costs.break_even_months("fine_tuning", "rag", INPUTS)  # higher setup and higher monthly
    assert result.at is None and result.cheaper_before == result.cheaper_after == "rag"
    assert "never cross" in result.reason
    same = replace(INPUTS, long_context=RAG)  # same per query; rag also pays 50 setup and 80 a month
    parallel = replace(same, embedding_ingest=0, vector_db_per_month=0, reindex_per_month=0)
    equal = costs.break_even_months("rag", "long_context", parallel)
    assert equal.at is None and equal.cheaper_before is None and "equal at every value" in equal.reason


def test_break_even_qpd_crossing_checked_on_both_sides():
    result = costs.break_even_qpd("rag", "long_context", INPUTS)
    # year one: 50 + 12 x (80 + q x 30.4375 x 0.0028) = 12 x q x 30.4375 x 0.0198  ->  q = 1,010 / 6.20925
    assert result.at == pytest.approx(1_010 / 6.20925)
    at = replace(INPUTS, queries_per_day=result.at)
    assert year_one("rag", at) == pytest.approx(year_one("long_context", at))
    low, high = replace(INPUTS, queries_per_day=100), replace(INPUTS, queries_per_day=200)
    assert year_one("long_context", low) < year_one("rag", low)
    assert year_one("rag", high) < year_one("long_context", high)
    assert (result.cheaper_before, result.cheaper_after) == ("long_context", "rag")

    ft = costs.break_even_qpd("fine_tuning", "rag", INPUTS)
    # (2,030 - 50) + 12 x (530 - 80) = 7,380 fixed; 12 x 30.4375 x (0.0028 - 0.0026) = 0.07305 per query a day
    assert ft.at == pytest.approx(7_380 / 0.07305)  # about 101,027 queries a day
    at = replace(INPUTS, queries_per_day=ft.at)
    assert year_one("fine_tuning", at) == pytest.approx(year_one("rag", at))
    assert (ft.cheaper_before, ft.cheaper_after) == ("rag", "fine_tuning")


def test_break_even_qpd_over_other_horizons_and_never_crossing():
    two_years = costs.break_even_qpd("fine_tuning", "rag", INPUTS, months=24)
    at = replace(INPUTS, queries_per_day=two_years.at)
    assert total_after("fine_tuning", at, 24) == pytest.approx(total_after("rag", at, 24))
    assert two_years.at < costs.break_even_qpd("fine_tuning", "rag", INPUTS).at  # setup spread over more months

    dearer = replace(INPUTS, hybrid=Usage(2_500, 200, 2.0, 8.0))  # more fixed cost and more per query than rag
    never = costs.break_even_qpd("hybrid", "rag", dearer)
    assert never.at is None and never.cheaper_before == never.cheaper_after == "rag"
    assert "cheaper at every positive value" in never.reason
    same_per_query = replace(INPUTS, long_context=RAG)
    parallel = costs.break_even_qpd("rag", "long_context", same_per_query)
    assert parallel.at is None and parallel.cheaper_after == "long_context"
    assert "stays $1,010.00 cheaper" in parallel.reason


def test_curves_for_charts():
    months = costs.cost_over_months(INPUTS, months=24)
    assert len(months) == 3 * 25
    rag = [row["dollars"] for row in months if row["approach"] == "rag"]
    assert rag[0] == 50.0 and rag[12] == pytest.approx(year_one("rag", INPUTS))
    assert rag[24] == pytest.approx(50 + 24 * 165.225)
    qpd = costs.cost_over_qpd(INPUTS, [0, 1_000, 5_000])
    by = {(row["queries_per_day"], row["approach"]): row["dollars"] for row in qpd}
    assert by[(1_000, "fine_tuning")] == pytest.approx(year_one("fine_tuning", INPUTS))
    assert by[(0, "rag")] == pytest.approx(50 + 12 * 80)
    assert by[(5_000, "long_context")] == pytest.approx(12 * 5_000 * DAYS_PER_MONTH * 0.0198)


def test_usage_priced_from_the_bundled_map():
    from core.tokens import litellm_module

    entry = litellm_module().model_cost["gpt-4o-mini"]
    usage = costs.usage_for_model("gpt-4o-mini", 1_000, 100, cached_share=0.5)
    expected = (500 * entry["input_cost_per_token"] + 500 * entry["cache_read_input_token_cost"]
                + 100 * entry["output_cost_per_token"])  # fmt: skip
    assert usage.per_query == pytest.approx(expected)
    assert usage.source.endswith("bundled price map")
    assert costs.usage_for_model("my-local/finetune-7b", 10, 10, override=(2.0, 6.0, None)).input_per_m == 2.0
    with pytest.raises(ConfigError, match="no price"):
        costs.usage_for_model("my-local/finetune-7b", 10, 10)


def test_bad_inputs_are_refused():
    with pytest.raises(ConfigError, match="needs cached_input_per_m"):
        Usage(1_000, 10, 1.0, 2.0, cached_share=0.5)
    with pytest.raises(ConfigError, match="0 to 1"):
        Usage(1_000, 10, 1.0, 2.0, cached_input_per_m=0.1, cached_share=1.5)
    with pytest.raises(ConfigError, match="queries_per_day must be a number >= 0"):
        CostInputs(queries_per_day=-1)
    with pytest.raises(ConfigError, match="vector_db_per_month"):
        replace(INPUTS, vector_db_per_month=-5)
    with pytest.raises(ConfigError, match="No tokens or prices for Hybrid"):
        costs.monthly_cost("hybrid", INPUTS)
    with pytest.raises(ConfigError, match="two different approaches"):
        costs.break_even_months("rag", "rag", INPUTS)
    with pytest.raises(ConfigError, match="months must be a number > 0"):
        costs.break_even_qpd("rag", "long_context", INPUTS, months=0)
    with pytest.raises(ConfigError, match="not one of"):
        year_one("prompting", INPUTS)
