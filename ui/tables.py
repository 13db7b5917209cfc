"""Turn typed records into display tables (pandas) for st.dataframe."""

from __future__ import annotations

import pandas as pd

from core.types import Document, DocumentRecord


def documents_table(records: tuple[DocumentRecord, ...]) -> pd.DataFrame:
    token_label = f"tokens ({records[0].token_model})" if records else "tokens"
    table = pd.DataFrame(
        [
            {
                "document": r.name,
                "title": r.title,
                "format": r.format,
                "version": r.version,
                "size (KB)": round(r.size_bytes / 1024, 1),
                "pages": r.pages,
                "words": r.words,
                token_label: r.tokens,
                "added (UTC)": r.added_at.replace("T", " ")[:16],
                "access tags": ", ".join(r.tags),
            }
            for r in records
        ]
    )
    if not table.empty:
        table["pages"] = table["pages"].astype("Int64")
    return table


def versions_table(records: tuple[DocumentRecord, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"version": r.version, "added (UTC)": r.added_at.replace("T", " ")[:16], "doc id": r.doc_id,
             "words": r.words, "tokens": r.tokens, "size (KB)": round(r.size_bytes / 1024, 1)}
            for r in reversed(records)
        ]
    )  # fmt: skip


def preview_text(document: Document, limit: int = 60_000) -> str:
    """The document text with page markers for paged formats, cut at `limit` characters."""
    if document.pages:
        parts = [f"--- page {p.number} ---\n{document.text[p.start:p.end]}" for p in document.pages]
        text = "\n\n".join(parts)
    else:
        text = document.text
    if len(text) > limit:
        return text[:limit] + f"\n\n[... preview cut at {limit:,} of {len(text):,} characters]"
    return text
