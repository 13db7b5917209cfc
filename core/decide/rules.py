"""Rules that turn a situation (and optional measurements) into a recommendation.

Four approaches compete: rag, fine_tuning, long_context and hybrid (an adapter fed by
retrieval, trained RAFT-style). Every rule in RULES is a row: a condition, the points it
gives or takes from each approach, and the reason shown to the user, naming the input
that drove it and the source it follows (REFERENCES). Measured rules (accuracy, p95
latency, cost per 1k queries from the last Evaluate or Compare run) can strengthen a
prior or override named prior rules, whose points then drop out. The highest total wins;
ties go to the approach with less to build and maintain (TIE_ORDER).

The thresholds below are rules of thumb, not measurements, and every recommendation says
so. This module does not price anything: core.decide.costs does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import sqrt
from typing import Literal, get_args

from core.errors import ConfigError

Gap = Literal["knowledge", "behaviour", "both"]
ChangeRate = Literal["static", "monthly", "weekly", "daily"]
Privacy = Literal["cloud_ok", "region_locked", "on_prem_only"]
EvalMaturity = Literal["none", "spot_checks", "qa_set", "continuous"]
Approach = Literal["rag", "fine_tuning", "long_context", "hybrid"]
APPROACHES: tuple[str, ...] = get_args(Approach)
LABELS = {"rag": "RAG", "fine_tuning": "Fine-tuning", "long_context": "Long context",
          "hybrid": "Hybrid (adapter + RAG)"}  # fmt: skip
TIE_ORDER = ("long_context", "rag", "fine_tuning", "hybrid")  # least to build and maintain first
LANE_TO_APPROACH = {"rag": "rag", "rag_rerank": "rag", "long_context": "long_context", "fine_tuned": "fine_tuning",
                    "hybrid": "hybrid"}  # fmt: skip

# Rules of thumb (editable; not measured).
WINDOW_COMFORT = 0.5  # share of the context window a corpus may fill and still be "well inside"
FEW_EXAMPLES, MANY_EXAMPLES = 100, 500  # labelled examples
LC_LOW_TOKENS_PER_DAY, LC_HIGH_TOKENS_PER_DAY = 20_000_000, 200_000_000  # corpus tokens x queries per day
HIGH_QPD = 10_000
TIGHT_LATENCY_MS, LOOSE_LATENCY_MS = 1_000, 5_000
ACCURACY_MARGIN = 0.05  # smallest accuracy gap a measured rule acts on
COST_RATIO = 5.0  # long context "much dearer" than RAG per 1k queries
THRESHOLDS_CAVEAT = (
    f"Thresholds ({WINDOW_COMFORT:.0%} of the window, {FEW_EXAMPLES}/{MANY_EXAMPLES} labelled examples, "
    f"{LC_LOW_TOKENS_PER_DAY // 10**6}M/{LC_HIGH_TOKENS_PER_DAY // 10**6}M long-context prompt tokens a day, "
    f"{TIGHT_LATENCY_MS:,}/{LOOSE_LATENCY_MS:,} ms latency, {ACCURACY_MARGIN:.0%} accuracy margin) are rules of thumb, "
    "not measurements; they live in core/decide/rules.py.")  # fmt: skip


@dataclass(frozen=True)
class Reference:
    key: str
    short: str
    title: str
    url: str
    finding: str  # what this framework takes from it


REFERENCES: tuple[Reference, ...] = (
    Reference("ovadia2023", "Ovadia et al. 2023", "Fine-Tuning or Retrieval? Comparing Knowledge Injection in LLMs "
              "(EMNLP 2024)", "https://arxiv.org/abs/2312.05934",
              "RAG consistently beat unsupervised fine-tuning for injecting knowledge, old and new; models struggle to "
              "learn new facts by fine-tuning unless shown many paraphrases of each fact."),
    Reference("balaguer2024", "Balaguer et al. 2024", "RAG vs Fine-tuning: Pipelines, Tradeoffs, and a Case Study on "
              "Agriculture", "https://arxiv.org/abs/2401.08406",
              "Fine-tuning added over 6 points of accuracy and RAG 5 more on top: the gains are cumulative, at the "
              "cost of a data-generation and training pipeline."),
    Reference("raft2024", "Zhang et al. 2024 (RAFT)", "RAFT: Adapting Language Model to Domain Specific RAG",
              "https://arxiv.org/abs/2403.10131",
              "Training on questions with the right passage plus distractor passages teaches a model to use retrieved "
              "context in a fixed domain better than plain fine-tuning or plain RAG."),
    Reference("li2024", "Li et al. 2024", "Retrieval Augmented Generation or Long-Context LLMs? A Comprehensive Study "
              "and Hybrid Approach (EMNLP 2024)", "https://arxiv.org/abs/2407.16833",
              "Long context outperforms RAG on average when resourced sufficiently; RAG's much lower cost remains its "
              "advantage (Self-Route sends most queries to RAG)."),
    Reference("liu2024", "Liu et al. 2024", "Lost in the Middle: How Language Models Use Long Contexts (TACL)",
              "https://arxiv.org/abs/2307.03172",
              "Accuracy is highest when evidence is at the start or end of the prompt, drops when it sits in the "
              "middle, and falls as the context grows, even for long-context models."),
    Reference("openai_devday2023", "OpenAI 2023", "A Survey of Techniques for Maximizing LLM Performance (DevDay)",
              "https://www.youtube.com/watch?v=ahnGLM-RC1Y",
              "Context optimisation (what the model needs to know) calls for RAG; LLM optimisation (how it needs to "
              "act: format, style, task behaviour) calls for fine-tuning; the two are additive."),
    Reference("openai_optimization", "OpenAI model optimization guide", "Model optimization",
              "https://developers.openai.com/api/docs/guides/model-optimization",
              "Write evals first to set a baseline, then prompt, then fine-tune, re-running the evals each time."),
    Reference("openai_finetuning", "OpenAI fine-tuning guide", "Fine-tuning",
              "https://platform.openai.com/docs/guides/fine-tuning",
              "Fine-tuning trains on more examples than fit in a prompt and allows shorter prompts, so fewer tokens "
              "and lower latency per request."),
    Reference("anthropic_contextual", "Anthropic 2024", "Introducing Contextual Retrieval",
              "https://www.anthropic.com/news/contextual-retrieval",
              "A knowledge base under about 200,000 tokens (about 500 pages) can go whole into the prompt with prompt "
              "caching, which is faster and cheaper than building retrieval."),
    Reference("openai_ft_practices", "OpenAI fine-tuning best practices", "Fine-tuning best practices",
              "https://developers.openai.com/api/docs/guides/fine-tuning-best-practices",
              "The page announces that OpenAI is winding down its fine-tuning platform for new users."),
    Reference("aws_bedrock_haiku", "AWS 2024", "Fine-tune Anthropic's Claude 3 Haiku in Amazon Bedrock",
              "https://aws.amazon.com/blogs/machine-learning/fine-tune-anthropics-claude-3-haiku-in-amazon-bedrock-to-"
              "boost-model-accuracy-and-quality/",
              "Claude fine-tuning is offered through Amazon Bedrock only, launched in one AWS region (US West, "
              "Oregon)."),
)  # fmt: skip
_REF = {r.key: r for r in REFERENCES}


def _choice(name: str, value, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name} {value!r} is not one of {', '.join(allowed)}.")


def _at_least(name: str, value, low: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
        raise ConfigError(f"{name} must be a number >= {low:g} (got {value!r}); enter it as a plain number.")


@dataclass(frozen=True)
class Situation:
    """What the user tells the decision page; every field feeds at least one rule."""

    gap: Gap  # knowledge: the model lacks facts; behaviour: format/style/task; both
    change_rate: ChangeRate  # how often the facts change
    citations_needed: bool
    corpus_tokens: int
    context_window: int  # of the model you would use, in tokens
    queries_per_day: int
    latency_budget_ms: int  # p95 you can accept
    labelled_examples: int  # question -> good answer pairs you have
    privacy: Privacy
    eval_maturity: EvalMaturity

    def __post_init__(self) -> None:
        for name, allowed in (("gap", get_args(Gap)), ("change_rate", get_args(ChangeRate)),
                              ("privacy", get_args(Privacy)), ("eval_maturity", get_args(EvalMaturity))):  # fmt: skip
            _choice(name, getattr(self, name), allowed)
        if not isinstance(self.citations_needed, bool):
            raise ConfigError(f"citations_needed must be True or False (got {self.citations_needed!r}).")
        for name in ("corpus_tokens", "queries_per_day", "labelled_examples"):
            _at_least(name, getattr(self, name), 0)
        for name in ("context_window", "latency_budget_ms"):
            _at_least(name, getattr(self, name), 1)

    @property
    def window_share(self) -> float:
        return self.corpus_tokens / self.context_window

    @property
    def lc_tokens_per_day(self) -> int:
        """Prompt tokens a day if every query carries the whole corpus (before caching)."""
        return self.corpus_tokens * self.queries_per_day


@dataclass(frozen=True)
class Measurement:
    """One approach's numbers from the last run; None where not measured. `questions`: how many QA items
    the accuracy is over (None = unknown; the fixed margin is used)."""

    accuracy: float | None = None  # 0..1
    tokens_per_query: float | None = None
    latency_p95_ms: float | None = None
    cost_per_1k: float | None = None  # dollars per 1,000 queries
    questions: int | None = None
    measured_with: str | None = None  # the backend that produced the latency and cost, by name
    offline_reader: bool = False  # latency from the offline extractive reader: no LLM's latency, not compared to the budget

    def __post_init__(self) -> None:
        if self.accuracy is not None and not 0 <= self.accuracy <= 1:
            raise ConfigError(f"accuracy must be between 0 and 1 (got {self.accuracy!r}); 78% is 0.78.")
        for name in ("tokens_per_query", "latency_p95_ms", "cost_per_1k"):
            if getattr(self, name) is not None:
                _at_least(name, getattr(self, name), 0)
        if self.questions is not None:
            _at_least("questions", self.questions, 1)


@dataclass(frozen=True)
class Measured:
    """Measurements per approach (map Compare lanes with LANE_TO_APPROACH); `source` names the run."""

    rag: Measurement | None = None
    fine_tuning: Measurement | None = None
    long_context: Measurement | None = None
    hybrid: Measurement | None = None
    source: str = "the last run"

    def get(self, approach: str) -> Measurement | None:
        _choice("approach", approach, APPROACHES)
        return getattr(self, approach)


Condition = Callable[[Situation, "Measured | None"], bool]


@dataclass(frozen=True)
class Rule:
    id: str
    when: Condition
    points: tuple[tuple[str, int], ...]
    reason: str  # a str.format template over the facts (see _facts)
    refs: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()  # prior rules whose points this one cancels when it fires


def _rule(rule_id: str, when: Condition, reason: str, refs: tuple[str, ...] = (), overrides: tuple[str, ...] = (),
          **points: int) -> Rule:  # fmt: skip
    for name in points:
        _choice("approach", name, APPROACHES)
    return Rule(rule_id, when, tuple(points.items()), reason, refs, overrides)


def _value(m: Measured | None, approach: str, field: str) -> float | None:
    measurement = m.get(approach) if m is not None else None
    return getattr(measurement, field) if measurement is not None else None


def accuracy_margin(m: Measured | None, a: str, b: str) -> float:
    """The accuracy gap a measured rule needs: ACCURACY_MARGIN, or wider when both question counts are known:
    1.96 x sqrt(pa(1-pa)/na + pb(1-pb)/nb), the half-width of an unpaired 95% normal interval on the difference."""
    pa, pb = _value(m, a, "accuracy"), _value(m, b, "accuracy")
    na, nb = _value(m, a, "questions"), _value(m, b, "questions")
    if None in (pa, pb, na, nb):
        return ACCURACY_MARGIN
    return max(ACCURACY_MARGIN, 1.96 * sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb))


def _worse(a: str, b: str) -> Condition:
    """Measured accuracy of `a` is below `b` by more than the margin."""

    def when(s: Situation, m: Measured | None) -> bool:
        pa, pb = _value(m, a, "accuracy"), _value(m, b, "accuracy")
        return pa is not None and pb is not None and pb - pa > accuracy_margin(m, a, b)

    return when


def _no_better(a: str, b: str) -> Condition:
    def when(s: Situation, m: Measured | None) -> bool:
        pa, pb = _value(m, a, "accuracy"), _value(m, b, "accuracy")
        return pa is not None and pb is not None and pa - pb <= accuracy_margin(m, a, b)

    return when


def _over_budget(a: str) -> Rule:
    def when(s: Situation, m: Measured | None) -> bool:
        p95 = _value(m, a, "latency_p95_ms")
        return p95 is not None and p95 > s.latency_budget_ms and not _value(m, a, "offline_reader")

    return _rule(f"measured_{a}_over_latency", when,
                 f"Measured: {LABELS[a]} p95 latency {{p95_{a}:,.0f}} ms exceeds latency_budget_ms = "
                 f"{{latency_budget_ms:,}} (answered by {{by_{a}}}; {{source}}).", **{a: -3})  # fmt: skip


def _lc_prompt_too_big(s: Situation, m: Measured | None) -> bool:
    tokens = _value(m, "long_context", "tokens_per_query")
    return tokens is not None and tokens > WINDOW_COMFORT * s.context_window


def _lc_much_dearer(s: Situation, m: Measured | None) -> bool:
    lc, rag = _value(m, "long_context", "cost_per_1k"), _value(m, "rag", "cost_per_1k")
    return lc is not None and rag is not None and lc >= COST_RATIO * rag and s.queries_per_day >= 1_000


_LC_PRIORS = ("corpus_fits_window", "lc_low_volume", "loose_latency")

RULES: tuple[Rule, ...] = (
    # What is missing: facts or behaviour.
    _rule("gap_knowledge", lambda s, m: s.gap == "knowledge",
          "gap = knowledge: the model lacks facts, and retrieval injects knowledge better than fine-tuning.",
          ("ovadia2023", "openai_devday2023"), rag=3, long_context=2, hybrid=1, fine_tuning=-2),
    _rule("gap_behaviour", lambda s, m: s.gap == "behaviour",
          "gap = behaviour: format, style and task behaviour belong in weights; retrieval changes what the model "
          "sees, not how it acts.", ("openai_devday2023",), fine_tuning=4, hybrid=1, rag=-1, long_context=-1),
    _rule("gap_both", lambda s, m: s.gap == "both",
          "gap = both: facts from retrieval plus behaviour from an adapter, and the gains add up.",
          ("balaguer2024", "raft2024"), hybrid=4, rag=1, fine_tuning=1),
    # How fast the facts change.
    _rule("changes_often", lambda s, m: s.change_rate in ("weekly", "daily"),
          "change_rate = {change_rate}: an edited document reaches an index or a prompt at once, while weights "
          "answer from the old text until retrained.", ("ovadia2023",), rag=3, long_context=2, fine_tuning=-3),
    _rule("changes_monthly", lambda s, m: s.change_rate == "monthly",
          "change_rate = monthly: a monthly retrain is possible, but re-indexing the changed documents is cheaper.",
          rag=1, fine_tuning=-1),
    _rule("static_facts", lambda s, m: s.change_rate == "static",
          "change_rate = static: trained weights will not go stale, so training once is viable.", fine_tuning=1),
    _rule("citations", lambda s, m: s.citations_needed,
          "citations_needed = yes: retrieval returns the passage to cite; weights cannot say where a fact came from.",
          rag=3, hybrid=2, long_context=1, fine_tuning=-3),
    # Does the corpus fit the window, and what does sending it cost?
    _rule("corpus_fits_window", lambda s, m: s.window_share <= WINDOW_COMFORT,
          "corpus_tokens = {corpus_tokens:,} is {window_pct:.0f}% of the {context_window:,}-token window: the whole "
          "corpus fits with room to spare.", ("li2024", "anthropic_contextual"), long_context=3),
    _rule("corpus_tight_fit", lambda s, m: WINDOW_COMFORT < s.window_share <= 1,
          "corpus_tokens = {corpus_tokens:,} fills {window_pct:.0f}% of the {context_window:,}-token window: evidence "
          "in the middle of a long prompt is often missed.", ("liu2024",), long_context=-1),
    _rule("corpus_exceeds_window", lambda s, m: s.window_share > 1,
          "corpus_tokens = {corpus_tokens:,} exceeds the {context_window:,}-token window: long context cannot hold "
          "it without dropping documents.", long_context=-10),
    _rule("lc_low_volume", lambda s, m: s.lc_tokens_per_day <= LC_LOW_TOKENS_PER_DAY,
          "queries_per_day = {queries_per_day:,} x corpus_tokens = {lc_mtokens_per_day:,.1f}M prompt tokens a day: "
          "low enough to send the whole corpus with each query (prompt caching cuts it further).",
          ("anthropic_contextual",), long_context=2),
    _rule("lc_high_volume", lambda s, m: s.lc_tokens_per_day > LC_HIGH_TOKENS_PER_DAY,
          "queries_per_day = {queries_per_day:,} x corpus_tokens = {lc_mtokens_per_day:,.0f}M prompt tokens a day: "
          "re-sending the corpus dominates cost, where retrieval sends a few passages.", ("li2024",),
          long_context=-3, rag=1),
    _rule("high_volume", lambda s, m: s.queries_per_day >= HIGH_QPD,
          "queries_per_day = {queries_per_day:,}: training and hosting spread over many queries, and a tuned model "
          "needs shorter prompts.", ("openai_finetuning",), fine_tuning=1),
    # Latency.
    _rule("tight_latency", lambda s, m: s.latency_budget_ms < TIGHT_LATENCY_MS,
          "latency_budget_ms = {latency_budget_ms:,}: prefilling a long prompt and a retrieval hop both cost time; "
          "a tuned model answers from a short prompt.", ("openai_finetuning",),
          long_context=-2, rag=-1, hybrid=-1, fine_tuning=2),
    _rule("loose_latency", lambda s, m: s.latency_budget_ms >= LOOSE_LATENCY_MS,
          "latency_budget_ms = {latency_budget_ms:,}: room to prefill a long prompt.", long_context=1),
    # Training data and evaluation.
    _rule("few_examples", lambda s, m: s.labelled_examples < FEW_EXAMPLES,
          "labelled_examples = {labelled_examples:,}: too few to train an adapter reliably (few-shot prompting "
          "needs only a handful).", fine_tuning=-3, hybrid=-2),
    _rule("some_examples", lambda s, m: FEW_EXAMPLES <= s.labelled_examples < MANY_EXAMPLES,
          "labelled_examples = {labelled_examples:,}: enough for a first adapter, not a lot.", fine_tuning=1, hybrid=1),
    _rule("many_examples", lambda s, m: s.labelled_examples >= MANY_EXAMPLES,
          "labelled_examples = {labelled_examples:,}: enough demonstrations to train an adapter (RAFT-style for a "
          "hybrid: question, right passage, distractors).", ("openai_finetuning", "raft2024"), fine_tuning=2, hybrid=2),
    _rule("no_eval", lambda s, m: s.eval_maturity == "none",
          "eval_maturity = none: nothing would show whether training helped or hurt; evals come first.",
          ("openai_optimization",), fine_tuning=-2, hybrid=-2),
    _rule("spot_checks", lambda s, m: s.eval_maturity == "spot_checks",
          "eval_maturity = spot_checks: a few checks will not catch a regression from training.",
          ("openai_optimization",), fine_tuning=-1, hybrid=-1),
    _rule("continuous_eval", lambda s, m: s.eval_maturity == "continuous",
          "eval_maturity = continuous: regressions from retraining will be caught.", fine_tuning=1, hybrid=1),
    # Where the data may go.
    _rule("on_prem", lambda s, m: s.privacy == "on_prem_only",
          "privacy = on_prem_only: every approach runs on a local open-weight model; an adapter on a model you host "
          "anyway costs little more, while a long prompt needs GPU memory for its cache.",
          fine_tuning=1, hybrid=1, long_context=-1),
    # Measurements from the last Evaluate or Compare run.
    _rule("measured_lc_below_rag", _worse("long_context", "rag"),
          "Measured: long context {acc_long_context:.0%} vs RAG {acc_rag:.0%} accuracy ({source}); this overrides "
          "the window-fit, volume and latency rules for long context.", ("liu2024",), _LC_PRIORS,
          long_context=-4, rag=2),
    _rule("measured_lc_above_rag", _worse("rag", "long_context"),
          "Measured: long context {acc_long_context:.0%} vs RAG {acc_rag:.0%} accuracy ({source}).", ("li2024",),
          long_context=3, rag=-1),
    _rule("measured_ft_below_rag", _worse("fine_tuning", "rag"),
          "Measured: fine-tuned {acc_fine_tuning:.0%} vs RAG {acc_rag:.0%} accuracy ({source}): the adapter answers "
          "the questions worse than retrieval.", ("ovadia2023",), fine_tuning=-3, rag=1),
    _rule("measured_ft_above_rag", _worse("rag", "fine_tuning"),
          "Measured: fine-tuned {acc_fine_tuning:.0%} vs RAG {acc_rag:.0%} accuracy ({source}).", fine_tuning=3),
    _rule("measured_hybrid_above_rag", _worse("rag", "hybrid"),
          "Measured: hybrid {acc_hybrid:.0%} vs RAG {acc_rag:.0%} accuracy ({source}): the adapter adds to "
          "retrieval.", ("balaguer2024",), hybrid=3),
    _rule("measured_hybrid_no_gain", _no_better("hybrid", "rag"),
          "Measured: hybrid {acc_hybrid:.0%} vs RAG {acc_rag:.0%} accuracy ({source}): no gain beyond the margin, "
          "so the simpler pipeline wins.", hybrid=-2, rag=1),
    _rule("measured_lc_prompt", _lc_prompt_too_big,
          "Measured: long context sends {tokens_long_context:,.0f} tokens per query, {lc_measured_pct:.0f}% of the "
          "{context_window:,}-token window ({source}); this overrides the corpus_tokens estimate.", ("liu2024",),
          ("corpus_fits_window",), long_context=-1),
    *(_over_budget(a) for a in APPROACHES),
    _rule("measured_lc_cost", _lc_much_dearer,
          "Measured: long context ${cost_long_context:,.2f} vs RAG ${cost_rag:,.2f} per 1k queries ({source}) at "
          "queries_per_day = {queries_per_day:,}.", ("li2024",), long_context=-2, rag=1),
)  # fmt: skip


@dataclass(frozen=True)
class Note:
    """An anti-pattern, re-look signal or caveat: shown when `when(situation, measured, approach)` holds."""

    when: Callable[[Situation, Measured | None, str], bool]
    text: str  # a str.format template over the facts


_TUNES = ("fine_tuning", "hybrid")
_RETRIEVES = ("rag", "hybrid")

ANTI_PATTERNS: tuple[Note, ...] = (
    Note(lambda s, m, a: s.eval_maturity == "none",
         "Fine-tuning without an evaluation set: nothing shows whether the adapter helped or hurt."),
    Note(lambda s, m, a: s.gap == "knowledge" or s.change_rate != "static",
         "Fine-tuning to inject facts (change_rate = {change_rate}): the adapter keeps answering from the text it "
         "was trained on until it is retrained."),
    Note(lambda s, m, a: s.citations_needed and a in _TUNES,
         "Trusting citations the adapter writes from memory: cite only passages that were retrieved."),
    Note(lambda s, m, a: WINDOW_COMFORT < s.window_share <= 1,
         "Stuffing a corpus that fills {window_pct:.0f}% of the window into every prompt: evidence in the middle is "
         "often missed."),
    Note(lambda s, m, a: s.window_share > 1,
         "Truncating a corpus {window_x:,.1f}x the window to make it fit: dropped documents silently vanish from "
         "the answers."),
    Note(lambda s, m, a: a == "long_context" or (s.window_share <= 1 and s.lc_tokens_per_day > LC_HIGH_TOKENS_PER_DAY),
         "Sending the whole corpus with every query without prompt caching."),
    Note(lambda s, m, a: a in _RETRIEVES,
         "Tuning prompts or the generator before measuring retrieval: check recall@k on the QA set first."),
    Note(lambda s, m, a: a == "hybrid",
         "Training the adapter on gold passages only: add distractor passages, as RAFT does, so it learns to "
         "ignore bad retrievals."),
    Note(lambda s, m, a: s.gap in ("behaviour", "both") and a in ("rag", "long_context"),
         "Expecting retrieved text to fix format or style: put examples in the prompt, or train an adapter later."),
    Note(lambda s, m, a: a in _TUNES and s.labelled_examples < FEW_EXAMPLES,
         "Training on {labelled_examples:,} examples: collect a few hundred first."),
    Note(lambda s, m, a: a == "fine_tuning",
         "Scoring the adapter on its own training examples: score it on held-out test questions."),
    Note(lambda s, m, a: s.privacy != "cloud_ok",
         "Sending documents to a cloud API 'just for the evaluation': privacy = {privacy} covers tests too."),
)  # fmt: skip

RELOOK_SIGNALS: tuple[Note, ...] = (
    Note(lambda s, m, a: a == "long_context",
         "The corpus grows beyond ~{comfort_pct:.0f}% of the context window (now {window_pct:.0f}%: "
         "{corpus_tokens:,} of {context_window:,} tokens)."),
    Note(lambda s, m, a: a != "long_context" and s.window_share > WINDOW_COMFORT,
         "The corpus shrinks, or the window grows, until the corpus fits in ~{comfort_pct:.0f}% of it (now "
         "{window_pct:,.0f}%): long context becomes an option."),
    Note(lambda s, m, a: True,
         "Query volume passes the break-even against the runner-up, {runner_up} (core.decide.costs.break_even_qpd; "
         "now {queries_per_day:,} a day)."),
    Note(lambda s, m, a: a in _TUNES,
         "The facts or the format the adapter learned change, or the base model is deprecated: retrain and re-run "
         "the evaluation."),
    Note(lambda s, m, a: a in _TUNES and s.change_rate != "static",
         "Answers start citing superseded facts (change_rate = {change_rate}): move those facts to retrieval."),
    Note(lambda s, m, a: a in _RETRIEVES,
         "Retrieval recall@k on the QA set drops after the corpus grows or changes."),
    Note(lambda s, m, a: a in ("rag", "long_context") and s.gap != "knowledge",
         "Errors turn out to be format or style rather than missing facts: consider an adapter."),
    Note(lambda s, m, a: a in ("rag", "long_context") and s.labelled_examples < MANY_EXAMPLES,
         "Labelled examples pass ~{many_examples:,} (now {labelled_examples:,}): an adapter becomes trainable."),
    Note(lambda s, m, a: True, "p95 latency in production exceeds latency_budget_ms = {latency_budget_ms:,}."),
    Note(lambda s, m, a: True, "The privacy requirement (now {privacy}) or the model's price changes."),
)  # fmt: skip

CAVEATS: tuple[Note, ...] = (
    Note(lambda s, m, a: s.eval_maturity == "none",
         "Build a QA set first: without one, this recommendation rests on rules of thumb, not measurement."),
    Note(lambda s, m, a: m is None,
         "No measurements given: scores come from the rule table alone. Run Compare or Evaluate and pass them in."),
    Note(lambda s, m, a: s.privacy == "on_prem_only",
         "privacy = on_prem_only: all four approaches must run on local open-weight models (e.g. served by Ollama "
         "or vLLM); check the local model's real context window and quality; cost hosting, not API prices."),
    Note(lambda s, m, a: s.privacy == "region_locked",
         "privacy = region_locked: pick a provider deployment in the required region and check that it offers "
         "fine-tuning and prompt caching there (Claude fine-tuning launched in one AWS region [AWS 2024])."),
    Note(lambda s, m, a: a in _TUNES and s.privacy != "on_prem_only",
         "Hosted fine-tuning offerings change (OpenAI's docs announce a wind-down of its fine-tuning platform; "
         "Claude fine-tuning is on Amazon Bedrock only [OpenAI fine-tuning best practices; AWS 2024]): check your "
         "provider, or train a LoRA adapter on an open-weight model."),
)  # fmt: skip


@dataclass(frozen=True)
class Contribution:
    """One fired rule: its points per approach and its reason; `overridden_by` names the measured rule that
    cancelled its points (they then count zero)."""

    rule: str
    reason: str
    points: tuple[tuple[str, int], ...]
    refs: tuple[str, ...]
    overridden_by: str | None = None

    def points_for(self, approach: str) -> int:
        return 0 if self.overridden_by else dict(self.points).get(approach, 0)


@dataclass(frozen=True)
class Recommendation:
    approach: Approach
    scores: tuple[tuple[str, int], ...]  # every approach, highest first
    reasons: tuple[str, ...]  # strongest support for `approach` first; overridden reasons left out
    anti_patterns: tuple[str, ...]
    relook_signals: tuple[str, ...]
    caveats: tuple[str, ...]
    contributions: tuple[Contribution, ...]  # every fired rule, in table order, for a points table
    references: tuple[Reference, ...]  # those the fired rules cite

    @property
    def label(self) -> str:
        return LABELS[self.approach]

    @property
    def runner_up(self) -> str:
        return self.scores[1][0]

    def score(self, approach: str) -> int:
        return dict(self.scores)[approach]


def _facts(s: Situation, m: Measured | None) -> dict:
    facts = {f: getattr(s, f) for f in Situation.__dataclass_fields__}
    facts.update(citations_needed="yes" if s.citations_needed else "no", window_pct=100 * s.window_share,
                 window_x=s.window_share, lc_mtokens_per_day=s.lc_tokens_per_day / 1e6,
                 comfort_pct=100 * WINDOW_COMFORT,
                 many_examples=MANY_EXAMPLES, source=m.source if m else "")  # fmt: skip
    for a in APPROACHES:
        facts.update({f"acc_{a}": _value(m, a, "accuracy"), f"p95_{a}": _value(m, a, "latency_p95_ms"),
                      f"cost_{a}": _value(m, a, "cost_per_1k"),
                      f"tokens_{a}": _value(m, a, "tokens_per_query"),
                      f"by_{a}": _value(m, a, "measured_with") or "an unnamed backend"})  # fmt: skip
    facts["lc_measured_pct"] = 100 * (facts["tokens_long_context"] or 0) / s.context_window
    return facts


def _cite(rule: Rule, facts: dict) -> str:
    text = rule.reason.format(**facts)
    return f"{text} [{'; '.join(_REF[k].short for k in rule.refs)}]" if rule.refs else text


def recommend(situation: Situation, measured: Measured | None = None) -> Recommendation:
    """Fire every rule, add the points (overridden rules count zero), pick the top score (ties: TIE_ORDER)."""
    fired = [rule for rule in RULES if rule.when(situation, measured)]
    overridden = {target: rule.id for rule in fired for target in rule.overrides}
    facts = _facts(situation, measured)
    contributions = tuple(Contribution(r.id, _cite(r, facts), r.points, r.refs, overridden.get(r.id)) for r in fired)
    totals = {a: sum(c.points_for(a) for c in contributions) for a in TIE_ORDER}
    ranked = sorted(TIE_ORDER, key=lambda a: -totals[a])  # stable: ties keep TIE_ORDER
    best = ranked[0]
    facts["runner_up"] = LABELS[ranked[1]]
    live = [c for c in contributions if not c.overridden_by]
    reasons = [c.reason for c in sorted(live, key=lambda c: -c.points_for(best))]
    caveats = [n.text.format(**facts) for n in CAVEATS if n.when(situation, measured, best)]
    if totals[ranked[0]] - totals[ranked[1]] <= 1:
        caveats.append(f"Close call: {LABELS[best]} {totals[best]} vs {LABELS[ranked[1]]} {totals[ranked[1]]} points; "
                       "run both on Compare and let the measurement decide.")  # fmt: skip
    caveats.extend(_noise_caveats(measured))
    caveats.append(THRESHOLDS_CAVEAT)
    cited = {k for c in live for k in c.refs}
    return Recommendation(
        approach=best,
        scores=tuple((a, totals[a]) for a in ranked),
        reasons=tuple(reasons),
        anti_patterns=tuple(n.text.format(**facts) for n in ANTI_PATTERNS if n.when(situation, measured, best)),
        relook_signals=tuple(n.text.format(**facts) for n in RELOOK_SIGNALS if n.when(situation, measured, best)),
        caveats=tuple(caveats),
        contributions=contributions,
        references=tuple(r for r in REFERENCES if r.key in cited),
    )


def _noise_caveats(m: Measured | None) -> list[str]:
    """The Wilson 95% interval of each accuracy that rests on fewer than 100 questions."""
    out, z = [], 1.96
    for a in APPROACHES:
        p95 = _value(m, a, "latency_p95_ms")
        if p95 is not None and _value(m, a, "offline_reader"):
            out.append(f"{LABELS[a]} latency {p95:,.0f} ms was measured with {_value(m, a, 'measured_with')}, the "
                       "offline reader, on this machine: it says nothing about an LLM's latency, so no latency rule "
                       "used it. Choose your model in the sidebar and measure again to use it.")  # fmt: skip
        p, n = _value(m, a, "accuracy"), _value(m, a, "questions")
        if p is not None and n is not None and n < 100:
            centre = (p + z * z / (2 * n)) / (1 + z * z / n)
            half = z / (1 + z * z / n) * sqrt(p * (1 - p) / n + z * z / (4 * n * n))
            out.append(f"{LABELS[a]} accuracy {p:.0%} rests on {int(n)} questions: the 95% (Wilson) interval is "
                       f"{max(centre - half, 0):.0%} to {min(centre + half, 1):.0%}.")  # fmt: skip
    for a in ("long_context", "fine_tuning"):  # the hybrid's "no gain" rule acts on a small gap by design
        pa, pr, margin = _value(m, a, "accuracy"), _value(m, "rag", "accuracy"), accuracy_margin(m, a, "rag")
        if pa is not None and pr is not None and abs(pa - pr) <= margin and margin > ACCURACY_MARGIN:
            out.append(f"The measured gap between {LABELS[a]} ({pa:.0%}) and RAG ({pr:.0%}) is within the noise "
                       f"margin ({100 * margin:.0f} points) for these question counts, so no accuracy rule acted on "
                       "it.")  # fmt: skip
    return out
