"""An evaluation campaign over a plan's corpora: fit once on all of them, cross-validate leaving one corpus out,
and report each corpus with the baselines measured in the same run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..retrieval.calibration import save_calibration
from ..settings import Settings
from .crossval import leave_one_corpus_out
from .fitting import fit_calibration
from .plan import load_plan, open_corpora, prepare_corpora
from .run import evaluate


def run_plan(plan_path: Path, settings: Settings, *, split: str, fit: bool = False, loco: bool = False,
             baselines: bool = False, calibration_path: Path | None = None,
             say: Callable[[str], None] = lambda _: None, **assistant_options) -> dict:
    """Run the campaign; returns {"corpora": {name: report}, "loco": {name: figures} | None, "fitted": {...}}.

    `split` chooses the cases each corpus is reported on ("test", "dev" or "all"); a corpus without cases in
    that split is left out of the per-corpus reports (its leave-one-corpus-out figure still counts).
    """
    plan, base = load_plan(plan_path)
    corpora = open_corpora(plan, base, settings, split=None, say=say, **assistant_options)
    result: dict = {"corpora": {}, "loco": None, "fitted": None}
    if fit or loco:
        say(f"computing candidate features for {sum(len(c.cases) for c in corpora)} questions …")
        prepared = prepare_corpora(corpora)
        if loco:
            result["loco"] = leave_one_corpus_out(prepared, say=say)
        if fit:
            calibration = fit_calibration([p for p in prepared if p.case.split in ("dev", None)],
                                          dataset=plan_path.name)
            if calibration_path is not None:
                save_calibration(calibration_path, calibration)
                say(f"fitted on {calibration.fitted['cases']} dev cases of {len(corpora)} corpora → {calibration_path}")
            for corpus in corpora:
                corpus.assistant.use_calibration(calibration)
            result["fitted"] = calibration.fitted
    for corpus in corpora:
        cases = [c for c in corpus.cases if split == "all" or c.split in (split, None)]
        if cases:
            say(f"evaluating {corpus.name} ({len(cases)} cases) …")
            result["corpora"][corpus.name] = evaluate(corpus.assistant, cases, baselines=baselines,
                                                      meta={"dataset": corpus.name, "split": split})
    return result
