"""The eval command: one dataset, or a plan of several corpora (fit, cross-validate, report)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from ..settings import load_settings
from ._app import app
from .answers import open_assistant
from .progress import ProgressLine


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
    from ..corpus.evalset import load_cases
    from ..evaluation.fitting import fit_calibration, prepare
    from ..evaluation.report import summary_table, write_plan_report, write_report
    from ..evaluation.run import evaluate
    from ..resources import bundled_path
    from ..retrieval.calibration import default_calibration_path, save_calibration

    if split not in ("dev", "test", "all"):
        raise InputError(f"--split {split!r} is not known; use dev, test or all")
    if mode not in ("extractive", "llm"):
        raise InputError(f"--mode {mode!r} is not known; use extractive or llm")
    settings = load_settings()
    if plan is not None:
        from ..evaluation.campaign import run_plan
        from ..evaluation.report import plan_table

        result = run_plan(plan, settings, split=split, fit=fit, loco=loco, baselines=baselines,
                          calibration_path=(calibration or default_calibration_path()) if fit else None,
                          say=lambda line: typer.echo(line, err=True), progress=ProgressLine())
        _write_out(plan_table(result), result, json_out, report_dir and (lambda: write_plan_report(result, report_dir)))
        return
    if loco:
        raise InputError("--loco needs --plan (the corpora to leave out one by one), e.g. --plan eval/plan.toml")
    assistant = open_assistant(settings)
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
    _write_out(summary_table(report), report, json_out, report_dir and (lambda: write_report(report, report_dir)))


def _write_out(table: str, result: dict, json_out: Path | None, write_report) -> None:
    """Print the table; write the JSON object and the Markdown report where asked."""
    typer.echo(table)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    if write_report:
        typer.echo(f"Report: {write_report()}", err=True)


