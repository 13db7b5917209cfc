"""The number format a local model computes in on CPU: bfloat16 where this CPU runs it faster
than float32, measured once per process, else float32.

Measured with the bundled SmolLM2-135M on an AMD EPYC with AVX-512 BF16 (one thread): prefill
560-600 against 220-250 tokens/s, decode 18 against 13 tokens/s, and the same greedy answer
for 30 tokens. On a CPU without native bfloat16 the same matrix products are much slower than
float32, so the choice is measured here rather than assumed. PLAYGROUND_CPU_DTYPE=float32 or
bfloat16 overrides it (the test suite pins float32 so outputs compare exactly).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import lru_cache

FASTER = 0.75  # bfloat16 is chosen when it takes at most this share of float32's time


@dataclass(frozen=True)
class CpuDtype:
    name: str  # "float32" or "bfloat16"
    note: str  # how it was chosen, shown next to local answers


@lru_cache(maxsize=1)
def cpu_dtype() -> CpuDtype:
    raw = os.environ.get("PLAYGROUND_CPU_DTYPE", "auto").strip().lower()
    if raw in ("float32", "bfloat16"):
        return CpuDtype(raw, f"{raw} on CPU (set by PLAYGROUND_CPU_DTYPE)")
    ratio = _bf16_time_ratio()
    if ratio <= FASTER:
        return CpuDtype("bfloat16", f"bfloat16 on CPU (measured {1 / ratio:.1f}x faster than float32 on this CPU)")
    return CpuDtype("float32", f"float32 on CPU (bfloat16 measured {ratio:.1f}x float32's time on this CPU)")


def _bf16_time_ratio(repeats: int = 5) -> float:
    """bfloat16 / float32 time of a matrix product shaped like a small model's layer (best of
    `repeats`, interleaved, so other work on the machine affects both alike)."""
    import torch

    a, b = torch.randn(256, 576), torch.randn(576, 1536)
    pairs = {torch.float32: (a, b), torch.bfloat16: (a.bfloat16(), b.bfloat16())}
    best = {dtype: float("inf") for dtype in pairs}
    with torch.inference_mode():
        for _ in range(repeats + 1):  # the first round warms up
            for dtype, (x, y) in pairs.items():
                started = time.perf_counter()
                for _ in range(4):
                    x @ y
                best[dtype] = min(best[dtype], time.perf_counter() - started)
    return best[torch.bfloat16] / best[torch.float32]
