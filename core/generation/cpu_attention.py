"""Attention for a local model computing in bfloat16 on CPU: torch's SDPA for the prompt,
plain matrix products for each new token.

torch's CPU flash-attention kernel is fast for a long prompt but slow for one bfloat16 query
over a long cache: with SmolLM2-135M and a 3,500-token prompt it took 70% of every decode step,
and decoding ran at 6-7 tokens/s against about 16 with matrix products (and 25 after a short
prompt). The prompt still goes through SDPA (eager attention made that prefill 4x slower).
Registered with transformers' AttentionInterface under NAME, with SDPA's mask function.
"""

from __future__ import annotations

NAME = "playground_cpu_bf16"


def attention(module, query, key, value, attention_mask, dropout: float = 0.0, scaling: float | None = None, **kwargs):
    """SDPA when several queries (the prompt); else one query's weights over the cache by matmul."""
    import torch
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    if query.shape[-2] > 1 or module.training:
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs)
    groups = query.shape[1] // key.shape[1]  # grouped-query attention: each key/value head serves `groups` query heads
    if groups > 1:
        key, value = key.repeat_interleave(groups, dim=1), value.repeat_interleave(groups, dim=1)
    weights = torch.matmul(query, key.transpose(-1, -2)) * (scaling if scaling is not None else query.shape[-1] ** -0.5)
    if attention_mask is not None:
        mask = attention_mask[..., : key.shape[-2]]
        weights = weights.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else weights + mask
    weights = torch.softmax(weights.float(), dim=-1).to(value.dtype)
    return torch.matmul(weights, value).transpose(1, 2).contiguous(), None


def use_for(network) -> None:
    """Switch `network` (a transformers model in bfloat16 on CPU) to this attention."""
    from transformers import AttentionInterface
    from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS, sdpa_mask

    AttentionInterface.register(NAME, attention)
    ALL_MASK_ATTENTION_FUNCTIONS.register(NAME, sdpa_mask)
    network.set_attn_implementation(NAME)
