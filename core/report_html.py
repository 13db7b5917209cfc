"""The Compare run as one self-contained HTML file: inline CSS and SVG, no scripts, nothing fetched.

It carries the question and (for a labelled question) the gold answer, each lane's
verdict in words, its answer with one citation per source passage, a token and cost
table, static charts (tokens per query, latency by stage, dollars per query) and the
settings in words.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone
from typing import Any

from core.labels import MISSING
from core.lanes import LaneResult
from core.svg_charts import bar_chart

TOKEN_PARTS = ("instructions", "context", "question", "formatting", "completion")
TOKEN_COLOURS = {"instructions": "#94a3b8", "context": "#3b82f6", "question": "#f59e0b", "formatting": "#d1d5db",
                 "completion": "#10b981"}  # fmt: skip
e = html.escape

CSS = """body{font-family:system-ui,sans-serif;margin:2rem;color:#222;font-size:17px}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:1rem}
section{border:1px solid #ddd;border-radius:8px;padding:0 1rem}.num,.by{color:#555;font-size:.85rem}
.error{color:#b91c1c}.setup{color:#1d4ed8}.warn{color:#92400e}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ddd;padding:3px 8px;font-size:.85rem;text-align:left}.gold{background:#f1f5f9;padding:.5rem 1rem}
.verdict{display:inline-block;padding:2px 10px;border-radius:6px;font-weight:bold;color:#fff}
.ok{background:#15803d}.bad{background:#b91c1c}.charts svg{display:block;margin:1rem 0}"""


def money(value: float | None) -> str:
    return "price unknown" if value is None else f"${value:,.6f}"


def _verdict(v) -> str:
    if v is None:
        return ""
    tail = f" · {e(v.evidence_words)}" if v.evidence_words else ""
    return (f"<p><span class='verdict {'ok' if v.correct else 'bad'}'>{e(v.word)}</span> "
            f"<span class='by'>{e(v.reason)}{tail}</span></p>")  # fmt: skip


def _card(r: LaneResult, verdict, passages) -> str:
    if r.setup or r.error:
        return f"<section><h2>{e(r.label)}</h2><p class='{'setup' if r.setup else 'error'}'>{e(r.setup or r.error)}</p></section>"
    cites = "".join(f"<li>[{p.marker}] {e(p.doc_name)}{f' p.{p.page}' if p.page else ''}: {e(' … '.join(p.quotes)[:400])}</li>"
                    for p in passages)  # fmt: skip
    return (f"<section><h2>{e(r.label)}</h2>{_verdict(verdict)}<p>{e(r.answer.text)}</p><ul>{cites}</ul>"
            f"<p class='by'>Answered by {e(r.answer.generator)}{' · abstained' if r.answer.abstained else ''}</p>"
            f"<p class='num'>{' · '.join(f'{e(s)} {ms:,.0f} ms' for s, ms in r.timings_ms)} "
            f"(measured with {e(r.answer.generator)})</p>"
            + "".join(f"<p class='warn'>{e(w)}</p>" for w in r.warnings)
            + "".join(f"<p class='num'>{e(n)}</p>" for n in r.notes) + "</section>")  # fmt: skip


def _table(results: list[LaneResult], verdicts: dict) -> str:
    head = ("<tr><th>lane</th><th>verdict</th><th>prompt tokens</th><th>completion tokens</th><th>$ per query</th>"
            "<th>$ cached context</th><th>priced as</th><th>total ms</th><th>answered by</th></tr>")  # fmt: skip
    rows = []
    for r in results:
        if r.tokens is None:
            rows.append(f"<tr><td>{e(r.label)}</td>" + f"<td>{MISSING}</td>" * 8 + "</tr>")
            continue
        v = verdicts.get(r.kind)
        cached = money(r.cost.dollars_cached) if r.cost.dollars_cached is not None else MISSING
        rows.append(f"<tr><td>{e(r.label)}</td><td>{e(v.word) if v else MISSING}</td><td>{r.tokens.prompt:,}</td>"
                    f"<td>{r.tokens.completion:,}</td><td>{money(r.cost.dollars)}</td><td>{cached}</td>"
                    f"<td>{e(r.cost.priced_as)}</td><td>{sum(ms for _, ms in r.timings_ms):,.0f}</td>"
                    f"<td>{e(r.answer.generator) if r.answer else MISSING}</td></tr>")  # fmt: skip
    return f"<table>{head}{''.join(rows)}</table>"


def _charts(results: list[LaneResult]) -> str:
    done = [r for r in results if r.tokens is not None]
    tokens = bar_chart("Tokens per query", [(r.label, [getattr(r.tokens, p) for p in TOKEN_PARTS]) for r in done],
                       TOKEN_PARTS, colours=TOKEN_COLOURS)  # fmt: skip
    stages = list(dict.fromkeys(s for r in done for s, _ in r.timings_ms))
    latency = bar_chart("Latency by stage (ms)", [(r.label, [dict(r.timings_ms).get(s, 0.0) for s in stages]) for r in done],
                        stages)  # fmt: skip
    priced = [r for r in done if r.cost.dollars is not None]
    dollars = bar_chart(f"$ per query (priced as {priced[0].cost.priced_as})" if priced else "",
                        [(r.label, [r.cost.dollars]) for r in priced], ["$ per query"], "${:,.6f}")  # fmt: skip
    return f"<div class='charts'>{tokens}{latency}{dollars}</div>"


def render(question: str, results: list[LaneResult], settings: dict[str, Any], item, verdicts: dict, passages) -> str:
    """`passages(answer)` gives one citation per source passage (core.report.cited_passages)."""
    gold = ""
    if item is not None:
        gold = (f"<div class='gold'><p><b>Gold answer</b> (labelled question {e(item.id)}): {e(item.answer)}</p>"
                f"<p class='num'>Evidence in {e(', '.join(item.sources) or 'none: the lanes should abstain')}</p></div>")  # fmt: skip
    cards = "".join(_card(r, verdicts.get(r.kind), passages(r.answer) if r.answer else ()) for r in results)
    rows = "".join(f"<tr><td>{e(str(k))}</td><td>{e(MISSING if v is None else str(v))}</td></tr>" for k, v in settings.items())
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Compare: {e(question)}</title>
<style>{CSS}</style></head><body>
<h1>{e(question)}</h1><p class="num">RAG vs Fine-Tuning Playground · {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC</p>
{gold}<h2>Lanes</h2>{_table(results, verdicts)}<main>{cards}</main>{_charts(results)}
<h2>Settings</h2><table>{rows}</table></body></html>"""
