"""The long-context budget choice: how much of the answering model's window the lane may fill."""

from core.long_context import CPU_BUDGET, WHOLE_WINDOW

BUDGETS = (None, 2_048, 4_096, 8_192, 32_768, 131_072, WHOLE_WINDOW)
BUDGET_HELP = (f"Prompt tokens the long-context lane may use. Auto: {CPU_BUDGET:,} for a local model on CPU (every "
               "prompt token costs compute there: the bundled model's full 8,192-token window takes over a minute on "
               "2 cores, see benchmarks/bench_generation.py), else the model's whole window. Never more than the "
               "window.")  # fmt: skip


def budget_label(budget: int | None) -> str:
    if budget is None:
        return f"Auto ({CPU_BUDGET:,} on CPU)"
    return "Whole window" if budget == WHOLE_WINDOW else f"{budget:,} tokens"
