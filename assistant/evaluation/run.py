"""Running an evaluation: a system over cases, timed, scored, and (with baselines) beside the others.

The metrics are defined in `metrics`; the systems' contract in `systems`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from ..corpus.evalset import Case
from ..corpus.model import Corpus, regulation_of
from ..corpus.references import find_citations
from ..corpus.sources import USER_MANIFEST
from ..resources import bundled_path
from .metrics import breakdown, score_case
from .systems import CaseResult, System, assistant_system


def run_system(system: System, cases: Iterable[Case], corpus: Corpus) -> list[CaseResult]:
    """Run a system over the cases, timing each."""
    results = []
    for case in cases:
        started = time.perf_counter()
        output = system(case)
        latency = (time.perf_counter() - started) * 1000
        defaults = list(dict.fromkeys(regulation_of(a) for a in output.retrieved))
        parsed = tuple(c.id for c in find_citations(output.text, corpus, default_regulations=defaults))
        results.append(CaseResult(case=case, output=output, parsed=parsed, latency_ms=latency,
                                  scores=score_case(case, output, parsed, corpus)))
    return results


def case_records(results: Sequence[CaseResult]) -> list[dict]:
    """Per-case details for the JSON report."""
    return [{
        "id": r.case.id, "question": r.case.question, "kind": r.case.kind, "lang": r.case.lang,
        "split": r.case.split, "answerable": r.case.answerable,
        "expected": sorted(r.case.expected_ids), "acceptable": sorted(r.case.allowed_ids - r.case.expected_ids),
        "answer": r.output.text, "citations": list(r.output.citations), "parsed_citations": list(r.parsed),
        "retrieved": list(r.output.retrieved[:10]), "abstained": r.output.abstained,
        "latency_ms": round(r.latency_ms, 2), "verdicts": {k: round(v, 4) for k, v in r.scores.items()},
    } for r in results]


def evaluate(assistant, cases: Sequence[Case], *, mode: str = "extractive", baselines: bool = False,
             cache_dir=None, meta: dict | None = None) -> dict:
    """Evaluate the assistant (and optionally the baselines) on `cases`: the full report object."""
    from .baselines import bm25_system, dense_system, naive_system

    results = run_system(assistant_system(assistant, mode=mode), cases, assistant.corpus)
    report = breakdown(results)
    report["meta"] = {"mode": mode, "embedder": assistant.embedder.name,
                      "calibration": assistant.calibration.fitted.get("date", "not fitted"), **(meta or {})}
    report["cases"] = case_records(results)
    if baselines:
        user = assistant.settings.data_dir / USER_MANIFEST
        manifests = [bundled_path("index", "manifest.toml"), *([user] if user.exists() else [])]
        systems = {"naive": naive_system(assistant.embedder, cache_dir or assistant.settings.data_dir / "baselines",
                                         manifests=manifests),
                   "bm25": bm25_system(assistant.index, assistant.corpus),
                   "dense": dense_system(assistant.index, assistant.embedder, assistant.corpus)}
        report["baselines"] = {name: breakdown(run_system(system, cases, assistant.corpus))
                               for name, system in systems.items()}
    return report
