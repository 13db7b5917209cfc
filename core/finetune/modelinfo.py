"""Facts about a base model read without loading its weights."""

from __future__ import annotations


def parameter_count(model: str) -> int | None:
    """Parameters of `model` (folder or id on this machine), built on the meta device from its
    config; None when the config cannot be read (not on this machine, or not a causal LM)."""
    try:
        import torch
        from transformers import AutoConfig, AutoModelForCausalLM

        config = AutoConfig.from_pretrained(model)
        with torch.device("meta"):
            network = AutoModelForCausalLM.from_config(config)
        return int(sum(p.numel() for p in network.parameters()))
    except (OSError, ValueError, KeyError, ImportError):
        return None
