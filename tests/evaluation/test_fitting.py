from __future__ import annotations

import numpy as np
import pytest

from assistant.corpus.evalset import load_cases
from assistant.evaluation.crossval import leave_one_corpus_out, score
from assistant.evaluation.fitting import (
    ABSTAIN_GRID,
    FLOOR_GRID,
    MARGIN_GRID,
    _rank,
    _Table,
    fit_calibration,
    prepare,
    simulate,
)
from assistant.resources import bundled_path
from assistant.retrieval.calibration import FEATURES, fit_listwise


@pytest.fixture(scope="module")
def prepared(hash_assistant):
    dev = load_cases(bundled_path("eval", "cases.jsonl"), corpus=hash_assistant.corpus, split="dev")[::10]
    # Two "corpora" (by language), so weighing by corpus and leaving one out can be exercised.
    return [p for lang in ("zh", "en") for p in prepare(hash_assistant.searcher, [c for c in dev if c.lang == lang],
                                                        corpus=f"bundled-{lang}")]


def test_fit_records_what_it_was_fitted_on(prepared):
    fitted = fit_calibration(prepared, dataset="cases.jsonl")
    assert fitted.abstain in ABSTAIN_GRID and fitted.cite_margin in MARGIN_GRID and fitted.cite_floor in FLOOR_GRID
    assert fitted.fitted["cases"] == len(prepared) and set(fitted.fitted["corpora"]) == {"bundled-zh", "bundled-en"}
    assert all(0.0 <= f1 <= 1.0 for f1 in fitted.fitted["train_citation_f1"].values()) and fitted.scale > 0


def test_the_threshold_table_agrees_with_choosing_citations_case_by_case(prepared):
    # The grid search reads precomputed outcomes; they must be what choose_citations gives for each setting.
    fitted = fit_calibration(prepared)
    ranked = _rank(prepared, fitted)
    table = _Table(ranked, fitted)
    for abstain, margin, floor in [(fitted.abstain, fitted.cite_margin, fitted.cite_floor), (0.3, 0.5, 0.2),
                                   (0.8, 2.0, 0.0)]:
        from dataclasses import replace

        setting = replace(fitted, abstain=abstain, cite_margin=margin, cite_floor=floor)
        f1, correct = table.outcomes(abstain, margin, floor)
        expected = simulate(prepared, setting)
        for name, rows in table.corpora.items():
            assert f1[rows].mean() == pytest.approx(expected[name][0])
            assert correct[rows].mean() == pytest.approx(expected[name][1])


def test_leave_one_corpus_out_scores_each_corpus_with_a_fit_that_never_saw_it(prepared):
    folds = leave_one_corpus_out(prepared)
    assert set(folds) == {"bundled-zh", "bundled-en"}
    for name, figures in folds.items():
        assert figures["n"] == sum(p.corpus == name for p in prepared) and 0 <= figures["f1"] <= 1
    whole = score(prepared, fit_calibration(prepared))
    assert whole["n"] == len(prepared)


def test_listwise_fit_puts_the_relevant_candidate_first():
    rng = np.random.default_rng(3)
    groups = []
    for _ in range(40):
        rows = [{name: float(rng.normal()) for name in FEATURES} for _ in range(6)]
        best = max(range(6), key=lambda i: rows[i]["keyword_norm"] - rows[i]["dense_zh_gap"])
        groups.append((rows, [i == best for i in range(6)]))
    weights = fit_listwise(groups, iterations=400)
    assert weights["keyword_norm"] > 0.5 and weights["dense_zh_gap"] < -0.5
