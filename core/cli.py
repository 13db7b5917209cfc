"""Headless entry point: `python -m core <command>`.

  load-sample                      create or top up the sample corpus, build its default index and
                                   prepare the bundled model (progress bars on stderr; reused after)
  corpora                          list corpora
  gc                               remove orphan content and temporary files left by a crash
  docs CORPUS                      list a corpus's documents
  ingest PATH... --corpus NAME     ingest files or folders (creates the corpus if new)
  rename CORPUS NEW_NAME | delete CORPUS
  compare --corpus C --question Q [--lanes rag,long_context] [--model M]   lane results
  evaluate --corpus C [--lanes L,...] [--split test|train|all] [--types T,...] [--limit N] [--qa FILE]
       [--priced-as MODEL] [--model M] [--judge M] [--save]   score lanes on a QA set (summary table)
  beir FOLDER [--prechunked [--doc-field F]] [--strategy S --chunk-size N --overlap N --headers]
       [--mode M --fusion F --candidates N --prf-terms N --stem --reranker R ...]
                                   retrieval metrics on a BEIR folder (progress on stderr)
Add --json for machine-readable output. Errors print one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

from core.config import (
    CHUNK_STRATEGIES,
    ChunkConfig,
    IndexConfig,
    IngestConfig,
    RetrievalConfig,
    SparseConfig,
)
from core.embedding import DEFAULT_EMBEDDER
from core.errors import PlaygroundError
from core.lanes import LANE_KINDS
from core.sample import warm_up
from core.secrets import scrub, scrub_value
from core.sources import read_sources
from core.settings import data_dir
from core.store import CorpusStore
from core.types import IngestReport


MODEL_HELP = ("answer with: bundled (SmolLM2-135M-Instruct, local), local:FOLDER_OR_ID, or a litellm model "
              "(default: extractive reader)")
ADAPTER_HELP = "PEFT adapter folder for the fine-tuned and hybrid lanes (on --model's local base, default bundled)"


def _long_context_args(command) -> None:
    command.add_argument("--truncate", action=argparse.BooleanOptionalAction, default=True,
                         help="long context: cut the corpus to the answering model's window (default on)")
    command.add_argument("--position", default="middle", choices=("start", "middle", "end"),
                         help="long context: where the evidence documents sit in the prompt")
    command.add_argument("--context-budget", type=int, default=None, metavar="TOKENS",
                         help="long context: prompt tokens allowed (default: 4,096 for a local model on CPU, "
                              "else the model's whole window)")


def _default_headers() -> str:
    default = IndexConfig()
    return default.header_target if default.contextual_headers else "off"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description=__doc__.split("\n")[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON")
    sub = parser.add_subparsers(dest="command", required=True)
    add = lambda name, help: sub.add_parser(name, help=help, parents=[common])  # noqa: E731
    add("load-sample", "create or top up the sample corpus, its default index and the bundled model")
    add("corpora", "list corpora")
    add("gc", "remove content and temporary files a crash left in the data folder")
    docs = add("docs", "list documents of a corpus")
    docs.add_argument("corpus")
    ingest = add("ingest", "ingest files or folders into a corpus")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument("--corpus", required=True, help="corpus id or name (created if new)")
    rename = add("rename", "rename a corpus")
    rename.add_argument("corpus")
    rename.add_argument("new_name")
    delete = add("delete", "delete a corpus")
    delete.add_argument("corpus")
    beir = add("beir", "evaluate retrieval on a BEIR-format folder")
    beir.add_argument("folder", type=Path)
    beir.add_argument("--split", default="test")
    beir.add_argument("--prechunked", action="store_true", help="one chunk per corpus line")
    beir.add_argument("--strategy", default=ChunkConfig.strategy, help=", ".join(CHUNK_STRATEGIES))
    beir.add_argument("--chunk-size", type=int, default=ChunkConfig.chunk_size)
    beir.add_argument("--overlap", type=int, default=ChunkConfig.chunk_overlap)
    beir.add_argument("--title-acronyms", action=argparse.BooleanOptionalAction, default=IndexConfig.title_acronyms,
                      help="BM25-side headers carry the title's acronyms that the corpus writes")  # fmt: skip
    beir.add_argument("--headers", nargs="?", const="both", default=_default_headers(),
                      help="contextual chunk headers: off, both (the default when given alone), dense or bm25 "
                           f"(default: the lab's, {_default_headers()})")  # fmt: skip
    beir.add_argument("--doc-field", default=None,
                      help="with --prechunked: metadata field shared by the lines of one document (e.g. doc_id)")
    beir.add_argument("--embedder", default=DEFAULT_EMBEDDER)
    beir.add_argument("--mode", default=RetrievalConfig.mode, help="dense, bm25 or hybrid")
    beir.add_argument("--fusion", default=RetrievalConfig.fusion, help="rrf, weighted (min-max) or zscore")
    beir.add_argument("--dense-weight", type=float, default=RetrievalConfig.dense_weight)
    beir.add_argument("--rrf-k", type=int, default=RetrievalConfig.rrf_k)
    beir.add_argument("--top-k", type=int, default=100, help="ranking depth scored per query (MRR is over it)")
    beir.add_argument("--candidates", type=int, default=400,
                      help="depth of each list before fusion / reranking (deeper than the lab's 30: corpora are larger)")
    beir.add_argument("--prf-terms", type=int, default=RetrievalConfig.prf_terms, help="RM3 expansion terms (0 = off)")
    beir.add_argument("--prf-docs", type=int, default=RetrievalConfig.prf_docs)
    beir.add_argument("--prf-weight", type=float, default=RetrievalConfig.prf_weight)
    beir.add_argument("--vector-prf", type=int, default=RetrievalConfig.vector_prf,
                      help="dense query feedback from the top N hits (0 = off)")
    beir.add_argument("--vector-prf-weight", type=float, default=RetrievalConfig.vector_prf_weight)
    beir.add_argument("--tokenizer", default=SparseConfig.tokenizer, help="BM25 tokens: words or technical")
    beir.add_argument("--stem", action=argparse.BooleanOptionalAction, default=SparseConfig.stem)
    beir.add_argument("--k1", type=float, default=SparseConfig.k1)
    beir.add_argument("--b", type=float, default=SparseConfig.b)
    beir.add_argument("--bm25-method", default=SparseConfig.method, help="lucene, robertson, atire, bm25l or bm25+")
    beir.add_argument("--reranker", default="none", help="none, mmr or cross-encoder:MODEL")
    beir.add_argument("--mmr-lambda", type=float, default=0.7)
    compare = add("compare", "run lanes on one question and print their results")
    compare.add_argument("--corpus", required=True, help="corpus id or name")
    compare.add_argument("--question", required=True)
    compare.add_argument("--lanes", default=",".join(LANE_KINDS), help=",".join(LANE_KINDS))
    compare.add_argument("--top-k", type=int, default=5)
    compare.add_argument("--viewer-tags", default=None, help="answer as a viewer holding these access tags (comma-separated)")
    compare.add_argument("--priced-as", default="gpt-4o-mini", help="litellm model whose tokenizer and price are used")
    compare.add_argument("--model", default=None, help=MODEL_HELP)
    compare.add_argument("--adapter", default=None, help=ADAPTER_HELP)
    _long_context_args(compare)
    compare.add_argument("--api-base", default=None)
    evaluate = add("evaluate", "score lanes on a QA set and print the per-lane summary")
    evaluate.add_argument("--corpus", required=True, help="corpus id or name")
    evaluate.add_argument("--lanes", default=",".join(LANE_KINDS), help=",".join(LANE_KINDS))
    evaluate.add_argument("--split", default="test", help="test, train or all")
    evaluate.add_argument("--types", default="", help="question types, comma-separated (default: all)")
    evaluate.add_argument("--limit", type=int, default=None, help="score only the first N questions")
    evaluate.add_argument("--qa", type=Path, default=None, help="a .jsonl or .csv QA file (default: the sample set)")
    evaluate.add_argument("--top-k", type=int, default=5)
    evaluate.add_argument("--viewer-tags", default=None, help="score as a viewer holding these access tags (comma-separated)")
    evaluate.add_argument("--priced-as", default="gpt-4o-mini", help="litellm model whose tokenizer and price are used")
    evaluate.add_argument("--model", default=None, help=MODEL_HELP)
    evaluate.add_argument("--adapter", default=None, help=ADAPTER_HELP)
    _long_context_args(evaluate)
    evaluate.add_argument("--api-base", default=None)
    evaluate.add_argument("--judge", default=None, help="litellm model for the LLM judge (default: none)")
    evaluate.add_argument("--updates", type=Path, default=None,
                          help="folder of updated documents for the freshness items (sample corpus: sample_docs/updates)")
    evaluate.add_argument("--no-freshness", action="store_true", help="skip scoring freshness items after the updates")
    evaluate.add_argument("--save", action="store_true", help="save the run under <data dir>/runs")
    evaluate.add_argument("--max-minutes", type=float, default=None,
                          help="stop after the question running when this time is up (the summary covers those done)")
    return parser


def _report(report: IngestReport) -> dict:
    return {
        "added": [asdict(r) for r in report.added],
        "unchanged": list(report.unchanged),
        "issues": [asdict(i) for i in report.issues],
    }


def _load_sample(store, config) -> dict:
    from core.progress import terminal_progress

    closers = []

    def progress_for(title):
        report, close = terminal_progress(title)
        closers.append(close)
        return report

    try:
        warm = warm_up(store, config, progress_for, lambda message: print(message, file=sys.stderr, flush=True))
    finally:
        for close in closers:
            close()
    return {"corpus": warm.corpus.corpus_id, "documents": len(warm.corpus.documents), **_report(warm.report),
            "index": {"key": warm.index_key, "chunks": warm.chunks, "embedded_now": warm.embedded_chunks,
                      "seconds": round(warm.index_seconds, 1)},
            "sentence_vectors": {"sentences": warm.sentences, "embedded_now": warm.embedded_sentences},
            "bundled_model": {"folder": warm.model, "note": warm.model_note}}  # fmt: skip


def _generator(model: str | None, api_base: str | None = None):
    from core.generation.choice import make_generator

    return make_generator(model, api_base)


def _tuned(args):
    """The fine-tuned lanes' generator: --adapter on --model's local base (bundled by default)."""
    if not getattr(args, "adapter", None):
        return None
    from core.generation.bundled import BUNDLED_MODEL
    from core.generation.local_hf import TransformersGenerator

    base = args.model.removeprefix("local:") if args.model and args.model.startswith("local:") else BUNDLED_MODEL
    return TransformersGenerator(base, args.adapter)


def _lane_context(index, documents, corpus, args, reader, generator):
    """The LaneContext the compare and evaluate commands use: hybrid retrieval, MMR rerank."""
    from core.access import MMR_RERANK, lane_context

    viewer = None if args.viewer_tags is None else tuple(t.strip().lower() for t in args.viewer_tags.split(",") if t.strip())
    config = RetrievalConfig(top_k=args.top_k, viewer_tags=viewer)
    return lane_context(index, documents, corpus, config, MMR_RERANK, reader=reader,
                        generator=generator, priced_as=args.priced_as, tuned=_tuned(args))  # fmt: skip


def _compare(store, args) -> dict:
    from core.generation.extractive import ExtractiveReader
    from core.index import build_index
    from core.lanes import LaneConfig, run_lanes
    from core.report import run_to_dict

    corpus = store.resolve(args.corpus)
    kinds = [k.strip() for k in args.lanes.split(",") if k.strip()]
    configs = [LaneConfig(kind, top_k=args.top_k, evidence_position=args.position, truncate=args.truncate,
                          context_budget=args.context_budget) for kind in kinds]  # fmt: skip
    index = build_index(store, corpus.corpus_id, IndexConfig())
    ctx = _lane_context(index, store.load_documents(corpus.corpus_id), corpus, args, ExtractiveReader(index.embedder),
                        _generator(args.model, args.api_base))  # fmt: skip
    settings = {"corpus": corpus.corpus_id, "lanes": kinds, "top_k": args.top_k, "priced_as": args.priced_as,
                "answered_by": args.model or "extractive reader (no LLM)"}  # fmt: skip
    return run_to_dict(args.question, run_lanes(args.question, ctx, configs), settings)


def _evaluate(store, args) -> dict:
    import time
    from dataclasses import replace

    from core.evaluation.answers import AnswerScorer
    from core.evaluation.freshness import parse_documents, sample_versions, variant
    from core.evaluation.qasets import load_sample_qa, parse_qa_upload, select_items
    from core.evaluation.run import evaluate, evaluate_freshness, gold_from_index
    from core.evaluation.store import RunStore
    from core.evaluation.summary import summarise, summary_table
    from core.generation.extractive import ExtractiveReader
    from core.index import build_index
    from core.lanes import LaneConfig
    from core.sample import SAMPLE_ID

    started = time.perf_counter()
    corpus = store.resolve(args.corpus)
    if args.qa is not None and not args.qa.is_file():
        raise PlaygroundError(f"{args.qa}: no such file. Give the path of a .jsonl or .csv QA file.")
    items = parse_qa_upload(args.qa.name, args.qa.read_bytes()) if args.qa else load_sample_qa()
    types = [t.strip() for t in args.types.split(",") if t.strip()]
    items = select_items(items, args.split, types, args.limit)
    if not items:
        raise PlaygroundError(f"No questions match --split {args.split} --types {args.types or 'all'}; widen the filters.")
    configs = [LaneConfig(k.strip(), top_k=args.top_k, evidence_position=args.position, truncate=args.truncate,
                          context_budget=args.context_budget) for k in args.lanes.split(",") if k.strip()]  # fmt: skip
    index = build_index(store, corpus.corpus_id, IndexConfig())
    documents = store.load_documents(corpus.corpus_id)
    reader, generator = ExtractiveReader(index.embedder), _generator(args.model, args.api_base)
    judge = _generator(args.judge, args.api_base)
    scorer = AnswerScorer(index.embedder)
    settings = {"split": args.split, "types": types or "all", "limit": args.limit, "top_k": args.top_k,
                "qa": str(args.qa) if args.qa else "sample_docs/qa.jsonl", "index": index.config.key}  # fmt: skip
    ctx = _lane_context(index, documents, corpus, args, reader, generator)
    stop = (lambda: time.perf_counter() - started > args.max_minutes * 60) if args.max_minutes else None
    from core.progress import terminal_progress

    progress, close = terminal_progress(f"Evaluating {len(items)} questions x {len(configs)} lanes")
    try:
        run = evaluate(items, ctx, configs, gold_from_index(index, documents), index.embedder, progress=progress,
                       judge_generator=judge, corpus=corpus, settings=settings, scorer=scorer, stop=stop)  # fmt: skip
    finally:
        close()
    if run.stopped:
        done = len({r.item_id for r in run.records})
        settings["stopped"] = f"time limit of {args.max_minutes:g} min reached after {done} of {len(items)} questions"
        run = replace(run, settings={**run.settings, "stopped": settings["stopped"]})
    fresh = [i for i in items if i.answer_after_update and i.evidence_after_update]
    if fresh and not args.no_freshness and not run.stopped and (args.updates or corpus.corpus_id == SAMPLE_ID):
        if args.updates and not args.updates.is_dir():
            raise PlaygroundError(f"{args.updates}: no such folder. Give a folder of updated documents.")
        if args.updates:
            originals, updates = [], parse_documents(sorted(p for p in args.updates.iterdir() if p.is_file()))
        else:
            originals, updates = sample_versions()
        (before, before_docs), (after, after_docs) = variant(index, documents, originals), variant(index, documents, updates)
        run = evaluate_freshness(run, fresh, _lane_context(before, before_docs, corpus, args, reader, generator),
                                 _lane_context(after, after_docs, corpus, args, reader, generator), configs,
                                 gold_from_index(before, before_docs), gold_from_index(after, after_docs),
                                 index.embedder, judge_generator=judge, scorer=scorer)  # fmt: skip
        freshness = f"{len(fresh)} freshness items before/after updating {', '.join(d.name for d in updates)}"
    else:
        freshness = "not scored" + ("" if fresh else " (no freshness items chosen)")
    run = replace(run, settings={**run.settings, "freshness": freshness, "seconds": round(time.perf_counter() - started, 1)})
    saved = str(RunStore(data_dir() / "runs").save(run)) if args.save else None
    summaries = summarise(run)
    footer = (f"{len(items)} questions x {len(configs)} lanes, {run.settings['seconds']} s; run {run.run_id}"
              f"{'; STOPPED: ' + settings['stopped'] if run.stopped else ''}"
              f"{f', saved to {saved}' if saved else ''}; freshness: {run.settings['freshness']}")  # fmt: skip
    return {"table": summary_table(summaries) + "\n" + footer, "run_id": run.run_id, "created_at": run.created_at,
            "corpus": {"id": run.corpus_id, "fingerprint": run.corpus_fingerprint, "revision": run.corpus_revision},
            "settings": run.settings, "saved": saved, "summary": [asdict(s) for s in summaries],
            "records": [asdict(r) for r in run.records]}  # fmt: skip


def _beir(args) -> dict:
    from core.beir import run_beir, stderr_progress

    chunk = None if args.prechunked else ChunkConfig(strategy=args.strategy, chunk_size=args.chunk_size,
                                                     chunk_overlap=args.overlap)  # fmt: skip
    sparse = SparseConfig(tokenizer=args.tokenizer, stem=args.stem, k1=args.k1, b=args.b, method=args.bm25_method)
    if args.headers not in ("off", "both", "dense", "bm25"):
        raise PlaygroundError(f"--headers {args.headers!r} is not one of off, both, dense, bm25.")
    index_config = IndexConfig(chunk=chunk or ChunkConfig(), embedder=args.embedder, contextual_headers=args.headers != "off",
                               header_target=args.headers if args.headers != "off" else "both", sparse=sparse,
                               title_acronyms=args.title_acronyms)  # fmt: skip
    retrieval = RetrievalConfig(mode=args.mode, fusion=args.fusion, dense_weight=args.dense_weight, rrf_k=args.rrf_k,
                                top_k=args.top_k, candidates=max(args.candidates, args.top_k), prf_terms=args.prf_terms,
                                prf_docs=args.prf_docs, prf_weight=args.prf_weight, vector_prf=args.vector_prf,
                                vector_prf_weight=args.vector_prf_weight)  # fmt: skip
    return run_beir(args.folder, args.split, index_config, retrieval, data_dir() / "beir", prechunked=args.prechunked,
                    doc_field=args.doc_field, reranker=(args.reranker, args.mmr_lambda),
                    progress=stderr_progress("BEIR index"))  # fmt: skip


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    store = CorpusStore(data_dir())
    config = IngestConfig.from_env()
    if args.command == "load-sample":
        result = _load_sample(store, config)
    elif args.command == "corpora":
        result = [{"id": c.corpus_id, "name": c.name, "documents": len(c.documents),
                   "words": c.total_words, "tokens": c.total_tokens} for c in store.list_corpora()]  # fmt: skip
    elif args.command == "docs":
        result = [asdict(d) for d in store.resolve(args.corpus).documents]
    elif args.command == "ingest":
        corpus_id = store.ensure(args.corpus).corpus_id  # found or created by name, atomically
        sources, refused = read_sources(args.paths, config)
        report = store.add_files(corpus_id, sources, config)
        result = {"corpus": corpus_id, **_report(replace(report, issues=tuple(refused) + report.issues))}
    elif args.command == "gc":
        freed = store.freed + store.collect_garbage(wait=True)  # opening the store already swept idle corpora
        result = {"files": freed.files, "bytes": freed.bytes, "skipped": list(freed.skipped), "message": freed.message}
    elif args.command == "rename":
        result = asdict(store.rename(store.resolve(args.corpus).corpus_id, args.new_name))
    elif args.command == "compare":
        result = _compare(store, args)
    elif args.command == "evaluate":
        result = _evaluate(store, args)
    elif args.command == "beir":
        result = _beir(args)
    else:
        store.delete(store.resolve(args.corpus).corpus_id)
        result = {"deleted": args.corpus}
    _print(scrub_value(result), args.json)  # no key reaches the terminal, a pipe or a file
    if args.command == "compare" and _all_failed(result["lanes"]):
        print("error: every lane failed (see each lane's error above).", file=sys.stderr)
        return 1
    return 1 if isinstance(result, dict) and any(i["level"] == "error" for i in result.get("issues", [])) else 0


def _all_failed(lanes: list[dict]) -> bool:
    """No lane answered and at least one reported an error (lanes that need setup don't count)."""
    return bool(lanes) and not any(lane["answer"] for lane in lanes) and any(lane["error"] for lane in lanes)


def _print(result, as_json: bool) -> None:
    if isinstance(result, dict) and "table" in result:  # evaluate
        table = result.pop("table")
        print(json.dumps(result, indent=1, default=str) if as_json else table)
        return
    if as_json:
        print(json.dumps(result, indent=1, default=str))
        return
    if isinstance(result, dict) and "added" in result:
        print(f"{result['corpus']}: added {len(result['added'])} "
              f"({', '.join(r['name'] + ' v' + str(r['version']) for r in result['added']) or 'none'}), "
              f"unchanged {len(result['unchanged'])}")  # fmt: skip
        for issue in result["issues"]:
            print(f"  {issue['level']}: {issue['message']}", file=sys.stderr)
        if "index" in result:  # load-sample
            index, model = result["index"], result["bundled_model"]
            sentences = result["sentence_vectors"]
            print(f"default index {index['key']}: {index['chunks']} chunks, {index['embedded_now']} embedded now, "
                  f"{index['seconds']} s; reader's sentence vectors: {sentences['sentences']} "
                  f"({sentences['embedded_now']} embedded now); bundled model: {model['folder'] or model['note']}")
        return
    rows = result if isinstance(result, list) else [result]
    for row in rows:
        issues = row.pop("issues", []) if isinstance(row, dict) else []
        print(json.dumps(row, default=str) if not isinstance(row, str) else row)
        for issue in issues:
            print(f"  {issue['level']}: {issue['message']}", file=sys.stderr)


def main() -> None:
    try:
        sys.exit(run())
    except PlaygroundError as exc:
        print(f"error: {scrub(str(exc))}", file=sys.stderr)
        sys.exit(2)
