"""The `lawqa` command line: index, articles, show, add, ask, chat, eval, serve.

Settings are read once here and passed down. A LawqaError becomes one line on stderr and exit status 1.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from .errors import InputError, LawqaError
from .settings import load_settings

app = typer.Typer(name="lawqa", help="Ask questions about regulations and get answers that cite the exact articles.",
                  add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  rich_markup_mode=None)


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


class _ProgressLine:
    """Shows build progress on stderr: one rewritten line on a terminal, a few plain lines otherwise."""

    SHOWN = ("embedding", "precedents")  # the slow stages, worth a rate

    def __init__(self) -> None:
        from .index.build import STAGES

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


@app.command("index")
def index_command(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed everything instead of reusing vectors.")] = False,
) -> None:
    """Build the search index (Chroma + BM25) for the bundled and added regulations.

    Example: lawqa index
    """
    from .corpus.sources import load_corpus
    from .index.build import build_index
    from .index.builds import index_root
    from .index.embedding import load_embedder

    settings = load_settings()
    corpus = load_corpus(settings.data_dir)
    embedder = load_embedder(settings.embedder, threads=settings.embed_threads)
    report = build_index(corpus, embedder, data_dir=settings.data_dir, chroma_url=settings.chroma_url,
                         rebuild=rebuild, progress=_ProgressLine(), dense=settings.dense_texts)
    articles = sum(len(r.articles) for r in corpus.regulations)
    if report.up_to_date:
        typer.echo(f"Index is up to date ({articles} articles, {report.passages} passages, "
                   f"embedder {embedder.name}); checked in {report.seconds:.2f} s.")
        return
    typer.echo(f"Indexed {articles} articles as {report.passages} passages in {report.seconds:.1f} s: "
               f"{report.embedded} embedded ({report.passages_per_second:.1f} passages/s), "
               f"{report.reused} reused; embedder {embedder.name}; in {index_root(settings.data_dir)}")


@app.command("articles")
def articles_command(
    regulation: Annotated[str | None, typer.Option("--regulation", "-r", help="Only this regulation id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list instead of a table.")] = False,
) -> None:
    """List the parsed articles.

    Example: lawqa articles --regulation shenzhen-ai-2022 --json
    """
    from .corpus.model import article_record
    from .corpus.sources import load_corpus

    corpus = load_corpus(load_settings().data_dir)
    if regulation is not None:
        corpus.regulation(regulation)  # unknown ids fail with the list of known ones
    articles = list(corpus.articles(regulation))
    if as_json:
        _echo_json([article_record(corpus, a) for a in articles])
        return
    for article in articles:
        text = article.best_text("zh" if "zh" in article.languages else "en").text.replace("\n", " ")
        chapter = f"ch.{article.chapter.number}" if article.chapter else ""
        typer.echo(f"{article.id:<24} {chapter:<6} {'/'.join(article.languages):<6} {text[:60]}")


@app.command("show")
def show_command(
    regulation: Annotated[str, typer.Argument(help="Regulation id, e.g. shanghai-ai-2022.")],
    article: Annotated[int, typer.Argument(help="Article number, e.g. 66.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print one article with its chapter, in every language the sources have.

    Example: lawqa show shanghai-ai-2022 66
    """
    from .corpus.labels import heading_line, label_of
    from .corpus.model import article_record
    from .corpus.sources import load_corpus

    corpus = load_corpus(load_settings().data_dir)
    found = corpus.require_article(regulation, article)
    if as_json:
        _echo_json(article_record(corpus, found))
        return
    reg = corpus.regulation(regulation)
    for language in found.languages:
        typer.echo(f"《{reg.name('zh')}》" if language == "zh" else reg.name("en"))
        for heading in found.divisions:
            typer.echo(heading_line(heading, language))
        typer.echo(label_of(found, language))
        typer.echo(found.text(language).text)
        typer.echo("")
    for note in found.notes:
        typer.echo(f"[note {note.marker}] {note.text}")


@app.command("add")
def add_command(
    file: Annotated[Path, typer.Argument(help="A UTF-8 text or Markdown file with 第X条 or 'Article N' headings.")],
    regulation_id: Annotated[str, typer.Option("--id", help="New regulation id, e.g. beijing-ai-2023.")],
    title: Annotated[str, typer.Option("--title", help="The regulation's title.")],
    short_name: Annotated[str | None, typer.Option("--short-name", help="Short name, e.g. Beijing.")] = None,
    effective: Annotated[str | None, typer.Option("--effective", help="Effective date, YYYY-MM-DD.")] = None,
) -> None:
    """Add your own regulation; it is validated completely before anything is written.

    Example: lawqa add rules.md --id beijing-ai-2023 --title "Beijing AI Regulations"
    """
    from .corpus.adding import add_regulation

    try:
        effective_date = date.fromisoformat(effective) if effective else None
    except ValueError as exc:
        raise InputError(f"--effective {effective!r} is not a date; use YYYY-MM-DD") from exc
    settings = load_settings()
    regulation = add_regulation(settings.data_dir, file, regulation_id=regulation_id, title=title,
                                short_name=short_name, effective=effective_date)
    typer.echo(f"Added {regulation.id}: {len(regulation.articles)} articles. Run `lawqa index` to make them "
               "searchable (the current index keeps serving until then).")


def _assistant(settings):
    from .answering.assistant import Assistant

    return Assistant(settings, progress=_ProgressLine())


def _read_history(path: Path | None) -> list[dict]:
    from .text.conversation import parse_history

    if path is None:
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"history file {path} not found; give a JSON list of {{role, content}} messages") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"history file {path} is not valid UTF-8 JSON ({exc}); it must be a JSON list of "
                         "{\"role\": \"user\"|\"assistant\", \"content\": str} objects") from exc
    parse_history(raw)  # validates
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
    from .question.understand import check_question

    check_question(question)
    if mode not in (None, "extractive", "llm"):
        raise InputError(f"--mode {mode!r} is not known; use extractive or llm")
    settings = load_settings()
    turns = _read_history(history)
    assistant = _assistant(settings)
    if regulation is not None:
        assistant.corpus.regulation(regulation)
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

    Example: lawqa chat   (then type a question; /clear forgets the conversation, /quit or Ctrl-D leaves)
    """
    settings = load_settings()
    assistant = _assistant(settings)
    if regulation is not None:
        assistant.corpus.regulation(regulation)
    history: list[dict] = []
    typer.echo("lawqa chat — ask in Chinese or English; /clear forgets the conversation, /quit leaves.")
    while True:
        try:
            line = input("you> ").strip()
        except EOFError:
            typer.echo("")
            return
        if not line:
            continue
        if line in ("/quit", "/exit"):
            return
        if line == "/clear":
            history.clear()
            typer.echo("(conversation cleared)")
            continue
        try:
            answer = assistant.ask(line, history=history, regulation=regulation, mode=mode)
        except InputError as exc:
            typer.echo(f"lawqa: error: {exc}", err=True)
            continue
        _print_answer(answer)
        history += [{"role": "user", "content": line}, {"role": "assistant", "content": answer.text}]


@app.command("eval")
def eval_command(
    dataset: Annotated[Path | None, typer.Option("--dataset", help="JSONL cases (default: the bundled set).")] = None,
    split: Annotated[str, typer.Option("--split", help="dev, test or all.")] = "test",
    mode: Annotated[str, typer.Option("--mode", help="extractive or llm.")] = "extractive",
    baselines: Annotated[bool, typer.Option("--baselines", help="Also run the naive RAG, BM25 and dense baselines.")]
    = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the metrics object here.")] = None,
    report_dir: Annotated[Path | None, typer.Option("--report", help="Write report.md and charts here.")] = None,
    fit: Annotated[bool, typer.Option("--fit", help="Fit the calibration on the dev split first and save it.")]
    = False,
    calibration: Annotated[Path | None, typer.Option("--calibration", help="Calibration file to write with "
                                                                              "--fit (default: the bundled one).")]
    = None,
    plan: Annotated[Path | None, typer.Option("--plan", help="An evaluation plan (eval/plan.toml): several corpora, "
                                                             "each against its own index.")] = None,
    loco: Annotated[bool, typer.Option("--loco", help="With --plan: leave-one-corpus-out cross-validation.")]
    = False,
) -> None:
    """Measure citation accuracy, retrieval, abstention, language and latency on an evaluation set.

    Example: lawqa eval --split test --baselines --json eval/reports/latest.json --report eval/reports
    """
    from .corpus.evalset import load_cases
    from .evaluation.fitting import fit_calibration, prepare
    from .evaluation.report import summary_table, write_plan_report, write_report
    from .evaluation.run import evaluate
    from .resources import bundled_path
    from .retrieval.calibration import default_calibration_path, save_calibration

    if split not in ("dev", "test", "all"):
        raise InputError(f"--split {split!r} is not known; use dev, test or all")
    if mode not in ("extractive", "llm"):
        raise InputError(f"--mode {mode!r} is not known; use extractive or llm")
    settings = load_settings()
    if plan is not None:
        from .evaluation.campaign import run_plan
        from .evaluation.report import plan_table

        result = run_plan(plan, settings, split=split, fit=fit, loco=loco, baselines=baselines,
                          calibration_path=(calibration or default_calibration_path()) if fit else None,
                          say=lambda line: typer.echo(line, err=True), progress=_ProgressLine())
        typer.echo(plan_table(result))
        if json_out is not None:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        if report_dir is not None:
            typer.echo(f"Report: {write_plan_report(result, report_dir)}", err=True)
        return
    if loco:
        raise InputError("--loco needs --plan (the corpora to leave out one by one), e.g. --plan eval/plan.toml")
    assistant = _assistant(settings)
    path = dataset or bundled_path("eval", "cases.jsonl")
    cases = load_cases(path, corpus=assistant.corpus, split=split)
    if fit:
        prepared = prepare(assistant.searcher, load_cases(path, corpus=assistant.corpus, split="dev"),
                           corpus=path.stem)
        fitted = fit_calibration(prepared, dataset=str(path.name))
        target = calibration or default_calibration_path()
        save_calibration(target, fitted)
        typer.echo(f"Fitted on {fitted.fitted['cases']} dev cases → {target}", err=True)
        assistant.use_calibration(fitted)
    report = evaluate(assistant, cases, mode=mode, baselines=baselines,
                      meta={"dataset": path.name, "split": split})
    typer.echo(summary_table(report))
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if report_dir is not None:
        typer.echo(f"Report: {write_report(report, report_dir)}", err=True)


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option("--host", help="Interface to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 7860).")] = None,
) -> None:
    """Serve the chat UI and the REST API (/v1/ask, /v1/search, /docs).

    Example: lawqa serve --port 7860   then open http://127.0.0.1:7860
    """
    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import uvicorn

    from .serving.api import create_app

    overrides = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = load_settings(**overrides)
    app_ = create_app(settings)
    typer.echo(f"lawqa: serving on http://{settings.host}:{settings.port} (Ctrl-C stops)", err=True)
    uvicorn.run(app_, host=settings.host, port=settings.port, log_level="warning")


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
