"""Jupyter notebooks (.ipynb), through langchain-community's NotebookLoader: markdown and
code cells in order, each marked with its type, with short outputs (errors included).
The JSON is checked first (a notebook needs a "cells" list). Images in outputs are
dropped; widgets and attachments are not read.
"""

from __future__ import annotations

import json

from core.errors import BadInputError
from core.loaders.base import Loaded, decode_text
from core.loaders.langchain_files import run_on_bytes
from core.text import first_heading

MAX_OUTPUT_CHARS = 2000


def load_notebook(name: str, data: bytes) -> Loaded:
    from langchain_community.document_loaders import NotebookLoader

    from core.langchain_docs import loaded_text

    text, encoding, warnings = decode_text(name, data)
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(name, f"is not a valid notebook (its JSON breaks at line {exc.lineno}: {exc.msg}). "
                            "Save it again from Jupyter.") from exc  # fmt: skip
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise BadInputError(name, "is JSON but not a Jupyter notebook (no \"cells\" list). Upload the .ipynb file "
                            "Jupyter saves, or rename a plain JSON file to .json.")  # fmt: skip
    docs = run_on_bytes(name, text.encode("utf-8"), lambda path: NotebookLoader(
        str(path), include_outputs=True, max_output_length=MAX_OUTPUT_CHARS, traceback=True), "Jupyter notebook")  # fmt: skip
    body = loaded_text(docs)
    markdown = "\n".join("".join(c.get("source", "")) for c in notebook["cells"] if c.get("cell_type") == "markdown")
    return Loaded(text=body, title=first_heading(markdown), encoding=encoding, warnings=warnings)
