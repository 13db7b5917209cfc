"""Facts about a base model read from its config on this machine, without loading its weights.

A base model is on this machine when it is a folder holding a config.json, a Hugging Face
id already in the local cache, or the bundled model (its converted folder, or before the
first conversion the GGUF file's header). Nothing is downloaded: configs are read with
`local_files_only`. The parameter count comes from building the network on PyTorch's
"meta" device (shapes only, no memory), so tied weights count once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError


@dataclass(frozen=True)
class BaseModelInfo:
    """`parameters` of `model` as counted from `source` (the config file it was read from)."""

    model: str
    parameters: int
    architecture: str
    source: str


def base_model_info(model: str) -> BaseModelInfo:
    """The model's parameter count from its own config; ConfigError when the model is not on this
    machine or is not a causal language model (the message says what to give instead)."""
    model = str(model).strip()
    if not model:
        raise ConfigError("No base model given: pick the bundled model, or give a saved model folder.")
    config, source = _config(model)
    try:
        import torch
        from transformers import AutoModelForCausalLM

        with torch.device("meta"):
            network = AutoModelForCausalLM.from_config(config)
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"Base model {model!r} is a {getattr(config, 'model_type', '?')!r} model, not a causal "
                          f"language model transformers can train ({exc}); pick a causal LM.") from None  # fmt: skip
    count = int(sum(p.numel() for p in network.parameters()))
    architecture = (getattr(config, "architectures", None) or [type(network).__name__])[0]
    return BaseModelInfo(model, count, architecture, source)


def parameter_count(model: str) -> int | None:
    """Parameters of `model`, or None when it is not on this machine (see `base_model_info`)."""
    try:
        return base_model_info(model).parameters
    except ConfigError:
        return None


def _config(model: str):
    """(transformers config, where it was read) for a folder, a cached id or the bundled model."""
    from transformers import AutoConfig

    from core.generation import bundled

    if model == bundled.BUNDLED_MODEL:
        if bundled.is_converted():
            folder = bundled.model_dir()
            return AutoConfig.from_pretrained(str(folder)), f"{folder / 'config.json'}"
        gguf = bundled.gguf_file()
        if gguf is None or not bundled.bundled_available():
            raise ConfigError(f"The bundled model {bundled.BUNDLED_LABEL} is not installed: run `make install` "
                              f"(it installs {bundled.DISTRIBUTION} and gguf), or give a saved model folder.")  # fmt: skip
        return AutoConfig.from_pretrained(str(gguf.parent), gguf_file=gguf.name), f"GGUF header of {gguf.name}"
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ConfigError(f"Folder {model!r} has no config.json, so it is not a saved model: give the folder "
                              "that save_pretrained wrote (config.json plus the weights).")  # fmt: skip
        return AutoConfig.from_pretrained(str(path)), str(path / "config.json")
    if model.startswith(("/", ".", "~")) or model.count("/") > 1:
        raise ConfigError(f"Base model {model!r}: there is no such folder on this machine. Give the folder of a "
                          "saved causal LM, or pick the bundled model.")  # fmt: skip
    try:
        config = AutoConfig.from_pretrained(model, local_files_only=True)
    except (OSError, ValueError):
        raise ConfigError(f"Base model {model!r} is not on this machine: it is not a folder and not in the Hugging "
                          "Face cache, and nothing is downloaded here. Give the folder of a saved causal LM, pick the "
                          "bundled model, or download it once yourself (`hf download <id>` on a machine online).") from None  # fmt: skip
    return config, f"config.json of {model} in the Hugging Face cache"
