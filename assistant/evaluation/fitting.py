"""Fit the calibration on the dev split: ranking weights, their probability scale, and answer thresholds.

`lawqa eval --fit` runs this. Only dev cases are used; the test split stays untouched for reporting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from ..answering.answer import choose_citations, missing_lookups
from ..corpus.evalset import Case
from ..question.understand import Query, understand
from ..retrieval.calibration import Calibration, fit_answerability, fit_listwise, fit_platt
from ..retrieval.searcher import Searcher
from .metrics import citation_scores

ABSTAIN_GRID = tuple(round(0.02 * i, 2) for i in range(1, 50))
MARGIN_GRID = tuple(round(0.25 * i, 2) for i in range(0, 17))


@dataclass(frozen=True)
class Prepared:
    """A dev case with its understood query and candidate features."""

    case: Case
    query: Query
    features: dict[str, dict[str, float]]


def prepare(searcher: Searcher, cases: Sequence[Case]) -> list[Prepared]:
    """Understand each case and compute its candidates' features once."""
    out = []
    for case in cases:
        history = case.history
        query = understand(case.question, searcher.corpus, history=history)
        out.append(Prepared(case=case, query=query, features=searcher.candidates(query)))
    return out


def simulate(searcher: Searcher, prepared: Sequence[Prepared], calibration: Calibration,
             k: int = 5) -> tuple[float, float]:
    """Mean citation F1 and abstention accuracy the extractive answer would reach with this calibration."""
    f1s, correct = [], []
    for item in prepared:
        hits = searcher.rank(item.query, item.features, k=k, calibration=calibration)
        answerable = calibration.answerable(searcher.answerability(item.query, hits))
        chosen = choose_citations(item.query, hits, calibration, answerable=answerable)
        cited = {h.article.id for h in chosen}
        abstained = not chosen or bool(missing_lookups(item.query, searcher.corpus))
        f1s.append(citation_scores(item.case, cited)[2])
        correct.append(float(abstained != item.case.answerable))
    return sum(f1s) / len(f1s), sum(correct) / len(correct)


def fit_calibration(searcher: Searcher, cases: Sequence[Case], *, l2: float = 0.0001,
                    dataset: str = "") -> Calibration:
    """Fit everything on `cases` (the dev split) and return the calibration, with dev figures recorded."""
    prepared = prepare(searcher, cases)
    groups = [(list(p.features.values()), [a in p.case.expected_ids for a in p.features])
              for p in prepared if p.case.answerable]
    weights = fit_listwise(groups, l2=l2)
    base = Calibration(weights=weights)
    scores, labels = [], []
    for p in prepared:
        for article_id, features in p.features.items():
            scores.append(base.score(features))
            labels.append(p.case.answerable and article_id in p.case.expected_ids)
    scale, bias = fit_platt(scores, labels)
    scaled = replace(base, scale=scale, bias=bias)
    evidence = [searcher.answerability(p.query, searcher.rank(p.query, p.features, k=5, calibration=scaled))
                for p in prepared]
    answerable_weights, answerable_bias = fit_answerability(evidence, [p.case.answerable for p in prepared])
    scaled = replace(scaled, answerable_weights=answerable_weights, answerable_bias=answerable_bias)
    best = None
    for abstain in ABSTAIN_GRID:
        for margin in MARGIN_GRID:
            candidate = replace(scaled, abstain=abstain, cite_margin=margin)
            f1, accuracy = simulate(searcher, prepared, candidate)
            key = (round(f1 + accuracy, 6), -margin, abstain)
            if best is None or key > best[0]:
                best = (key, candidate, f1, accuracy)
    _, fitted, f1, accuracy = best
    return replace(fitted, fitted={"dataset": dataset, "split": "dev", "cases": len(cases),
                                   "l2": l2, "date": date.today().isoformat(),
                                   "dev_citation_f1": round(f1, 4), "dev_abstention_accuracy": round(accuracy, 4)})
