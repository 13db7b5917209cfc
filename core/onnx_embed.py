"""ONNX Runtime path for sentence-transformers models made of a BERT-style encoder, mean
pooling and L2 normalisation (the bundled all-MiniLM-L6-v2 is one).

The model is exported once from its own local weights (torch.onnx, no network) into
<data dir>/models/onnx/<key>/model.onnx, written to a temporary name and renamed, so a
crash never leaves half a model. Before first use, its vectors are checked against the
torch ones on fixed sentences (cosine >= 0.999 each); a model that fails the check, or
cannot be exported, falls back to torch and says why in `onnx_status`. Set
PLAYGROUND_EMBED_BACKEND=torch to skip ONNX. Other model shapes are not handled.
"""

from __future__ import annotations

import hashlib
import os
import threading
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

CHECK_SENTENCES = (
    "Either party may terminate this agreement on thirty days written notice.",
    "The domestic meal per diem is $75 per day.",
    "def build_index(store, corpus_id):\n    return store.get(corpus_id)",
    "Breast cancer cells feed on cholesterol",
)
MIN_COSINE = 0.999
_LOCK = threading.Lock()
onnx_status: dict[str, str] = {}  # model name -> "onnx" or why torch is used


class OnnxEncoder:
    """Tokenise with the model's own fast tokenizer, run the exported encoder, mean-pool, normalise."""

    def __init__(self, session, tokenizer, max_length: int) -> None:
        self.session, self.tokenizer, self.max_length = session, tokenizer, max_length
        self.inputs = {i.name for i in session.get_inputs()}

    def encode(self, texts: list[str]) -> np.ndarray:
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="np")
        feed = {k: v.astype(np.int64) for k, v in batch.items() if k in self.inputs}
        hidden = self.session.run(None, feed)[0]
        mask = batch["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def onnx_encoder(name: str, model) -> OnnxEncoder | None:
    """The ONNX encoder for `model` (a loaded SentenceTransformer), or None (torch is used)."""
    if os.environ.get("PLAYGROUND_EMBED_BACKEND", "onnx").strip().lower() == "torch":
        onnx_status[name] = "torch (PLAYGROUND_EMBED_BACKEND=torch)"
        return None
    with _LOCK:
        return _encoder(name, id(model), model)


@lru_cache(maxsize=4)
def _encoder(name: str, _model_id: int, model) -> OnnxEncoder | None:
    reason = _unsupported(model)
    if reason:
        onnx_status[name] = f"torch ({reason})"
        return None
    try:
        import onnxruntime

        path = _export(model)
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - export or runtime trouble of any kind: torch still works
        onnx_status[name] = f"torch (ONNX export failed: {type(exc).__name__}: {exc})"[:300]
        return None
    encoder = OnnxEncoder(session, model.tokenizer, int(model.max_seq_length))
    reference = model.encode(list(CHECK_SENTENCES), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    worst = float(np.min(np.sum(reference * encoder.encode(list(CHECK_SENTENCES)), axis=1)))
    if worst < MIN_COSINE:
        onnx_status[name] = f"torch (ONNX vectors differ: cosine {worst:.4f} < {MIN_COSINE})"
        return None
    onnx_status[name] = f"onnx (cosine to torch >= {worst:.4f})"
    return encoder


def _unsupported(model) -> str | None:
    names = [type(m).__name__ for m in model]
    if names[:2] != ["Transformer", "Pooling"] or names[2:] not in ([], ["Normalize"]):
        return f"modules {names} are not encoder + pooling (+ normalize)"
    config = model[1].get_config_dict() if hasattr(model[1], "get_config_dict") else {}
    mean = config.get("pooling_mode") == "mean" or (config.get("pooling_mode_mean_tokens") and
                                                     sum(bool(v) for k, v in config.items() if k.startswith("pooling_mode_")) == 1)  # fmt: skip
    if not mean:
        return "pooling is not mean pooling"
    if str(model.device) != "cpu":
        return "model runs on a GPU"
    return None


def _export(model) -> Path:
    import torch

    from core.settings import data_dir

    encoder = model[0].auto_model
    source = getattr(encoder.config, "_name_or_path", "") + str(sum(p.numel() for p in encoder.parameters()))
    weights = next(encoder.parameters()).detach().flatten()[:4096].numpy().tobytes()
    key = hashlib.sha256(source.encode() + weights + torch.__version__.encode()).hexdigest()[:16]
    folder = data_dir() / "models" / "onnx" / key
    path = folder / "model.onnx"
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    wrapped = _Wrapped(encoder).eval()
    sample = model.tokenizer(["export"], return_tensors="pt")
    args = tuple(sample.get(n, torch.zeros_like(sample["input_ids"])) for n in names)
    staging = folder / f"model.{os.getpid()}.{threading.get_ident()}.tmp"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's notes on traced branches and index ops
        torch.onnx.export(wrapped, args, str(staging), input_names=names, output_names=["hidden"], opset_version=17,
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "hidden"]}, dynamo=False)  # fmt: skip
    os.replace(staging, path)
    return path


class _Wrapped:
    """The encoder as a module taking positional tensors and returning the last hidden state."""

    def __new__(cls, encoder):
        import torch

        class Wrapped(torch.nn.Module):
            def __init__(self, inner) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state  # fmt: skip

        return Wrapped(encoder)
