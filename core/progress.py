"""Progress callbacks with an estimate of the time left, for the terminal and the pages.

Every long operation in core reports `progress(fraction, message)`. `with_eta` wraps
such a callback so the message ends with "about 1 min 20 s left", estimated from the
rate so far (labelled an estimate; none is given until the rate means something).
`terminal_progress` draws the same callbacks as a tqdm bar on stderr (tqdm ships with
transformers); it draws nothing when stderr is not a terminal.
"""

from __future__ import annotations

import time
from typing import Callable

Progress = Callable[[float, str], None]

_MIN_FRACTION = 0.02  # below this share done, a rate is noise
_MIN_SECONDS = 1.0


def duration(seconds: float) -> str:
    """`seconds` as "8 s", "2 min 5 s" or "1 h 3 min"."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def time_left(fraction: float, elapsed: float) -> float | None:
    """Seconds left at a steady rate, or None while too little is done to tell."""
    if fraction < _MIN_FRACTION or elapsed < _MIN_SECONDS or fraction >= 1.0:
        return None
    return elapsed * (1.0 - fraction) / fraction


def with_eta(sink: Progress, clock: Callable[[], float] = time.monotonic) -> Progress:
    """`sink`, with "· about N left (estimate)" appended to each message once it can be estimated."""
    started = clock()

    def report(fraction: float, message: str) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        left = time_left(fraction, clock() - started)
        sink(fraction, message if left is None else f"{message} · about {duration(left)} left (estimate)")

    return report


def terminal_progress(title: str) -> tuple[Progress, Callable[[], None]]:
    """A tqdm bar on stderr for `title`: returns (progress callback, close)."""
    from tqdm import tqdm

    bar = tqdm(total=1000, desc=title, disable=None, leave=True, dynamic_ncols=True,
               bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining} {postfix}")  # fmt: skip

    def report(fraction: float, message: str) -> None:
        bar.n = int(min(max(fraction, 0.0), 1.0) * 1000)
        bar.set_postfix_str(message[:60], refresh=False)
        bar.refresh()

    return report, bar.close
