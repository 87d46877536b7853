"""The Typer app and what every command shares: JSON output (the build progress line is in `progress`)."""

from __future__ import annotations

import json
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
