"""Progress messages carry an estimate of the time left once the rate means something."""

from core.progress import duration, time_left, with_eta


def test_time_left_from_the_rate_so_far():
    assert time_left(0.01, 10.0) is None and time_left(0.5, 0.2) is None and time_left(1.0, 30.0) is None
    assert time_left(0.25, 30.0) == 90.0
    assert [duration(s) for s in (8.4, 125, 3600 + 180)] == ["8 s", "2 min 5 s", "1 h 3 min"]


def test_with_eta_appends_the_estimate():
    now = [100.0]
    seen = []
    report = with_eta(lambda f, m: seen.append((f, m)), clock=lambda: now[0])
    report(0.0, "Chunking a.md")
    now[0] = 130.0
    report(0.5, "Embedding 300/600")
    report(1.7, "done")
    assert seen[0] == (0.0, "Chunking a.md")
    assert seen[1] == (0.5, "Embedding 300/600 · about 30 s left (estimate)")
    assert seen[2] == (1.0, "done")
