"""Fine-tuning lab: a dataset from the corpus, an adapter trained with a live loss curve, the registry."""

import streamlit as st

from core.errors import PlaygroundError
from ui.backend import current_generator
from ui.ft_adapters import registry_section
from ui.ft_dataset import DATASET, dataset_section
from ui.ft_preset import preset_section
from ui.ft_training import JOB, config_widgets, estimate_section, job_panel, registry, start_training
from ui.resources import get_store
from ui.state import corpus_with_documents

st.title("Fine-tuning lab")
st.caption("Fine-tuning changes how a model behaves; it is a poor way to add facts that change. Build a dataset "
           "from the corpus, train a LoRA, IA³ or prompt-tuning adapter on a local model (peft + transformers), "
           "and compare it with RAG on the Compare and Evaluate pages.")  # fmt: skip
store = get_store()
corpus = corpus_with_documents(store)
preset_section(store, corpus)
dataset_section(store, corpus, current_generator())

st.subheader("2 · Train an adapter")
saved = st.session_state.get(DATASET)
if not saved or saved[0] != corpus.corpus_id:
    st.info("Build a dataset first (step 1).")
else:
    dataset = saved[2]
    config = config_widgets()
    if config is not None:
        ready = estimate_section(config, dataset)
        name = st.text_input("Adapter name", f"{config.method}-{corpus.corpus_id}-{len(registry().list()) + 1}",
                             key="ft_name")  # fmt: skip
        busy = bool(st.session_state.get(JOB)) and not st.session_state[JOB][0].snapshot().finished
        if st.button("Start training", type="primary", disabled=busy or not ready, key="ft_start",
                     help="Runs in the background: this page stays usable; the loss curve updates every second."):  # fmt: skip
            try:
                start_training(config, dataset, corpus, name.strip() or config.method)
            except PlaygroundError as exc:
                st.error(str(exc))
job_panel()
registry_section(store, corpus)
