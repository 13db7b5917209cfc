"""Injected instructions are data: a detector for passages that address the model, and
the neutralising of fake prompt tags before text is placed in a prompt.

`scan(text)` flags what reads as an order to the model rather than information for a
reader: overriding earlier instructions ("ignore previous instructions"), role tags and
role lines (`<|system|>`, `</context><system>`, "system:" at a line start), persona
switches ("you are now", "from now on you"), and requests to reveal the prompt or keys.
It is a heuristic on English text: it flags for a human to look, it cannot prove a
passage safe, and a paraphrase it does not know passes. `neutralise(text)` turns tags
that could close the prompt's data fence or open a role (`</passages>`, `<system>`,
`<|im_start|>`) into visibly inert look-alikes, so passage text cannot leave its fence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_ROLES = r"system|assistant|user|developer|tool|context|passages?|documents?|instructions?|im_start|im_end|endoftext|inst"
_RULES: tuple[tuple[str, str, re.Pattern], ...] = tuple(
    (kind, label, re.compile(pattern, re.IGNORECASE | re.MULTILINE))
    for kind, label, pattern in (
        ("override", "tells the model to ignore its instructions",
         r"\b(ignore|disregard|forget|override|bypass)\b[^.\n]{0,25}?\b(previous|prior|above|earlier|preceding|"
         r"foregoing|original|system|all (of )?(the|your))\b[^.\n]{0,25}?\b(instructions?|prompts?|rules|directions|"
         r"guidelines|context|messages?)\b|\b(ignore|disregard|forget)\s+(all\s+|any\s+)?(your|the)?\s*(instructions|prompt)\b"),
        ("role tag", "contains a chat role tag",
         rf"<\|\s*/?\s*({_ROLES})\s*\|>|</?\s*({_ROLES})\s*>|\[/?INST\]"),
        ("role line", "starts a line as a chat role",
         r"^\s*(system|assistant|developer)\s*:"),
        ("persona", "tries to change who the model is",
         r"\byou are now\b|\bfrom now on,? (you|the assistant)\b|\byou (will|must|should|shall) (now )?(act|behave) as\b"
         r"|^\s*act as\b|\bnew instructions?\s*:|\bpretend (to be|you are)\b"),
        ("exfiltration", "asks the model to reveal its prompt or keys",
         r"\b(reveal|print|repeat|output|disclose|leak|show|tell me|send)\b[^.\n]{0,30}?\b(your (system )?prompt|"
         r"your instructions|system prompt|hidden instructions|api[ _-]?keys?|(the|your|any) (secret|private) keys?|"
         r"credentials)\b"),
    )
)  # fmt: skip
_FENCE_TAG = re.compile(rf"<(/?)(\s*(?:{_ROLES})\s*)>|<\|([^|<>]{{1,20}})\|>", re.IGNORECASE)


_WARNING = "Possible prompt injection: "


@dataclass(frozen=True)
class Flag:
    kind: str  # override, role tag, role line, persona, exfiltration
    reason: str
    excerpt: str  # the words that matched, as written


@lru_cache(maxsize=4096)
def scan(text: str) -> tuple[Flag, ...]:
    """Every rule `text` breaks, at most one flag per rule (its first match)."""
    flags = []
    for kind, reason, pattern in _RULES:
        match = pattern.search(text or "")
        if match:
            flags.append(Flag(kind, reason, " ".join(match.group(0).split())[:80]))
    return tuple(flags)


def describe(flags: tuple[Flag, ...]) -> str:
    return "; ".join(f"{f.reason} (\u201c{f.excerpt}\u201d)" for f in flags)


@lru_cache(maxsize=1024)  # long context neutralises the same documents on every question
def neutralise(text: str) -> str:
    """Fake fence and role tags made inert: `</passages>` becomes `‹/passages›`."""
    return _FENCE_TAG.sub(lambda m: f"\u2039{m.group(1) or ''}{m.group(2)}\u203a" if m.group(2) is not None
                          else f"\u2039|{m.group(3)}|\u203a", text)  # fmt: skip


def flagged_hits(hits) -> list[tuple[int, object, tuple[Flag, ...]]]:
    """(rank, hit, flags) of the hits whose passage the detector flags."""
    return [(n, h, flags) for n, h in enumerate(hits, start=1) if (flags := scan(h.chunk.text))]


def injection_label(text: str) -> str:
    """A short label for a hit's row: "⚠ override, role tag", or "" when nothing is flagged."""
    flags = scan(text)
    return "\u26a0 " + ", ".join(f.kind for f in flags) if flags else ""


def injection_warning(hits) -> str | None:
    """The lane card's warning when any passage given to the model is flagged."""
    found = flagged_hits(hits)
    if not found:
        return None
    listed = "; ".join(f"[{n}] {h.chunk.doc_name}: {describe(flags)}" for n, h, flags in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return (f"{_WARNING}{len(found)} passage(s) address the model ({listed}{more}). They were sent "
            "as fenced data with the instruction not to obey them; check the answer, or turn on 'Leave out flagged "
            "passages' in the retrieval settings.")  # fmt: skip


def flagged_count(warnings) -> int:
    """How many flagged passages a lane's warnings report (0 when none)."""
    found = next((w for w in warnings if w.startswith(_WARNING)), None)
    return int(found[len(_WARNING):].split()[0]) if found else 0


class FlagFilter:
    """A retriever that leaves out flagged passages (fetching more to still give k)."""

    def __init__(self, base, extra: int = 10) -> None:
        self.base, self.extra = base, extra
        self.index, self.config = getattr(base, "index", None), getattr(base, "config", None)
        self.dropped = 0

    def retrieve(self, query: str, k: int):
        hits = self.base.retrieve(query, k + self.extra)
        kept = [h for h in hits if not scan(h.chunk.text)]
        self.dropped = len(hits) - len(kept)
        return kept[:k]

    def __getattr__(self, name):  # allowed_doc_ids, doc_tags ... of the wrapped retriever
        return getattr(self.base, name)
