"""The embedding map: chunks of the corpus in 2D (PCA), the query and its hits marked."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.projection import chunk_vectors, pca_2d


def embedding_map(index, question: str, hits) -> None:
    coords, query = pca_2d(chunk_vectors(index), index.embedder.embed([question]))
    frame = pd.DataFrame({"x": coords[:, 0], "y": coords[:, 1], "document": [c.doc_name for c in index.chunks],
                          "chunk": [c.text[:120].replace("\n", " ") for c in index.chunks]})  # fmt: skip
    figure = go.Figure()
    for name, part in frame.groupby("document"):
        figure.add_trace(go.Scattergl(x=part["x"], y=part["y"], mode="markers", name=name, opacity=0.45,
                                      marker={"size": 6}, text=part["chunk"], hoverinfo="text+name"))  # fmt: skip
    hit_rows = [next(i for i, c in enumerate(index.chunks) if c.chunk_id == h.chunk.chunk_id) for h in hits]
    figure.add_trace(go.Scatter(x=coords[hit_rows, 0], y=coords[hit_rows, 1], mode="markers+text", name="hits",
                                text=[f"#{h.rank}" for h in hits], textposition="top center",
                                marker={"size": 14, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": "black"}}))  # fmt: skip
    figure.add_trace(go.Scatter(x=query[:, 0], y=query[:, 1], mode="markers", name="question",
                                marker={"symbol": "star", "size": 18, "color": "crimson"}))  # fmt: skip
    figure.update_layout(height=520, legend={"font": {"size": 10}}, margin={"t": 30},
                         title="Chunk embeddings, first two principal components")  # fmt: skip
    st.plotly_chart(figure, width="stretch")
    st.caption("PCA keeps only the two directions of largest variance, so distances here are a rough guide; "
               "the ranking uses the full 384-dimensional cosine similarity.")  # fmt: skip
