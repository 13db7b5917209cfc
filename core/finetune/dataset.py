"""Fine-tuning datasets built from a corpus: examples, leakage-safe split, chat JSONL.

Sources (each a `kind`): "knowledge" (the TRAIN split of a QA set, gold answer plus a
Source line; out-of-corpus items teach abstention), "rule" (questions made offline from
informative corpus sentences, see `rule_questions`), "generated" (pairs an LLM writes from
chunks), "style" (core.finetune.style) and "raft" (core.finetune.raft). `build_dataset`
chunks the documents with core.chunking directly, so no embedding index is needed
(the "semantic" strategy, which needs an embedder, is refused).

Split: an example whose normalised question, or whose source QA id, belongs to the
evaluation TEST split is forced into the dataset's test side (never train); examples
sharing a normalised question stay on one side; the other question groups are split
per kind (of a group's first example) by a seeded share: int(share * groups + 0.5) go
to test. Only questions are held out: corpus text (chunks, memos, distractors) is
training material by design; DatasetSpec.hide_test_evidence also skips rule sentences
and generation chunks that quote the test split's evidence.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import zip_longest
from typing import Literal, get_args

from core.chunking.locate import headings, section_at
from core.config import ChunkConfig
from core.errors import ConfigError, PlaygroundError
from core.generation.extractive import ABSTAIN
from core.prompts import KNOWLEDGE_INSTRUCTIONS, Prompt
from core.qa import QAItem
from core.text import refine_title
from core.tokens import chunk_token_count
from core.types import Chunk, Document, TokenUsage

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


def _qa_example(kind: Kind, ident: str, question: str, answer: str, source: str) -> Example:
    turns = tuple((m["role"], m["content"]) for m in Prompt(KNOWLEDGE_INSTRUCTIONS, "", question).messages)
    return Example(ident, kind, turns + (("assistant", answer),), question, source)


def _with_source(answer: str, names: Sequence[str]) -> str:
    names = list(dict.fromkeys(names))
    return f"{answer}\n\nSource{'s' if len(names) > 1 else ''}: {', '.join(names)}" if names else answer


# ----- knowledge: the QA set's train split -------------------------------------------
def current_answer(item: QAItem, documents: dict[str, Document]) -> tuple[str, tuple[str, ...]]:
    """The gold answer and its evidence for the corpus as it is now: a freshness item
    whose original quotes are gone but whose updated quotes are present uses the update."""
    from core.metrics import locate

    def found(quotes: Sequence[str]) -> bool:
        return any(locate(documents[n].text, q) for q in quotes for n in item.sources if n in documents)

    updated = item.answer_after_update and item.evidence_after_update
    if updated and not found(item.evidence) and found(item.evidence_after_update):
        return item.answer_after_update, item.evidence_after_update
    return item.answer, item.evidence


def knowledge_pairs(items: Sequence[QAItem], documents: dict[str, Document], abstain: bool = True) -> list[Example]:
    """Question -> gold answer plus a Source line, for TRAIN items only. Out-of-corpus
    items become abstention examples (the exact ABSTAIN reply the lanes detect), or are
    skipped when `abstain` is False."""
    examples = []
    for item in items:
        if item.split != "train":
            continue
        if not item.answerable:
            if abstain:
                examples.append(_qa_example("knowledge", f"knowledge:{item.id}", item.question, ABSTAIN, item.id))
            continue
        answer, _ = current_answer(item, documents)
        examples.append(_qa_example("knowledge", f"knowledge:{item.id}", item.question,
                                    _with_source(answer, item.sources), item.id))  # fmt: skip
    return examples


# ----- rule: questions made from informative sentences --------------------------------
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
            if normalise_question(sentence) in seen or _overlaps(sentence, avoid):
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
    return [_qa_example("rule", f"rule:{q.chunk.chunk_id}:{i}", q.question,
                        _with_source(q.sentence, [q.chunk.doc_name]), q.chunk.chunk_id)
            for i, q in enumerate(questions)]  # fmt: skip


def _overlaps(text: str, quotes: Sequence[str]) -> bool:
    text = " ".join(text.split())
    return any(quote in text or text in quote for quote in (" ".join(q.split()) for q in quotes) if quote)


def evaluation_evidence(items: Sequence[QAItem]) -> tuple[str, ...]:
    """Every evidence quote (original and updated) of the evaluation TEST split."""
    return tuple(q for i in items if i.split == "test" for q in (*i.evidence, *i.evidence_after_update))


# ----- generated: pairs an LLM writes from chunks -------------------------------------
GENERATION_PROMPT = (
    "Write {k} question and answer pairs that a law firm's staff might ask, each answerable from the passage "
    "below alone. Each answer must be one or two sentences and use only facts stated in the passage. Reply "
    'with JSON only: [{{"question": "...", "answer": "..."}}]\n\nDocument: {name}\n\nPassage:\n{text}'
)


@dataclass(frozen=True)
class GeneratedPairs:
    """What `generated_pairs` made: the examples, one (chunk id, reason) per failure, and the
    summed token usage of every call (None when no call was made)."""

    examples: tuple[Example, ...]
    failures: tuple[tuple[str, str], ...]
    usage: TokenUsage | None
    calls: int


def parse_pairs(text: str) -> list[tuple[str, str]]:
    """Question/answer pairs from a model reply: code fences and text around the JSON are
    ignored; a list of {question, answer}, {"pairs": [...]} or one object are accepted."""
    cleaned = re.sub(r"```(?:json)?", "", text, flags=re.IGNORECASE)
    starts = [m.start() for m in re.finditer(r"[\[{]", cleaned)][:50]
    if not starts:
        raise ValueError("no JSON in the reply")
    for start in starts:  # the first bracket may be prose ("[2] pairs:"): try each in turn
        try:
            data, _ = json.JSONDecoder().raw_decode(cleaned[start:])
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            data = data.get("pairs", data.get("questions", [data]))
        pairs = [_pair(row) for row in data] if isinstance(data, list) else []
        if any(pairs):
            return [p for p in pairs if p]
    raise ValueError("no pair with a non-empty question and answer")


def _pair(row) -> tuple[str, str] | None:
    if not isinstance(row, dict):
        return None
    question, answer = row.get("question", row.get("q")), row.get("answer", row.get("a"))
    if isinstance(question, str) and isinstance(answer, str) and question.strip() and answer.strip():
        return " ".join(question.split()), answer.strip()
    return None


def generated_pairs(chunks: Sequence[Chunk], generator, n: int, progress: Progress | None = None, seed: int = 0,
                    per_chunk: int = 2, min_tokens: int = 40) -> GeneratedPairs:  # fmt: skip
    """Ask `generator` (any object with generate(messages) -> Generation) for up to `n`
    pairs, `per_chunk` per chunk, over chunks of at least `min_tokens` in a seeded order
    spread over documents. A reply that does not parse, or an answer with a number that
    is not in its chunk, is recorded as a failure; three backend errors in a row stop."""
    rng = random.Random(f"{seed}:generated")
    by_doc: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        if chunk.tokens >= min_tokens:
            by_doc.setdefault(chunk.doc_name, []).append(chunk)
    for queue in by_doc.values():
        rng.shuffle(queue)
    order = [c for group in zip_longest(*(by_doc[k] for k in sorted(by_doc))) for c in group if c is not None]
    examples: list[Example] = []
    failures: list[tuple[str, str]] = []
    usages: list[TokenUsage] = []
    errors_in_row = 0
    for chunk in order:
        if len(examples) >= n or errors_in_row >= 3:
            break
        if progress:
            progress(len(examples) / max(n, 1), f"Generating pairs: {len(examples)}/{n} ({chunk.doc_name})")
        prompt = GENERATION_PROMPT.format(k=min(per_chunk, n - len(examples)), name=chunk.doc_name, text=chunk.text)
        try:
            reply = generator.generate([{"role": "user", "content": prompt}])
        except PlaygroundError as exc:  # BackendError and friends: record, go on
            errors_in_row += 1
            failures.append((chunk.chunk_id, f"backend error: {exc}"))
            continue
        errors_in_row = 0
        usages.append(reply.usage)
        try:
            pairs = parse_pairs(reply.text)
        except ValueError as exc:
            failures.append((chunk.chunk_id, f"unparsable reply ({exc}): {reply.text[:120]!r}"))
            continue
        have = set(_NUMBERS.findall(chunk.text.replace(",", "")))
        for question, answer in pairs[: per_chunk]:
            missing = set(_NUMBERS.findall(answer.replace(",", ""))) - have
            if missing:
                failures.append((chunk.chunk_id, f"answer has numbers not in the chunk ({', '.join(sorted(missing))})"))
            elif len(examples) < n:
                examples.append(_qa_example("generated", f"generated:{chunk.chunk_id}:{len(examples)}", question,
                                            _with_source(answer, [chunk.doc_name]), chunk.chunk_id))  # fmt: skip
    if errors_in_row >= 3:
        failures.append(("", "stopped after three backend errors in a row"))
    return GeneratedPairs(tuple(examples), tuple(failures), _sum_usage(usages), len(usages))


_NUMBERS = re.compile(r"\d+(?:\.\d+)?")


def _sum_usage(usages: Sequence[TokenUsage]) -> TokenUsage | None:
    if not usages:
        return None
    sources = {u.source for u in usages}
    return TokenUsage(sum(u.prompt_tokens for u in usages), sum(u.completion_tokens for u in usages),
                      sum(u.cached_prompt_tokens for u in usages), sources.pop() if len(sources) == 1 else "mixed")  # fmt: skip


# ----- split, export, preview --------------------------------------------------------
def split_examples(examples: Sequence[Example], qa_items: Sequence[QAItem], test_share: float, seed: int = 0
                   ) -> tuple[tuple[Example, ...], tuple[Example, ...], int]:  # fmt: skip
    """(train, test, forced): see the module docstring for the rules. `forced` counts the
    examples sent to test because they match the evaluation test split."""
    test_questions = {normalise_question(i.question) for i in qa_items if i.split == "test"}
    test_ids = {i.id for i in qa_items if i.split == "test"}
    groups: dict[str, list[Example]] = {}
    for example in examples:
        groups.setdefault(normalise_question(example.question), []).append(example)
    forced = {key for key, group in groups.items() if key in test_questions or any(e.source in test_ids for e in group)}
    by_kind: dict[str, list[str]] = {}
    for key, group in groups.items():
        if key not in forced:
            by_kind.setdefault(group[0].kind, []).append(key)
    test_keys = set(forced)
    for kind in sorted(by_kind):
        keys = by_kind[kind]
        random.Random(f"{seed}:split:{kind}").shuffle(keys)
        test_keys.update(keys[: int(test_share * len(keys) + 0.5)])
    marked = [replace(e, split="test" if normalise_question(e.question) in test_keys else "train") for e in examples]
    forced_count = sum(len(groups[k]) for k in forced)
    return (tuple(e for e in marked if e.split == "train"), tuple(e for e in marked if e.split == "test"),
            forced_count)  # fmt: skip


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


# ----- the whole build ---------------------------------------------------------------
@dataclass(frozen=True)
class DatasetSpec:
    """Which sources go in and how. raft_no_oracle_target: "answer" (the RAFT paper: answer
    from memory) or "abstain" when no oracle is shown; raft_rule_questions: RAFT also uses
    the rule questions (oracle = their chunk), not only the QA train items;
    hide_test_evidence: rule sentences and generation chunks that hold a TEST-split evidence
    quote are skipped (a stricter closed-book experiment; memos, RAFT distractors and the
    knowledge answers may still carry that text)."""

    knowledge: bool = True
    rule: bool = True
    generated: bool = False
    style: bool = True
    raft: bool = True
    n_rule: int = 60
    n_generated: int = 40
    raft_distractors: int = 3
    raft_no_oracle_share: float = 0.2
    raft_no_oracle_target: Literal["answer", "abstain"] = "answer"
    raft_rule_questions: bool = True
    abstain_out_of_corpus: bool = True
    hide_test_evidence: bool = False
    test_share: float = 0.1
    seed: int = 0
    chunk: ChunkConfig = field(default_factory=ChunkConfig)

    def __post_init__(self) -> None:
        if not any((self.knowledge, self.rule, self.generated, self.style, self.raft)):
            raise ConfigError("No source is on: turn on at least one of knowledge, rule, generated, style, raft.")
        for name, low, high in (("n_rule", 1, 5000), ("n_generated", 1, 5000), ("raft_distractors", 1, 20)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(f"{name}={value!r} must be a whole number from {low} to {high}.")
        if not isinstance(self.raft_no_oracle_share, (int, float)) or not 0.0 <= self.raft_no_oracle_share <= 1.0:
            raise ConfigError(f"raft_no_oracle_share={self.raft_no_oracle_share!r} must be between 0 and 1 "
                              "(0.2 is usual).")  # fmt: skip
        if self.raft_no_oracle_target not in ("answer", "abstain"):
            raise ConfigError(f"raft_no_oracle_target={self.raft_no_oracle_target!r} is not one of answer, abstain.")
        if not isinstance(self.test_share, (int, float)) or not 0.0 <= self.test_share <= 0.5:
            raise ConfigError(f"test_share={self.test_share!r} must be between 0 and 0.5 (0.1 is usual).")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ConfigError(f"seed={self.seed!r} must be a whole number.")
        if not isinstance(self.chunk, ChunkConfig):
            raise ConfigError(f"chunk={self.chunk!r} must be a ChunkConfig.")
        if self.chunk.strategy == "semantic":
            raise ConfigError("chunk strategy 'semantic' needs an embedding model; pick recursive, sentence, "
                              "fixed_tokens or markdown_headers for dataset building.")  # fmt: skip

    @property
    def key(self) -> str:
        from core.config import stable_hash

        return stable_hash(self)


@dataclass(frozen=True)
class FineTuneDataset:
    """The built dataset. stats: {kind: {"train": n, "test": n}}; hash: 16 hex digits of the
    SHA-256 of both JSONL files; forced_test: examples held out because they match the
    evaluation test split; notes: what was skipped and why."""

    spec: DatasetSpec
    train: tuple[Example, ...]
    test: tuple[Example, ...]
    stats: dict[str, dict[str, int]] = field(hash=False)
    hash: str = ""
    forced_test: int = 0
    notes: tuple[str, ...] = ()
    generation_failures: tuple[tuple[str, str], ...] = ()
    generation_usage: TokenUsage | None = None

    @property
    def examples(self) -> tuple[Example, ...]:
        return self.train + self.test

    def jsonl(self, split: Literal["train", "test"] = "train") -> str:
        return to_chat_jsonl(self.train if split == "train" else self.test)

    def token_count(self, split: Literal["train", "test"] | None = None, model: str | None = None) -> int:
        """Tokens of all message texts (cl100k, or `model`'s tokenizer through litellm),
        without the chat template's few tokens per message."""
        from core.tokens import count_tokens

        chosen = self.examples if split is None else self.train if split == "train" else self.test
        count = chunk_token_count if model is None else (lambda text: count_tokens(text, model))
        return sum(count(content) for example in chosen for _, content in example.turns)


def dataset_hash(train: Sequence[Example], test: Sequence[Example]) -> str:
    payload = f"train\n{to_chat_jsonl(train)}test\n{to_chat_jsonl(test)}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def build_dataset(documents: Sequence[Document], qa_items: Sequence[QAItem], spec: DatasetSpec, generator=None,
                  style_rows=None, progress: Progress | None = None) -> FineTuneDataset:  # fmt: skip
    """Chunk `documents`, make every source `spec` turns on, and split leakage-safely
    against `qa_items`' test split. `style_rows` (core.finetune.style.StyleRow) replace the
    corpus memos as style examples; `generator` is needed for "generated" only."""
    from core.chunking import chunk_document
    from core.finetune import raft, style

    report = progress or (lambda fraction, message: None)
    if not documents:
        raise ConfigError("No documents to build from: load a corpus (or the sample corpus) first.")
    if spec.generated and generator is None:
        raise ConfigError("Generated pairs need a generation backend: configure a model in the sidebar, or turn "
                          "'generated' off.")  # fmt: skip
    if style_rows and not spec.style:
        raise ConfigError("Style rows were uploaded but the style source is off: turn 'style' on or remove the file.")
    by_name = {d.name: d for d in documents}
    chunks: list[Chunk] = []
    for i, document in enumerate(documents):
        report(0.2 * i / len(documents), f"Chunking {document.name}")
        chunks.extend(chunk_document(document, spec.chunk))
    examples: list[Example] = []
    notes: list[str] = []
    if spec.knowledge:
        examples += knowledge_pairs(qa_items, by_name, spec.abstain_out_of_corpus)
    avoid = evaluation_evidence(qa_items) if spec.hide_test_evidence else ()
    wants_rules = spec.rule or (spec.raft and spec.raft_rule_questions)
    questions = rule_questions(chunks, by_name, spec.n_rule, spec.seed, avoid) if wants_rules else []
    if spec.rule:
        examples += rule_pairs(questions)
        if len(questions) < spec.n_rule:
            notes.append(f"rule: {len(questions)} of the {spec.n_rule} asked for (no more informative sentences).")
    made = None
    if spec.generated:
        usable = [c for c in chunks if not _overlaps(c.text, avoid)] if avoid else chunks
        made = generated_pairs(usable, generator, spec.n_generated, lambda f, m: report(0.25 + 0.55 * f, m), spec.seed)
        examples += made.examples
        notes += [f"generated: {len(made.failures)} failure(s) over {made.calls} call(s)."] if made.failures else []
    if spec.style:
        report(0.85, "Style examples")
        rows = tuple(style_rows) if style_rows else style.memo_rows(documents)
        examples += style.style_examples(rows)
        notes += [] if rows else ["style: no memo (TO:/FROM:/RE: header) in the corpus and no rows uploaded."]
    if spec.raft:
        report(0.9, "RAFT examples")
        seeds, skipped = raft.qa_seeds(qa_items, chunks, by_name)
        seeds += raft.rule_seeds(questions) if spec.raft_rule_questions else []
        examples += raft.raft_examples(seeds, chunks, spec.raft_distractors, spec.raft_no_oracle_share, spec.seed,
                                       spec.raft_no_oracle_target)  # fmt: skip
        notes += [f"raft: evidence not found for {', '.join(skipped)}; skipped."] if skipped else []
    train, test, forced = split_examples(examples, qa_items, spec.test_share, spec.seed)
    stats = {kind: {"train": sum(e.kind == kind for e in train), "test": sum(e.kind == kind for e in test)}
             for kind in KINDS if getattr(spec, kind)}  # fmt: skip
    report(1.0, f"{len(train)} train and {len(test)} test examples")
    return FineTuneDataset(spec, train, test, stats, dataset_hash(train, test), forced, tuple(notes),
                           made.failures if made else (), made.usage if made else None)  # fmt: skip
