"""Shared Streamlit pieces: cached resources, session state, the sidebar."""
