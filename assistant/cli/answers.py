"""Commands that answer questions: ask and chat."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..corpus.references import resolve_regulation
from ..errors import InputError
from ..settings import load_settings
from ._app import app
from .progress import ProgressLine


def open_assistant(settings):
    from ..answering.assistant import Assistant

    return Assistant(settings, progress=ProgressLine())


MAX_HISTORY_BYTES = 1_000_000
HISTORY_SHAPE = "a JSON list of {\"role\": \"user\"|\"assistant\", \"content\": str} objects"


def _read_history(path: Path | None) -> list[dict]:
    from ..files import read_user_file
    from ..text.conversation import parse_history

    if path is None:
        return []
    text = read_user_file(path, what="history file", limit=MAX_HISTORY_BYTES)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"history file {path} is not valid UTF-8 JSON ({exc}); it must be {HISTORY_SHAPE}") from exc
    except RecursionError as exc:
        raise InputError(f"history file {path} is nested too deeply to be a history; it must be {HISTORY_SHAPE}") \
            from exc
    for i, turn in enumerate(parse_history(raw)):  # validates the shape
        try:
            turn.content.encode("utf-8")
        except UnicodeEncodeError as exc:  # a "\ud800" escape without its pair decodes to a lone surrogate
            raise InputError(f"history file {path} message {i} holds a lone surrogate ({turn.content[exc.start]!a}, "
                             "half of a UTF-16 pair), which is not text; remove it or write the character itself") \
                from exc
    return raw


def _print_answer(answer) -> None:
    typer.echo(answer.text)
    if answer.citations:
        typer.echo("\nSources: " + "; ".join(f"{c.regulation} Art. {c.article}" for c in answer.citations))
    if answer.note:
        typer.echo(f"\n({answer.note})", err=True)


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    history: Annotated[Path | None, typer.Option("--history", help="JSON file: earlier messages "
                                                                       "[{\"role\": \"user\", \"content\": …}].")] = None,
    regulation: Annotated[str | None, typer.Option("--regulation", "-r", help="Search only this regulation.")] = None,
    mode: Annotated[str | None, typer.Option("--mode", help="extractive (default, offline) or llm.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (the contract).")] = False,
) -> None:
    """Answer one question with cited articles.

    Example: lawqa ask "深圳条例第七十一条规定了什么？" --json
    """
    from ..question.understand import check_question

    check_question(question)
    if mode not in (None, "extractive", "llm"):
        raise InputError(f"--mode {mode!r} is not known; use extractive or llm")
    settings = load_settings()
    turns = _read_history(history)
    assistant = open_assistant(settings)
    if regulation is not None:
        regulation = resolve_regulation(assistant.corpus, regulation)
    answer = assistant.ask(question, history=turns, regulation=regulation, mode=mode)
    if as_json:
        typer.echo(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        _print_answer(answer)


@app.command("chat")
def chat_command(
    regulation: Annotated[str | None, typer.Option("--regulation", "-r", help="Search only this regulation.")] = None,
    mode: Annotated[str | None, typer.Option("--mode", help="extractive (default) or llm.")] = None,
) -> None:
    """Talk with the assistant in the terminal; follow-up questions keep their context.

    Example: lawqa chat   (then type a question; /help lists the commands, /quit or Ctrl-D leaves)
    """
    settings = load_settings()
    assistant = open_assistant(settings)
    if regulation is not None:
        regulation = resolve_regulation(assistant.corpus, regulation)
    history: list[dict] = []
    read = _line_reader()
    typer.echo("lawqa chat — ask in Chinese or English; /help lists the commands.")
    while True:
        try:
            line = read("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        if not line:
            continue
        if line.startswith("/"):
            command, _, argument = line.partition(" ")
            if command in ("/quit", "/exit"):
                return
            if command == "/clear":
                history.clear()
                typer.echo("(conversation cleared)")
            elif command == "/regulation":
                try:
                    regulation = resolve_regulation(assistant.corpus, argument) if argument.strip() else None
                    typer.echo(f"(searching {regulation or 'all regulations'})")
                except InputError as exc:
                    typer.echo(f"lawqa: error: {exc}", err=True)
            else:
                typer.echo(CHAT_HELP if command == "/help" else f"unknown command {command}; {CHAT_HELP}")
            continue
        try:
            answer = assistant.ask(line, history=history, regulation=regulation, mode=mode)
        except InputError as exc:
            typer.echo(f"lawqa: error: {exc}", err=True)
            continue
        _print_answer(answer)
        history += [{"role": "user", "content": line}, {"role": "assistant", "content": answer.text}]


CHAT_HELP = ("commands: /help, /clear (forget the conversation), /regulation NAME (search only it; no name: all), "
             "/quit (or Ctrl-D)")


def _line_reader():
    """Line editing and history (arrow keys) on a terminal, through prompt_toolkit; plain input() otherwise."""
    if not sys.stdin.isatty():
        return input
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import InMemoryHistory

    session = PromptSession(history=InMemoryHistory())
    return session.prompt
