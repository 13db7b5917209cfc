"""Entry point: `streamlit run app.py`. Navigation, shared sidebar, nothing heavy."""

import streamlit as st

from ui.sidebar import render_sidebar
from ui.state import PageEnd
from ui.warmup import warm_active_corpus

st.set_page_config(page_title="RAG vs Fine-Tuning Playground", page_icon=":material/science:", layout="wide")

navigation = st.navigation(
    [
        st.Page("app_pages/home.py", title="Welcome", icon=":material/waving_hand:", default=True),
        st.Page("app_pages/corpus.py", title="Corpus", icon=":material/folder_open:", url_path="corpus"),
        st.Page("app_pages/chunking.py", title="Chunking", icon=":material/segment:", url_path="chunking"),
        st.Page("app_pages/retrieval.py", title="Retrieval lab", icon=":material/search:", url_path="retrieval"),
        st.Page("app_pages/finetune.py", title="Fine-tuning lab", icon=":material/tune:", url_path="finetune"),
        st.Page("app_pages/compare.py", title="Compare", icon=":material/view_column:", url_path="compare"),
        st.Page("app_pages/evaluate.py", title="Evaluate", icon=":material/fact_check:", url_path="evaluate"),
        st.Page("app_pages/decide.py", title="Decide", icon=":material/balance:", url_path="decide"),
    ]
)
workshop = render_sidebar()
try:
    navigation.run()
except PageEnd:  # a page ended early (pages use end_page(), not st.stop(), so this still draws)
    pass
workshop()  # after the page, so that saving a snapshot sees the results this run made
warm_active_corpus()  # after the page is drawn: load the default index in the background
