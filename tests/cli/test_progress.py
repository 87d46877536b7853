"""The terminal progress line: redrawn in place on a terminal, a plain line per tenth otherwise."""

from __future__ import annotations

import io
import itertools

from assistant.cli.progress import ProgressLine
from assistant.index.progress import BuildStep


class Clock:
    """A fake clock the test moves by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _steps(n: int = 50) -> list[BuildStep]:
    """A build of `n` equal steps, then its end."""
    steps = [BuildStep(stage="embedding" if i < n // 2 else "keywords", done=min(i * 2, 60), total=60,
                       embedded=min(i * 2, 60), work_done=float(i), work_total=float(n)) for i in range(n + 1)]
    return [*steps, BuildStep(stage="saving", done=60, total=60, embedded=60, work_done=float(n),
                              work_total=float(n), finished=True)]


def _run(line: ProgressLine, clock: Clock, steps: list[BuildStep], seconds_each: float = 0.4) -> None:
    for step in steps:
        line(step)
        clock.now += seconds_each


def test_not_a_terminal_writes_a_line_per_tenth():
    out, clock = io.StringIO(), Clock()
    _run(ProgressLine(out, tty=False, clock=clock), clock, _steps())
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue() and len(lines) == 11  # 0 %, 10 % … 90 %, and the end
    assert [line.split()[1] for line in lines[:10]] == [f"{p}%" for p in range(0, 100, 10)]
    assert lines[0].endswith("ETA … · embedding passages")
    assert "ETA 0:18 · embedding passages" in lines[1]  # 10 % in 2 s: 18 s to go
    assert lines[-1] == "indexing 100% · 60/60 texts · 2.9/s · took 0:20"


def test_a_terminal_gets_one_line_redrawn_in_place():
    out, clock = io.StringIO(), Clock()
    line = ProgressLine(out, tty=True, clock=clock)
    _run(line, clock, _steps(10))
    text = out.getvalue()
    assert text.count("\n") == 1 and text.rstrip(" \n").endswith("took 0:04")
    frames = text.rstrip("\n").split("\r")[1:]
    assert len(frames) == 12
    widths = [len(f) for f in frames]
    assert all(b >= a for a, b in itertools.pairwise(widths))  # a shorter line is padded over the longer one
    # A second build (e.g. `lawqa eval --plan`) starts its own clock.
    _run(line, clock, _steps(10))
    assert out.getvalue().count("\n") == 2 and out.getvalue().rstrip(" \n").endswith("took 0:04")


def test_redraws_are_throttled_on_a_terminal():
    out, clock = io.StringIO(), Clock()
    _run(ProgressLine(out, tty=True, clock=clock), clock, _steps(100), seconds_each=0.01)
    assert out.getvalue().count("\r") < 20 and out.getvalue().endswith("\n")
