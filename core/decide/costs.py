"""Cost model: setup, per query, per month and year one for each approach, and where two approaches cross.

A month is DAYS_PER_MONTH = 30.4375 days (365.25 / 12, the Gregorian average year). Money is dollars (floats);
prices are dollars per 1M tokens. For approach x:

    per_query(x) = (prompt x (1 - cached_share) x input + prompt x cached_share x cached_input
                    + completion x output) / 1,000,000
    monthly(x)   = per_query(x) x queries_per_day x DAYS_PER_MONTH + the monthly items x pays
    year_one(x)  = setup(x) + 12 x monthly(x)          (setup = the one-off items x pays)

Which items each approach pays (ITEMS): rag pays embedding ingest (one-off), vector DB and re-index (monthly);
fine_tuning pays data preparation and training GPU hours x $/hour (one-off), retraining and model hosting
(monthly); long_context pays tokens only; hybrid pays both lists; every approach pays shared_hosting_per_month
(a local base model served for all of them, on-prem; 0 with an API). A hosted training fee can be entered as
training_gpu_hours = 1 and gpu_per_hour = the fee. This module takes numbers: usage_for_model() reads prices
from core.pricing, and the token counts come from a Compare run or the user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import Literal

from core.decide.rules import APPROACHES, LABELS
from core.errors import ConfigError

DAYS_PER_MONTH = 30.4375  # 365.25 / 12
MONTHS_PER_YEAR = 12
_RETRIEVES, _TUNES = ("rag", "hybrid"), ("fine_tuning", "hybrid")


def _non_negative(owner: str, name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{owner}.{name} must be a number >= 0 (got {value!r}); enter dollars, tokens or counts.")


@dataclass(frozen=True)
class Usage:
    """One approach's tokens per query (measured on Compare, or typed) and its prices in $ per 1M tokens."""

    prompt_tokens: float
    completion_tokens: float
    input_per_m: float
    output_per_m: float
    cached_input_per_m: float | None = None
    cached_share: float = 0.0  # share of prompt tokens read from the prompt cache (0..1)
    source: str = ""  # where the prices came from

    def __post_init__(self) -> None:
        for name in ("prompt_tokens", "completion_tokens", "input_per_m", "output_per_m", "cached_share"):
            _non_negative("Usage", name, getattr(self, name))
        if self.cached_input_per_m is not None:
            _non_negative("Usage", "cached_input_per_m", self.cached_input_per_m)
        if self.cached_share > 1:
            raise ConfigError(f"Usage.cached_share is a share of the prompt, 0 to 1 (got {self.cached_share!r}).")
        if self.cached_share and self.cached_input_per_m is None:
            raise ConfigError("Usage.cached_share needs cached_input_per_m: enter the cached-input price, or set "
                              "the share to 0 for a model without prompt caching.")  # fmt: skip

    @property
    def per_query(self) -> float:
        cached = self.prompt_tokens * self.cached_share
        cached_price = self.cached_input_per_m if self.cached_input_per_m is not None else 0.0
        return ((self.prompt_tokens - cached) * self.input_per_m + cached * cached_price
                + self.completion_tokens * self.output_per_m) / 1e6  # fmt: skip


@dataclass(frozen=True)
class CostInputs:
    """Volume, per-approach usage (None = not priced) and the editable setup and running costs, in dollars."""

    queries_per_day: float
    rag: Usage | None = None
    fine_tuning: Usage | None = None
    long_context: Usage | None = None
    hybrid: Usage | None = None
    embedding_ingest: float = 0.0  # one-off
    vector_db_per_month: float = 0.0
    reindex_per_month: float = 0.0  # re-embedding changed documents
    training_gpu_hours: float = 0.0
    gpu_per_hour: float = 0.0
    data_preparation: float = 0.0  # one-off: writing and checking training examples
    retrains_per_month: float = 0.0
    retrain_cost: float | None = None  # $ per retrain; None = training_gpu_hours x gpu_per_hour
    hosting_per_month: float = 0.0  # the fine-tuned model (fine_tuning, hybrid)
    shared_hosting_per_month: float = 0.0  # a local base model serving every approach

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in APPROACHES:
                if value is not None and not isinstance(value, Usage):
                    raise ConfigError(f"CostInputs.{f.name} must be a Usage or None (got {type(value).__name__}).")
            elif value is not None:
                _non_negative("CostInputs", f.name, value)

    @property
    def retrain_dollars(self) -> float:
        return self.retrain_cost if self.retrain_cost is not None else self.training_gpu_hours * self.gpu_per_hour

    def priced(self) -> tuple[str, ...]:
        """The approaches that have a Usage, in APPROACHES order."""
        return tuple(a for a in APPROACHES if getattr(self, a) is not None)

    def usage(self, approach: str) -> Usage:
        if approach not in APPROACHES:
            raise ConfigError(f"approach {approach!r} is not one of {', '.join(APPROACHES)}.")
        found = getattr(self, approach)
        if found is None:
            raise ConfigError(f"No tokens or prices for {LABELS[approach]}: run it on Compare, or enter its prompt "
                              "and completion tokens and its $ per 1M tokens.")  # fmt: skip
        return found


@dataclass(frozen=True)
class Item:
    name: str
    kind: Literal["one_off", "monthly"]
    approaches: tuple[str, ...]
    dollars: Callable[[CostInputs], float]
    formula: str


ITEMS: tuple[Item, ...] = (
    Item("embedding ingest", "one_off", _RETRIEVES, lambda i: i.embedding_ingest, "embedding_ingest"),
    Item("data preparation", "one_off", _TUNES, lambda i: i.data_preparation, "data_preparation"),
    Item("training", "one_off", _TUNES, lambda i: i.training_gpu_hours * i.gpu_per_hour,
         "training_gpu_hours x gpu_per_hour"),
    Item("vector DB", "monthly", _RETRIEVES, lambda i: i.vector_db_per_month, "vector_db_per_month"),
    Item("re-index", "monthly", _RETRIEVES, lambda i: i.reindex_per_month, "reindex_per_month"),
    Item("retraining", "monthly", _TUNES, lambda i: i.retrains_per_month * i.retrain_dollars,
         "retrains_per_month x retrain_cost"),
    Item("model hosting", "monthly", _TUNES, lambda i: i.hosting_per_month, "hosting_per_month"),
    Item("shared hosting", "monthly", APPROACHES, lambda i: i.shared_hosting_per_month, "shared_hosting_per_month"),
)  # fmt: skip


@dataclass(frozen=True)
class CostLine:
    name: str
    kind: Literal["one_off", "monthly"]
    dollars: float
    formula: str


def cost_lines(approach: str, inputs: CostInputs) -> tuple[CostLine, ...]:
    """Where the money goes: the tokens line (monthly) and every item the approach pays, zeros included."""
    tokens = inputs.usage(approach).per_query * inputs.queries_per_day * DAYS_PER_MONTH
    lines = [CostLine("tokens", "monthly", float(tokens), f"per_query x queries_per_day x {DAYS_PER_MONTH}")]
    lines += [CostLine(i.name, i.kind, float(i.dollars(inputs)), i.formula) for i in ITEMS if approach in i.approaches]
    return tuple(lines)


def per_query_cost(approach: str, inputs: CostInputs) -> float:
    return inputs.usage(approach).per_query


def setup_cost(approach: str, inputs: CostInputs) -> float:
    """Sum of the one-off items."""
    return float(sum(line.dollars for line in cost_lines(approach, inputs) if line.kind == "one_off"))


def monthly_cost(approach: str, inputs: CostInputs) -> float:
    """per_query x queries_per_day x DAYS_PER_MONTH + the monthly items."""
    return float(sum(line.dollars for line in cost_lines(approach, inputs) if line.kind == "monthly"))


def year_one(approach: str, inputs: CostInputs) -> float:
    """setup + 12 x monthly."""
    return setup_cost(approach, inputs) + MONTHS_PER_YEAR * monthly_cost(approach, inputs)


def total_after(approach: str, inputs: CostInputs, months: float) -> float:
    """setup + months x monthly: the cumulative cost after `months`."""
    return setup_cost(approach, inputs) + months * monthly_cost(approach, inputs)


@dataclass(frozen=True)
class CostRow:
    approach: str
    label: str
    setup: float
    per_query: float
    per_1k: float
    monthly: float
    year_one: float


def cost_table(inputs: CostInputs) -> tuple[CostRow, ...]:
    """One row per priced approach, in APPROACHES order."""
    rows = []
    for a in inputs.priced():
        per_query = per_query_cost(a, inputs)
        rows.append(CostRow(a, LABELS[a], setup_cost(a, inputs), per_query, 1000 * per_query,
                            monthly_cost(a, inputs), year_one(a, inputs)))  # fmt: skip
    return tuple(rows)


@dataclass(frozen=True)
class BreakEven:
    """Where the totals of `a` and `b` are equal (`at`: months, or queries per day), or None when they never
    cross for a positive value; `reason` says why in words. `cheaper_before`/`cheaper_after`: the cheaper
    approach below and above the crossing (the same one, or None when equal, when they never cross)."""

    a: str
    b: str
    at: float | None
    unit: Literal["months", "queries per day"]
    reason: str
    cheaper_before: str | None
    cheaper_after: str | None


def _crossing(a: str, b: str, gap0: float, slope: float, unit, what0: str, what_slope: str) -> BreakEven:
    """Solve gap0 + x * slope = 0 for x > 0, where gap = total(a) - total(b): gap0 is the gap at x = 0 (the part
    that does not grow with x, `what0`) and slope its growth per unit of x (`what_slope`)."""
    la, lb = LABELS[a], LABELS[b]
    if abs(slope) < 1e-12:  # dollars per unit of x: float noise, not a difference
        if abs(gap0) < 1e-9:
            return BreakEven(a, b, None, unit, f"{la} and {lb} have the same {what0} and {what_slope}: equal at "
                             "every value.", None, None)  # fmt: skip
        low = a if gap0 < 0 else b
        return BreakEven(a, b, None, unit, f"Same {what_slope}, so they never cross: {LABELS[low]} stays "
                         f"${abs(gap0):,.2f} cheaper (lower {what0}).", low, low)  # fmt: skip
    x = -gap0 / slope
    if x <= 0:
        low = a if slope < 0 else b
        return BreakEven(a, b, None, unit, f"They never cross: {LABELS[low]} has the lower or equal {what0} and the "
                         f"lower {what_slope}, so it is cheaper at every positive value.", low, low)  # fmt: skip
    before, after = (a, b) if gap0 < 0 else (b, a)
    shown = f"{x:,.1f} {unit}" if unit != "months" else f"{x:,.2f} months" + (
        f" (about {x * DAYS_PER_MONTH:,.1f} days)" if x < 3 else "")
    return BreakEven(a, b, x, unit, f"{LABELS[before]} is cheaper below {shown} (lower {what0}); "
                     f"{LABELS[after]} is cheaper above (lower {what_slope}).", before, after)  # fmt: skip


def _pair(a: str, b: str, inputs: CostInputs) -> None:
    inputs.usage(a), inputs.usage(b)
    if a == b:
        raise ConfigError(f"Break-even needs two different approaches (got {a!r} twice).")


def break_even_months(a: str, b: str, inputs: CostInputs) -> BreakEven:
    """Months m where setup(a) + m x monthly(a) = setup(b) + m x monthly(b):
    m = (setup(b) - setup(a)) / (monthly(a) - monthly(b)), when that is positive."""
    _pair(a, b, inputs)
    gap0 = setup_cost(a, inputs) - setup_cost(b, inputs)
    slope = monthly_cost(a, inputs) - monthly_cost(b, inputs)
    return _crossing(a, b, gap0, slope, "months", "setup cost", "monthly cost")


def break_even_qpd(a: str, b: str, inputs: CostInputs, months: float = MONTHS_PER_YEAR) -> BreakEven:
    """Queries per day q where the totals after `months` (year one by default) are equal. With F the monthly
    items and p the per-query cost: total(x, q) = setup(x) + months x (F(x) + q x DAYS_PER_MONTH x p(x)), so
    q = -[setup(a) - setup(b) + months x (F(a) - F(b))] / [months x DAYS_PER_MONTH x (p(a) - p(b))]."""
    _pair(a, b, inputs)
    if isinstance(months, bool) or not isinstance(months, (int, float)) or months <= 0:
        raise ConfigError(f"months must be a number > 0 (got {months!r}).")
    at_zero = replace(inputs, queries_per_day=0)
    gap0 = total_after(a, at_zero, months) - total_after(b, at_zero, months)
    slope = months * DAYS_PER_MONTH * (per_query_cost(a, inputs) - per_query_cost(b, inputs))
    return _crossing(a, b, gap0, slope, "queries per day", f"fixed costs over {months:g} months", "cost per query")


def cost_over_months(inputs: CostInputs, months: int = 24) -> list[dict]:
    """Cumulative dollars (setup + m x monthly) for m = 0..months, one row per priced approach and month."""
    return [{"month": m, "approach": a, "label": LABELS[a], "dollars": total_after(a, inputs, m)}
            for a in inputs.priced() for m in range(int(months) + 1)]  # fmt: skip


def cost_over_qpd(inputs: CostInputs, qpd_values: Iterable[float], months: float = MONTHS_PER_YEAR) -> list[dict]:
    """Dollars after `months` (setup + months x monthly) at each queries-per-day value, per priced approach."""
    rows = []
    for q in qpd_values:
        at = replace(inputs, queries_per_day=q)  # validates q
        rows += [{"queries_per_day": q, "approach": a, "label": LABELS[a], "dollars": total_after(a, at, months)}
                 for a in inputs.priced()]  # fmt: skip
    return rows


def usage_for_model(model: str, prompt_tokens: float, completion_tokens: float, cached_share: float = 0.0,
                    override: tuple[float, float, float | None] | None = None) -> Usage:  # fmt: skip
    """A Usage priced from litellm's bundled price map (or an override in $ per 1M tokens) via core.pricing."""
    from core.pricing import price_for

    price = price_for(model, override)
    if price is None:
        raise ConfigError(f"{model} has no price in litellm's bundled price map; enter its $ per 1M input and "
                          "output tokens instead.")  # fmt: skip
    cached = price.cached_input * 1e6 if price.cached_input is not None else None
    return Usage(prompt_tokens, completion_tokens, price.input * 1e6, price.output * 1e6, cached, cached_share,
                 price.source)  # fmt: skip
