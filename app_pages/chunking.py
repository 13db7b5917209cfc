"""Chunking page: see how each strategy splits one document."""

import pandas as pd
import plotly.express as px
import streamlit as st

from core.chunking import STRATEGY_HELP, chunk_document
from core.chunking.snippet import reproduce_snippet
from core.config import CHUNK_STRATEGIES, ChunkConfig
from core.embedding import SentenceTransformerEmbedder
from core.errors import PlaygroundError
from core.tokens import chunk_token_count
from ui.chunk_view import OVERLAP, chunks_html
from ui.resources import get_store
from ui.state import corpus_with_documents, end_page

st.title("Chunking")
store = get_store()
corpus = corpus_with_documents(store)

left, middle, right, far = st.columns([2, 1, 1, 1])
name = left.selectbox("Document", [d.name for d in corpus.documents], key="ck_doc")
strategy = middle.selectbox("Strategy", CHUNK_STRATEGIES, index=CHUNK_STRATEGIES.index("recursive"), key="ck_strategy")
size = right.select_slider("Chunk size (tokens)", [32, 64, 128, 256, 384, 512, 1024], value=256, key="ck_size")
overlap = far.select_slider("Overlap (tokens)", [0, 8, 16, 32, 64, 128], value=32, key="ck_overlap")
st.caption(STRATEGY_HELP[strategy])
if overlap > size // 2:
    st.warning(f"Overlap {overlap} is over half the chunk size {size}; using {size // 2} tokens.")

try:
    config = ChunkConfig(strategy=strategy, chunk_size=size, chunk_overlap=min(overlap, size // 2))
    document = store.load_document(corpus.corpus_id, name)
    with st.spinner("Embedding sentences" if strategy == "semantic" else "Splitting"):
        chunks = chunk_document(document, config, SentenceTransformerEmbedder() if strategy == "semantic" else None)
except PlaygroundError as exc:
    st.error(str(exc))
    end_page()

tokens = [c.tokens for c in chunks]
overlapping = sum(1 for a, b in zip(chunks, chunks[1:]) if b.start < a.end)
cols = st.columns(5)
cols[0].metric("Chunks", len(chunks))
cols[1].metric("Mean tokens", f"{sum(tokens) / len(tokens):.0f}" if tokens else "0")
cols[2].metric("Min / max", f"{min(tokens, default=0)} / {max(tokens, default=0)}")
cols[3].metric("Overlapping pairs", overlapping)
cols[4].metric("Document tokens (cl100k)", f"{chunk_token_count(document.text):,}")

view, side = st.columns([3, 2])
with view:
    st.markdown(f"Each chunk has its own colour; text in two chunks is underlined in <span style='color:{OVERLAP}'>"
                "orange</span>; `[n]` marks where chunk n starts.", unsafe_allow_html=True)  # fmt: skip
    with st.container(height=560):
        st.html(chunks_html(document.text, chunks))
with side:
    figure = px.histogram(pd.DataFrame({"tokens": tokens}), x="tokens", nbins=30, height=260,
                          title="Chunk lengths (tokens, cl100k)")  # fmt: skip
    figure.add_vline(x=size, line_dash="dash", annotation_text="chunk size")
    st.plotly_chart(figure, width="stretch")
    table = pd.DataFrame([{"#": c.index, "tokens": c.tokens, "page": c.page, "section": " > ".join(c.section[-2:]),
                           "start": c.start, "end": c.end} for c in chunks])  # fmt: skip
    st.dataframe(table, hide_index=True, height=220, width="stretch")
    st.markdown("**Reproduce this split**")
    st.code(reproduce_snippet(config, name), language="python")
    st.download_button("Download the extracted text", document.text, file_name=f"{name}.txt")
