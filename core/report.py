"""A compare run as JSON (typed results flattened) and as a self-contained HTML report.

Nothing secret is in a LaneResult (API keys never enter core results), so the export is
the results as they are: question, settings, and per lane the answer, citations, hits,
exact prompt, token breakdown, cost with its source, timings, warnings and errors.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict
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


def _money(value: float | None) -> str:
    return "price unknown" if value is None else f"${value:,.6f}"


def run_to_html(question: str, results: list[LaneResult], settings: dict[str, Any] | None = None) -> str:
    """One HTML file with inline CSS and no scripts or external resources."""
    e = html.escape
    cards = []
    for r in results:
        if r.setup or r.error:
            body = f"<p class='{'setup' if r.setup else 'error'}'>{e(r.setup or r.error)}</p>"
        else:
            t, c = r.tokens, r.cost
            cites = "".join(f"<li>[{x.marker}] {e(x.doc_name)}{f' p.{x.page}' if x.page else ''}: {e(x.quote[:300])}</li>"
                            for x in r.answer.citations)  # fmt: skip
            body = (f"<p class='by'>{e(r.answer.generator)}{' · abstained' if r.answer.abstained else ''}</p>"
                    f"<p>{e(r.answer.text)}</p><ul>{cites}</ul>"
                    f"<p class='num'>tokens: instructions {t.instructions:,} · context {t.context:,} · question "
                    f"{t.question:,} · formatting {t.formatting:,} · completion {t.completion:,} ({e(t.model)})</p>"
                    f"<p class='num'>{_money(c.dollars)} per query as {e(c.priced_as)}"
                    f"{f' · {_money(c.dollars_cached)} cached' if c.dollars_cached is not None else ''}"
                    f"{f' · source: {e(c.source)}' if c.source else ''}</p>"
                    f"<p class='num'>{' · '.join(f'{e(s)} {ms:,.0f} ms' for s, ms in r.timings_ms)}</p>"
                    + "".join(f"<p class='warn'>{e(w)}</p>" for w in r.warnings)
                    + "".join(f"<p class='num'>{e(n)}</p>" for n in r.notes))  # fmt: skip
        cards.append(f"<section><h2>{e(r.label)}</h2>{body}</section>")
    rows = "".join(f"<tr><td>{e(str(k))}</td><td>{e(str(v))}</td></tr>" for k, v in (settings or {}).items())
    return scrub(f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Compare: {e(question)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}}main{{display:flex;gap:1rem;flex-wrap:wrap}}
section{{flex:1 1 260px;border:1px solid #ddd;border-radius:8px;padding:0 1rem}}.num,.by{{color:#555;font-size:.85rem}}
.error{{color:#b91c1c}}.setup{{color:#1d4ed8}}.warn{{color:#92400e}}table{{border-collapse:collapse}}
td{{border:1px solid #ddd;padding:2px 8px;font-size:.85rem}}</style></head><body>
<h1>{e(question)}</h1><p class="num">RAG vs Fine-Tuning Playground · {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC</p>
<table>{rows}</table><main>{''.join(cards)}</main></body></html>""")  # keys echoed in errors are masked
