"""The `lawqa` command line: index, articles, show, add, ask, chat, eval, serve.

Settings are read once here and passed down. A LawqaError becomes one line on stderr and exit status 1.
"""

from __future__ import annotations

import sys

import typer

from ..errors import LawqaError
from . import answers, corpus, evaluation, serving  # noqa: F401 - each registers its commands on the app
from ._app import app

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (usage errors are reported by typer itself, with status 2)."""
    args = sys.argv[1:] if argv is None else argv
    for position, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:  # bytes that were not UTF-8, passed on by Python as lone surrogates
            _error(f"argument {position} ({arg.encode('utf-8', 'surrogateescape' if _escapable(arg) else 'replace')!r})"
                   " is not UTF-8 text; pass UTF-8 (check the terminal's and the shell's locale)")
            return 1
    try:
        app(args=args, prog_name="lawqa")
    except LawqaError as exc:
        _error(str(exc))
        return 1
    except OSError as exc:  # the environment failed us (a full disk, a path that is a file): one line, not a trace
        where = f" ({exc.filename})" if exc.filename else ""
        _error(f"{exc.strerror or exc}{where}; check the path, its permissions and the free space")
        return 1
    except KeyboardInterrupt:
        typer.echo("lawqa: interrupted", err=True)
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    return 0


def _error(message: str) -> None:
    """One line on stderr, whatever it quotes (a lone surrogate is shown escaped, not as a codec error)."""
    typer.echo(f"lawqa: error: {message}".encode("utf-8", "backslashreplace").decode("utf-8"), err=True)


def _escapable(text: str) -> bool:
    """Whether every surrogate in `text` stands for an undecodable byte (U+DC80..U+DCFF), as in argv."""
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in text)
