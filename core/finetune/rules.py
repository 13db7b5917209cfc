"""Rule questions: questions made offline from informative corpus sentences (a duty or
permission, a deadline, a number, a definition), each answered by its sentence.

Templates only: a sentence that fits none (too short or long, a question, a heading run
into it, a vague subject) gives no question. No model is involved.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.chunking.locate import headings, section_at
from core.finetune.examples import Example, normalise_question, overlaps, qa_example, with_source
from core.text import refine_title
from core.types import Chunk, Document

_MODAL = re.compile(r"\b(must not|shall not|may not|will not|cannot|must|shall|will|may)\b")
_CLAUSE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\s+(?=[A-Z])")
_NUMBER = re.compile(r"\d")
_TIME = re.compile(r"\s+within\s+(?:\S+\s+){1,3}?(?:\(\d+\)\s+)?(?:business\s+|calendar\s+)?(?:days?|hours?|weeks?|months?|years?)\b")  # fmt: skip
_MEANS = re.compile(r'^"([A-Z][^"]{1,60})" means\s+(.+)$')
_DEFINED = re.compile(r'\(the "([A-Z][^"]{1,60})"\)')
_VALUE = re.compile(r"^(.{3,80}?) (is|are|was|were) ((?:about |approximately |up to |at least )?[$\d].*)$")
_STATE = re.compile(r"^be (entitled|responsible|liable|subject|eligible) (to|for)\b")
_PASSIVE = re.compile(r"^be ([a-z]+(?:ed|en|wn|id|de|nt|ght|ld|un))\b(?: (off|on|out|up|down|back|over)\b)?")
_ADVERBS = {"also", "only", "still", "ordinarily", "always", "normally", "immediately", "promptly", "generally",
            "reasonably", "then", "therefore", "usually", "each", "not"}  # fmt: skip
_CONDITION = {"if", "when", "where", "unless", "after", "before", "during", "once", "until", "for", "in", "within", "to"}  # fmt: skip
_DETERMINERS = {"the", "a", "an", "each", "every", "any", "all", "either", "both", "such", "our", "your", "its", "their"}  # fmt: skip
_BAD_START = {"it", "this", "that", "these", "those", "they", "he", "she", "which", "who", "there", "we", "you", "i",
              "and", "or", "but", "so", "also", "then", "however", "before", "after", "whether", "no", "on"}  # fmt: skip
_MODAL_WORD = {"must": "must", "shall": "must", "will": "will", "may": "may", "cannot": "can",
               "must not": "must", "shall not": "must", "may not": "may", "will not": "will"}  # fmt: skip


def document_label(document: Document) -> str:
    """How a question names a document: 'the Master Services Agreement', 'the memo "<RE>"'."""
    title = " ".join(refine_title(document.title, document.text).split()) or document.name
    memo = re.match(r"^(?:memorandum|memo)\s*(?::| - )\s*(.+)$", title, re.IGNORECASE)
    if memo:
        return f'the memo "{memo.group(1).split(" - ")[0].strip()}"'
    organisation = re.compile(r"\b(LLP|LLC|Inc\.?|Ltd\.?|Intranet|Memo Bank)$", re.IGNORECASE)
    parts = [p for p in title.split(" - ") if not organisation.search(p)]
    title = " - ".join(parts) or title
    if title.isupper():
        small = {"and", "of", "the", "for", "to", "in", "on", "a", "an", "or"}
        title = " ".join(w.lower() if w.lower() in small and i else w.capitalize() for i, w in enumerate(title.split()))
    return title if title.lower().startswith(("the ", "a ", "an ")) else f"the {title}"


@dataclass(frozen=True)
class RuleQuestion:
    """A question made by rule; its answer is `sentence`, a sentence of `chunk`."""

    question: str
    sentence: str
    chunk: Chunk


_LINE_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+[A-Z][^.!?:]{0,70}\n(?=[A-Z])")


def _sentences(chunk: Chunk) -> list[tuple[str, int]]:
    """(sentence, offset in the document) for each sentence of a chunk, whitespace collapsed.
    A numbered heading line that a PDF or text layout runs into the sentence
    ("12.3 Media Inquiries\nEmployees may ...") is replaced by its clause number."""
    from core.chunking.sentences import sentence_spans

    out = []
    for s, e in sentence_spans(chunk.text):
        raw = chunk.text[s:e]
        heading = _LINE_HEADING.match(raw)
        if heading:
            raw = f"{heading.group(1)} {raw[heading.end():]}" if "." in heading.group(1) else raw[heading.end() :]
        out.append((" ".join(raw.split()), chunk.start + s))
    return out


def _subject_case(subject: str, text: str) -> str:  # text: the document without heading lines
    """Lowercase the first word when it is a determiner or the document never capitalises
    it mid-sentence (so 'Employees' becomes 'employees' but 'Customer' stays)."""
    first, _, rest = subject.partition(" ")
    lower = first.lower()
    if lower in _DETERMINERS or (first != lower and not re.search(rf"[a-z,;] {re.escape(first)}\b", text)):
        first = lower
    return f"{first} {rest}".strip()


def _frame(section: tuple[str, ...], clause: str | None, label: str) -> tuple[str, bool]:
    """'Under section 4.2 of <label>' / 'According to the "<heading>" section of <label>' /
    'According to <label>', and whether the frame narrows the question to a clause or section."""
    if clause:
        return f"Under section {clause} of {label}", True
    heading = section[-1] if len(section) > 1 else ""  # section[0] is the document's title heading
    heading = re.sub(r"^(?:section\s+)?[\d.]+\s*(?:the\s+)?", "", heading, flags=re.IGNORECASE).strip()
    if heading and len(heading.split()) <= 8 and not label.startswith("the memo") and heading.upper() != "MEMORANDUM":
        return f'According to the "{heading}" section of {label}', True
    return f"According to {label}", False


def _question_for(sentence: str, section: tuple[str, ...], text: str, label: str) -> tuple[str, str, int] | None:
    """(question, answer sentence, score): a question whose answer is `sentence` (less any
    clause number), scored higher for numbers, defined terms and specific templates."""
    clause_match = _CLAUSE.match(sentence)
    clause = clause_match.group(1) if clause_match else None
    body = sentence[clause_match.end() :] if clause_match else sentence
    words = body.split()
    if not 8 <= len(words) <= 45 or not body.endswith(".") or "?" in body:
        return None
    frame, narrow = _frame(section, clause, label)
    means = _MEANS.match(body)
    if means:
        return f'{frame}, what does "{means.group(1)}" mean?', body, 3 + int(bool(_NUMBER.search(body)))
    if not body[:1].isupper() or ":" in body[:60]:
        return None
    if body.startswith(("Before", "After", "Note")) or "#" in body or ";" in body[:80]:
        return None
    if len(words) > 1 and words[1] in {"All", "The", "Each", "Any", "Every", "No", "A", "An"}:
        return None  # a heading run into the sentence (PDF, text layouts)
    score = int(bool(_NUMBER.search(body))) + int(bool(_DEFINED.search(body)))
    modal = _MODAL.search(body)
    if modal:
        made = _modal_question(body, modal, text, narrow)
        return (f"{frame}, {made[0]}", body, made[1] + score) if made else None
    value = _VALUE.match(body.rstrip("."))
    if value and _good_subject(value.group(1)) and (len(value.group(1).split()) >= 3 or narrow):
        return f"{frame}, what {value.group(2)} {_subject_case(value.group(1), text)}?", body, 2 + score
    defined = _DEFINED.search(body)
    if defined and " " in defined.group(1) and words[0].lower() not in _BAD_START:
        return f'{frame}, what is the "{defined.group(1)}"?', body, 1 + score
    return None


def _good_subject(subject: str) -> bool:
    words = subject.split()
    return (1 <= len(words) <= 8 and subject[:1].isalpha() and words[0].lower() not in _BAD_START | _CONDITION
            and not re.search(r'["();]|\b(that|which|who|whom|provides|says|states|held|stressed)\b', subject))  # fmt: skip


def _modal_question(body: str, modal: re.Match, text: str, narrow: bool) -> tuple[str, int] | None:
    """The question part for '<subject> <modal> <predicate>', e.g. 'how quickly must X pay Y?'."""
    subject, predicate = body[: modal.start()].strip(), body[modal.end() :].strip().rstrip(".")
    condition = ""
    if "," in subject:
        head, _, subject = subject.rpartition(",")
        if head.split()[0].lower() not in _CONDITION or '"' in head:
            return None
        condition = " " + head[0].lower() + head[1:]
    if not _good_subject(subject.strip()) or not re.match(r"[a-z]", predicate):
        return None
    subject = _subject_case(subject.strip(), text)
    word, negated = _MODAL_WORD[modal.group(1)], modal.group(1).endswith("not") or modal.group(1) == "cannot"
    verbs = predicate.split()
    while verbs and verbs[0] in _ADVERBS:
        verbs.pop(0)
    predicate = " ".join(verbs)
    if len(predicate.split()) < 2:
        return None
    timed = _TIME.search(" " + predicate)
    state, passive = _STATE.match(predicate), _PASSIVE.match(predicate)
    if timed and not negated and not predicate.startswith("be "):
        action = (" " + predicate)[: timed.start()].strip()
        if 1 <= len(action.split()) <= 6:
            return f"how quickly {word} {subject} {action}{condition}?", 3
    if negated and predicate.startswith("exceed"):
        return f"what is the limit on {subject}{condition}?", 3
    if state and not negated:
        return f"what {word} {subject} be {state.group(1)} {state.group(2)}{condition}?", 2
    if passive and not negated and passive.group(1) != "deemed":
        particle = f" {passive.group(2)}" if passive.group(2) else ""
        return f"how {word} {subject} be {passive.group(1)}{particle}{condition}?", 2
    if not narrow or predicate.startswith("be "):
        return None  # "what will Northwind do?" is too vague without a clause or section
    return f"what {word} {subject} {'not ' if negated else ''}do{condition}?", 1 if negated else 0


def rule_questions(chunks: Sequence[Chunk], documents: dict[str, Document], n: int, seed: int = 0,
                   avoid: Sequence[str] = ()) -> list[RuleQuestion]:  # fmt: skip
    """Up to `n` questions whose answer is one informative corpus sentence (a duty or
    permission, a deadline, a number, a definition), spread round-robin over documents;
    within a document the most specific templates come first, ties broken by `seed`.
    Sentences overlapping a quote in `avoid` (e.g. test-split evidence) are skipped."""
    rng = random.Random(f"{seed}:rule")
    per_doc: dict[str, list[tuple[int, float, RuleQuestion]]] = {}
    seen: set[str] = set()
    context: dict[str, tuple[str, str, list, list[int]]] = {}
    for chunk in chunks:
        document = documents.get(chunk.doc_name)
        if document is None:
            continue
        if chunk.doc_name not in context:  # text without heading lines (for _subject_case), label, headings
            body = re.sub(r"^(?:#.*|\d[\d.]*\s+[A-Z][^.!?]{0,70})$", "", document.text, flags=re.MULTILINE)
            marks = headings(document.text)
            context[chunk.doc_name] = (body, document_label(document), marks, [m[0] for m in marks])
        body, label, marks, offsets = context[chunk.doc_name]
        for sentence, offset in _sentences(chunk):
            if normalise_question(sentence) in seen or overlaps(sentence, avoid):
                continue
            made = _question_for(sentence, section_at(marks, offsets, offset), body, label)
            if made:
                seen.add(normalise_question(sentence))
                per_doc.setdefault(chunk.doc_name, []).append((-made[2], rng.random(), RuleQuestion(*made[:2], chunk)))
    queues = [[q for *_, q in sorted(per_doc[name], key=lambda t: t[:2])] for name in sorted(per_doc)]
    rng.shuffle(queues)
    chosen: list[RuleQuestion] = []
    asked: set[str] = set()
    while len(chosen) < n and any(queues):
        for queue in queues:
            while queue and len(chosen) < n:
                candidate = queue.pop(0)
                if normalise_question(candidate.question) not in asked:
                    asked.add(normalise_question(candidate.question))
                    chosen.append(candidate)
                    break
    return chosen


def rule_pairs(questions: Sequence[RuleQuestion]) -> list[Example]:
    """Rule questions as closed-book examples: the sentence plus a Source line."""
    return [qa_example("rule", f"rule:{q.chunk.chunk_id}:{i}", q.question,
                        with_source(q.sentence, [q.chunk.doc_name]), q.chunk.chunk_id)
            for i, q in enumerate(questions)]  # fmt: skip
