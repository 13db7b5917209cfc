"""Ingestion overhead on the sample corpus, as ratios measured in one run.

    .venv/bin/python benchmarks/bench_ingest.py

baseline: the bare libraries extract text (pypdf, python-docx, BeautifulSoup, bytes.decode)
parse:    our loaders (validation, decoding, structure, normalisation) / baseline
ingest:   the full store ingest (parse + litellm token counts + atomic writes) / baseline
rerun:    ingesting the same files again (all unchanged) / first ingest
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from core.config import IngestConfig  # noqa: E402
from core.ingest import parse_file  # noqa: E402
from core.sample import sample_files  # noqa: E402
from core.store import CorpusStore  # noqa: E402
from core.tokens import count_tokens  # noqa: E402
from core.types import SourceFile  # noqa: E402


def raw_extract(path: Path, data: bytes) -> str:
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    if path.suffix == ".docx":
        import docx

        return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    if path.suffix == ".html":
        from bs4 import BeautifulSoup

        return BeautifulSoup(data, "html.parser").get_text()
    return data.decode("utf-8")


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    files = [(p, p.read_bytes()) for p in sample_files()]
    sources = [SourceFile(p.name, data) for p, data in files]
    config = IngestConfig()
    count_tokens("warm up the tokenizer", config.token_model)
    raw_extract(files[0][0], files[0][1])
    baseline = best_of(3, lambda: [raw_extract(p, d) for p, d in files])
    parse = best_of(3, lambda: [parse_file(s, config) for s in sources])
    with tempfile.TemporaryDirectory() as tmp:
        store = CorpusStore(Path(tmp))
        cid = store.create("bench").corpus_id
        start = time.perf_counter()
        store.add_files(cid, sources, config)
        ingest = time.perf_counter() - start
        rerun = best_of(3, lambda: store.add_files(cid, sources, config))
    words = sum(len(parse_file(s, config).text.split()) for s in sources)
    print(f"sample corpus: {len(files)} files, {words:,} words")
    print(f"baseline (bare library extraction): {baseline * 1000:.0f} ms")
    print(f"parse  / baseline = {parse / baseline:.2f}  ({parse * 1000:.0f} ms)")
    print(f"ingest / baseline = {ingest / baseline:.2f}  ({ingest * 1000:.0f} ms, includes token counting)")
    print(f"rerun  / ingest   = {rerun / ingest:.2f}  ({rerun * 1000:.0f} ms, all files unchanged)")


if __name__ == "__main__":
    main()
