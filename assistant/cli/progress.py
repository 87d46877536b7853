"""The index build's progress on the terminal: one line for the whole build, with its share, rate and ETA.

On a terminal the line is redrawn in place (\\r); in a log or a pipe a plain line is written as each tenth of
the work is done, and once at the end. The words come from `index.progress.describe`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from ..index.progress import BuildStep, describe

_REDRAW_EVERY = 0.1  # seconds between redraws on a terminal


class ProgressLine:
    """A `BuildProgress` callback that draws on `stream` (stderr by default); one per command, several builds."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self._started: float | None = None
        self._shown = -1  # the last tenth written (not a terminal) or the last redraw time (terminal)
        self._last_draw = float("-inf")
        self._width = 0

    def __call__(self, step: BuildStep) -> None:
        now = self.clock()
        if self._started is None:  # a new build starts
            self._started, self._shown, self._last_draw, self._width = now, -1, float("-inf"), 0
        line = describe(step, now - self._started)
        if self.tty:
            if step.finished or now - self._last_draw >= _REDRAW_EVERY:
                self.stream.write("\r" + line + " " * max(0, self._width - len(line)) + ("\n" if step.finished else ""))
                self._width, self._last_draw = len(line), now
        else:
            tenth = min(9, int(step.fraction * 10))
            if step.finished or tenth > self._shown:
                self.stream.write(line + "\n")
                self._shown = tenth
        self.stream.flush()
        if step.finished:
            self._started = None
