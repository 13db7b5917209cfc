"""The shared types of fine-tuning datasets: one `Example` (a chat conversation), the
helpers every source uses to make one, and the chat-JSONL export and preview rows.

Every source module (knowledge, rules, generated, style, raft) and the split import
from here; nothing here imports them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from core.prompts import KNOWLEDGE_INSTRUCTIONS, Prompt

Kind = Literal["knowledge", "rule", "generated", "style", "raft"]
KINDS: tuple[str, ...] = get_args(Kind)
ROLES = ("system", "user", "assistant")
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Example:
    """One training conversation. `turns` are (role, content) pairs ending with the
    assistant; `question` is the user question (for leakage checks); `source` a QA id,
    chunk id or file name; `has_oracle` is set for RAFT examples only."""

    id: str
    kind: Kind
    turns: tuple[tuple[str, str], ...]
    question: str
    source: str
    has_oracle: bool | None = None
    split: Literal["train", "test"] = "train"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")
        roles = [role for role, _ in self.turns]
        if not roles or roles[-1] != "assistant" or "user" not in roles or set(roles) - set(ROLES):
            raise ValueError(f"{self.id}: turns need a user message and must end with the assistant, got {roles}")
        if any(not isinstance(text, str) or not text.strip() for _, text in self.turns):
            raise ValueError(f"{self.id}: every message needs non-empty text")

    @property
    def messages(self) -> list[dict]:
        return [{"role": role, "content": content} for role, content in self.turns]

    @property
    def answer(self) -> str:
        return self.turns[-1][1]


def normalise_question(text: str) -> str:
    """Lowercase, apostrophes dropped, other punctuation to spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).lower().replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def qa_example(kind: Kind, ident: str, question: str, answer: str, source: str) -> Example:
    """A closed-book example: the knowledge instructions, the question, then `answer`."""
    turns = tuple((m["role"], m["content"]) for m in Prompt(KNOWLEDGE_INSTRUCTIONS, "", question).messages)
    return Example(ident, kind, turns + (("assistant", answer),), question, source)


def with_source(answer: str, names: Sequence[str]) -> str:
    """`answer` followed by a "Source(s): a, b" line naming each source once."""
    names = list(dict.fromkeys(names))
    return f"{answer}\n\nSource{'s' if len(names) > 1 else ''}: {', '.join(names)}" if names else answer


def overlaps(text: str, quotes: Sequence[str]) -> bool:
    """Whether `text` holds one of `quotes`, or lies inside one (whitespace collapsed)."""
    text = " ".join(text.split())
    return any(quote in text or text in quote for quote in (" ".join(q.split()) for q in quotes) if quote)


def to_chat_jsonl(examples: Sequence[Example]) -> str:
    """One {"messages": [...]} object per line: the conversational format of OpenAI
    fine-tuning and TRL's SFTTrainer."""
    return "".join(json.dumps({"messages": e.messages}, ensure_ascii=False) + "\n" for e in examples)


def preview_rows(examples: Sequence[Example], width: int = 160) -> list[dict]:
    """Rows for a table: kind, split, question, answer (truncated to `width`), source."""
    def cut(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "\u2026"

    return [{"kind": e.kind, "split": e.split, "question": cut(e.question), "answer": cut(e.answer), "source": e.source}
            for e in examples]  # fmt: skip

