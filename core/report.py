"""A compare run as JSON (typed results flattened) and as a self-contained HTML report.

Nothing secret is in a LaneResult (API keys never enter core results), so the export is
the results as they are: question, settings, and per lane the answer, citations, hits,
exact prompt, token breakdown, cost with its source, timings, warnings and errors.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

from core.lanes import LaneResult
from core.secrets import scrub


def run_to_dict(question: str, results: list[LaneResult], settings: dict[str, Any] | None = None) -> dict[str, Any]:
    lanes = []
    for result in results:
        data = asdict(result)
        data["prompt"] = {"messages": result.prompt.messages} if result.prompt else None
        data["hits"] = [{"rank": h.rank, "score": h.score, "doc_name": h.chunk.doc_name, "chunk_id": h.chunk.chunk_id,
                         "page": h.chunk.page, "section": list(h.chunk.section), "text": h.chunk.text,
                         "stages": [list(s) for s in h.stages]} for h in result.hits]  # fmt: skip
        if result.tokens:
            data["tokens"]["prompt_total"] = result.tokens.prompt
        lanes.append(data)
    return {"question": question, "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "settings": settings or {}, "lanes": lanes}  # fmt: skip


def run_to_json(question: str, results: list[LaneResult], settings: dict[str, Any] | None = None) -> str:
    return scrub(json.dumps(run_to_dict(question, results, settings), indent=1, default=str))


@dataclass(frozen=True)
class CitedPassage:
    """One source passage an answer cites, with every quote taken from it."""

    marker: int
    doc_name: str
    page: int | None
    quotes: tuple[str, ...]


def cited_passages(answer) -> list[CitedPassage]:
    """One entry per source passage (chunk): the extractive reader cites a chunk once per
    quoted sentence, which listed "[1] statement_of_work.md" twice."""
    grouped: dict[tuple[int, str], list] = {}
    for c in answer.citations:
        grouped.setdefault((c.marker, c.chunk_id), []).append(c)
    return [CitedPassage(m, cs[0].doc_name, cs[0].page, tuple(dict.fromkeys(c.quote for c in cs)))
            for (m, _), cs in sorted(grouped.items(), key=lambda kv: kv[0][0])]  # fmt: skip


def run_to_html(question: str, results: list[LaneResult], settings: dict[str, Any] | None = None, item=None,
                verdicts: dict | None = None) -> str:  # fmt: skip
    """One HTML file with inline CSS and SVG charts, and no scripts or external resources
    (core.report_html). `item` is the labelled question (gold answer), `verdicts` each
    lane's LaneVerdict by lane kind."""
    from core.report_html import render

    return scrub(render(question, results, settings or {}, item, verdicts or {}, cited_passages))  # keys echoed in errors are masked
