"""Corpus page: load the sample, upload files, see and manage documents and versions."""

import math
from pathlib import PurePath

import streamlit as st

from core.errors import PlaygroundError
from core.loaders import FORMATS
from core.types import SourceFile
from ui.actions import ingest_with_progress, load_sample_with_progress, show_report
from ui.resources import get_store, ingest_config
from ui.state import active_corpus, end_page, set_active
from ui.tables import documents_table, preview_text, versions_table

st.title("Corpus")
store = get_store()
corpus = active_corpus(store.list_corpora())
st.session_state.setdefault("uploader_key", 0)


def _remember(report) -> None:
    st.session_state["corpus_report"] = report
    st.session_state["uploader_key"] += 1


left, right = st.columns([1, 2])
with left:
    if st.button("Load the sample corpus", type="primary" if corpus is None else "secondary",
                 help="A fictional law firm's contracts, policies and memos (sample_docs/)."):  # fmt: skip
        try:
            _remember(load_sample_with_progress(store))
            st.rerun()
        except PlaygroundError as exc:
            st.error(str(exc))
with right, st.expander("Manage corpora"):
    with st.form("create_corpus", clear_on_submit=True, border=False):
        name = st.text_input("New corpus name", placeholder="e.g. Client contracts")
        if st.form_submit_button("Create corpus"):
            try:
                set_active(store.create(name).corpus_id)
                st.rerun()
            except PlaygroundError as exc:
                st.error(str(exc))
    if corpus is not None:
        with st.form("rename_corpus", border=False):
            new_name = st.text_input("Rename the active corpus", value=corpus.name)
            if st.form_submit_button("Rename"):
                try:
                    store.rename(corpus.corpus_id, new_name)
                    st.rerun()
                except PlaygroundError as exc:
                    st.error(str(exc))
        confirm = st.checkbox(f"Yes, delete '{corpus.name}' and all its documents")
        if st.button("Delete corpus", disabled=not confirm):
            store.delete(corpus.corpus_id)
            st.session_state.pop("corpus_report", None)
            st.rerun()

if corpus is None:
    st.info("No corpus yet: load the sample corpus above, or create one under 'Manage corpora'.")
    end_page()

docs = corpus.documents
cols = st.columns(4)
cols[0].metric("Documents", len(docs))
cols[1].metric("Words", f"{corpus.total_words:,}")
cols[2].metric("Tokens", f"{corpus.total_tokens:,}", help=f"litellm token_counter, {docs[0].token_model} tokenizer" if docs else None)
cols[3].metric("Size", f"{sum(d.size_bytes for d in docs) / 2**20:.1f} MB")

limit = ingest_config().max_file_mb
with st.form("upload", clear_on_submit=False):
    files = st.file_uploader(
        f"Add files to '{corpus.name}' ({', '.join(FORMATS)}). "
        "A file whose name is already in the corpus becomes its next version.",
        accept_multiple_files=True,
        max_upload_size=max(1, math.ceil(limit)),
        key=f"uploader_{st.session_state['uploader_key']}",
    )
    if st.form_submit_button("Ingest files", type="primary") and files:
        sources = [SourceFile(f.name, f.getvalue()) for f in files]
        try:
            _remember(ingest_with_progress(store, corpus.corpus_id, sources))
            st.rerun()
        except PlaygroundError as exc:
            st.error(str(exc))

if "corpus_report" in st.session_state:
    show_report(st.session_state["corpus_report"])

if not docs:
    st.info("This corpus is empty. Upload files above.")
    end_page()

st.dataframe(
    documents_table(docs),
    hide_index=True,
    width="stretch",
    column_config={
        "document": st.column_config.TextColumn(width="medium"),
        "title": st.column_config.TextColumn(width="medium"),
    },
)

st.subheader("Document")
names = [d.name for d in docs]
chosen = st.selectbox("Preview", names, key="preview_doc")
record = corpus.document(chosen)
history = store.history(corpus.corpus_id, chosen)
version = st.radio("Version", [r.version for r in reversed(history)], horizontal=True,
                   format_func=lambda v: f"v{v}" + (" (current)" if v == record.version else ""))  # fmt: skip
document = store.load_document(corpus.corpus_id, chosen, version)
info, actions = st.columns([3, 1])
with info:
    st.caption(
        f"**{document.title}** · {document.format} · {document.word_count:,} words"
        + (f" · {document.page_count} pages" if document.page_count else "")
        + (f" · encoding {document.encoding}" if document.encoding else "")
        + f" · id `{document.doc_id}`"
    )
    st.code(preview_text(document), language=None, wrap_lines=True, height=420)
with actions:
    st.download_button("Download original", store.original_bytes(corpus.corpus_id, chosen, version),
                       file_name=chosen, width="stretch")  # fmt: skip
    replacement = st.file_uploader(
        f"Replace with a newer version of {chosen}",
        max_upload_size=max(1, math.ceil(limit)),
        key=f"replace_{chosen}_{st.session_state['uploader_key']}",
    )
    if replacement is not None and st.button("Upload as next version", width="stretch"):
        wanted, got = PurePath(chosen).suffix.lower(), PurePath(replacement.name).suffix.lower()
        if wanted != got:
            st.error(f"{replacement.name}: replace {chosen} with a {wanted} file, or add it as a new document.")
        else:
            _remember(ingest_with_progress(store, corpus.corpus_id, [SourceFile(chosen, replacement.getvalue())]))
            st.rerun()
    with st.form(f"tags_{chosen}", border=False):
        tags = st.text_input("Access tags (comma-separated)", ", ".join(record.tags),
                             help="Only viewers holding one of these tags retrieve this document; empty = everyone.")
        if st.form_submit_button("Save tags", width="stretch"):
            store.set_tags(corpus.corpus_id, chosen, tags.split(","))
            st.rerun()
    with st.popover(f"Delete {chosen}", width="stretch"):
        st.caption("Removes the document and all its versions from this corpus.")
        if st.button("Delete for good", type="primary", key="confirm_delete_doc"):
            store.delete_document(corpus.corpus_id, chosen)
            st.rerun()
if len(history) > 1:
    st.markdown("**Versions**")
    st.dataframe(versions_table(history), hide_index=True, width="stretch")
