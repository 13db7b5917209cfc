"""The playground's library: ingestion, corpus storage and (later) retrieval and lanes.

Nothing in this package imports Streamlit. Heavy libraries (torch, transformers,
litellm) are imported lazily inside the functions that need them.
"""
