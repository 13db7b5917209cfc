"""Fitting a corpus into the answering model's window for the long-context lane.

The window and the token counts come from the model that answers (a local model's own
tokenizer and max_position_embeddings; a litellm model's window from litellm's map; for
the extractive reader, the "priced as" model the prompt would be sent to). What is left
of the window after the instructions, the question and the answer's token allowance is
the budget for documents. When the corpus overflows and truncation is on, the evidence
documents (when known) are kept, cut to the passages around their evidence quotes when
they would take more than half the budget; other documents that fit whole fill the rest,
in corpus order, and the first that did not fit is cut to fill the remainder, so the evidence can really
sit at the start, middle or end of what the model reads. It does not choose documents by
relevance: that is what the RAG lanes do.

The long-context budget caps how much of the window the prompt may take. By default it is
the whole window, except for a local model on CPU: there it is CPU_BUDGET tokens, because
reading a prompt costs about a second per 200-700 tokens on one core, slower the longer it is
(benchmarks/bench_generation.py, bundled model on 2 idle cores: six lanes took 47-49 s with
this budget and 82 s with the whole 8,192-token window). The lane says which budget it used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from core.errors import PlaygroundError
from core.tokens import count_tokens
from core.prompts import place_evidence
from core.types import Document

CUT = "[... cut to fit the window ...]"
CPU_BUDGET = 4_096
WHOLE_WINDOW = 10**9  # a budget meaning "the model's whole window"


@dataclass(frozen=True)
class Fit:
    documents: tuple[Document, ...]
    corpus_tokens: int
    budget: int
    window: int
    notes: tuple[str, ...]


def prompt_limit(generator, window: int, requested: int | None) -> tuple[int, str | None]:
    """Tokens the long-context prompt may take (at most `window`) and, when that is less than
    the window, a sentence saying so: `requested`, else the default (CPU_BUDGET for a local model
    on CPU, else the whole window)."""
    on_cpu = getattr(generator, "on_cpu", False) is True
    limit = requested if requested is not None else (CPU_BUDGET if on_cpu else WHOLE_WINDOW)
    if limit >= window:
        return window, None
    why = "the default for a local model running on CPU" if requested is None else "the budget chosen"
    return limit, (f"Long-context budget: {limit:,} of the {window:,}-token window ({why}); "
                   "raise the long-context budget to give the model more of the corpus.")  # fmt: skip


def fit_documents(documents: list[Document], evidence: set[str], quotes: tuple[str, ...], position: str,
                  window: int, reserve: int, count: Callable[[str], int], truncate: bool, model: str,
                  limit: int | None = None) -> Fit:  # fmt: skip
    """`limit` (at most `window`): the tokens the whole prompt may take; default the window."""
    limit = min(limit or window, window)
    budget = limit - reserve
    capped = f" (a {limit:,}-token long-context budget)" if limit < window else ""
    if budget <= 0:
        raise PlaygroundError(f"{model}'s window of {window:,} tokens leaves no room for documents after the "
                              f"instructions, question and answer allowance ({reserve:,} tokens). Use a model with "
                              "a larger window or allow fewer new tokens.")  # fmt: skip
    sizes = {d.name: count(d.text) for d in documents}
    total = sum(sizes.values())
    if total <= budget:
        note = f"The corpus ({total:,} tokens) fits {model}'s {window:,}-token window{capped}."
        return Fit(tuple(place_evidence(documents, evidence, position)), total, budget, window, (note,))
    overflow = (f"The corpus is {total:,} tokens and {model}'s window is {window:,}{capped} ({budget:,} left for "
                f"documents after the instructions, question and answer): it overflows by {total - budget:,} tokens.")  # fmt: skip
    if not truncate:
        raise PlaygroundError(overflow + " Turn on truncation, or use a model with a larger window"
                              + (" or a larger long-context budget." if capped else "."))  # fmt: skip
    chosen = [d for d in documents if d.name in evidence]
    if sum(sizes[d.name] for d in chosen) > budget // 2:
        chosen = [_excerpt(d, quotes, budget // (2 * len(chosen)), count) for d in chosen]
    used = sum(count(d.text) for d in chosen)
    others, skipped = [], []
    for document in (d for d in documents if d.name not in evidence):  # whole documents first, in corpus order
        if used + sizes[document.name] <= budget:
            others.append(document)
            used += sizes[document.name]
        else:
            skipped.append(document)
    if skipped and budget - used > 50:  # then the first that did not fit, cut to fill the rest
        others.append(_head(skipped[0], budget - used, count))
        used += count(others[-1].text)
    kept = place_evidence([*others, *chosen], evidence, position)
    kept_whole = sum(1 for d in kept if CUT not in d.text)
    where = (f"the evidence ({', '.join(sorted(evidence))}) at the {position}" if evidence
             else "evidence unknown for a typed question, so the position setting has no effect")  # fmt: skip
    note = (f"{overflow} Truncated: kept {len(kept)} of {len(documents)} documents ({kept_whole} whole, "
            f"{len(kept) - kept_whole} cut), {used:,} tokens, with {where}.")  # fmt: skip
    return Fit(tuple(kept), total, budget, window, (note,))


def _head(document: Document, tokens: int, count: Callable[[str], int]) -> Document:
    """The document's beginning, cut at a line break to at most `tokens` tokens."""
    text = document.text
    end = int(len(text) * tokens / max(count(text), 1))
    while end > 0:
        cut = text.rfind("\n", 0, end)
        piece = text[: cut if cut > end // 2 else end].rstrip() + f"\n{CUT}"
        if count(piece) <= tokens:
            return replace(document, text=piece)
        end = int(end * 0.9)
    return replace(document, text=CUT)


def _excerpt(document: Document, quotes: tuple[str, ...], tokens: int, count: Callable[[str], int]) -> Document:
    """The paragraphs around the evidence quotes found in `document`, within `tokens`; the
    document's beginning when no quote is found in it."""
    text = document.text
    spans = []
    for quote in quotes:
        at = text.find(quote[:80].strip())
        if at >= 0:
            spans.append(at)
    if not spans:
        return _head(document, tokens, count)
    share = max(tokens // len(spans), 50)
    chars = int(len(text) * share / max(count(text), 1))
    pieces, covered = [], -1
    for at in sorted(spans):
        if at < covered:  # this quote is inside the previous passage
            continue
        start = max(text.rfind("\n\n", 0, max(at - chars // 3, 0)), at - chars // 2, 0)
        pieces.append(text[start: start + chars].strip())
        covered = start + chars
    excerpt = f"{CUT}\n" + f"\n{CUT}\n".join(pieces) + f"\n{CUT}"
    while count(excerpt) > tokens and chars > 100:
        chars = int(chars * 0.85)
        excerpt = f"{CUT}\n" + f"\n{CUT}\n".join(p[:chars] for p in pieces) + f"\n{CUT}"
    return replace(document, text=excerpt)


def answering_window(generator, priced_as: str):
    """(window, token counter, answer allowance, model name) of the model that answers: a local
    model's own window and tokenizer, a litellm model's window, else the priced-as model's."""
    from core.pricing import context_window

    if generator is not None and hasattr(generator, "context_window") and hasattr(generator, "count_tokens"):
        return generator.context_window, generator.count_tokens, generator.settings.max_new_tokens, generator.name
    config = getattr(generator, "config", None)
    model = getattr(config, "model", None) or priced_as
    allowance = int(getattr(config, "max_tokens", 0) or 0)
    return context_window(model), (lambda text: count_tokens(text, model)), allowance, model


def own_window(cost, generator, usage):
    """A local model's share of its own window (not the priced-as model's), from its tokenizer's count."""
    window = getattr(generator, "context_window", None) if hasattr(generator, "count_tokens") else None
    if not window or usage is None:
        return cost
    return replace(cost, window=window, window_share=usage.prompt_tokens / window)
