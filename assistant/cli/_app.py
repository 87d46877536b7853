"""The Typer app and what every command shares: JSON output and one progress line for long builds."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer

app = typer.Typer(name="lawqa", help="Ask questions about regulations and get answers that cite the exact articles.",
                  add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  rich_markup_mode=None)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"lawqa {__version__}")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                   help="Print the version and exit.")] = False) -> None:
    """Ask questions about regulations and get answers that cite the exact articles."""


def echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


class ProgressLine:
    """Shows build progress on stderr: one rewritten line on a terminal, a few plain lines otherwise."""

    SHOWN = ("embedding", "precedents")  # the slow stages, worth a rate

    def __init__(self) -> None:
        from ..index.build import STAGES

        self.names = STAGES
        self.stage = ""
        self.started = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.last_shown = -1

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.SHOWN or not total:
            return
        if stage != self.stage:  # each stage reports (0, total) as it starts
            self.stage, self.started, self.last_shown = stage, time.perf_counter(), -1
        if not done:
            return
        rate = done / max(time.perf_counter() - self.started, 1e-9)
        line = f"{self.names[stage]['en']} {done}/{total} ({rate:.1f}/s)"
        if self.tty:
            typer.echo(f"\r{line}", err=True, nl=done >= total)
        elif done >= total or done * 4 // total > self.last_shown:
            self.last_shown = done * 4 // total
            typer.echo(line, err=True)


