"""The `lawqa` command line: index, articles, show, add, ask, chat, eval, serve.

Settings are read once here and passed down. A LawqaError becomes one line on stderr and exit status 1.
"""

from __future__ import annotations

import typer

from ..errors import LawqaError
from . import answers, corpus, evaluation, serving  # noqa: F401 - each registers its commands on the app
from ._app import app

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (usage errors are reported by typer itself, with status 2)."""
    try:
        app(args=argv, prog_name="lawqa")
    except LawqaError as exc:
        typer.echo(f"lawqa: error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        typer.echo("lawqa: interrupted", err=True)
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    return 0
