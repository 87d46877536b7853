from __future__ import annotations

from assistant.corpus.evalset import load_cases
from assistant.evaluation.fitting import ABSTAIN_GRID, MARGIN_GRID, fit_calibration
from assistant.resources import bundled_path


def test_fit_on_dev_cases_records_what_it_was_fitted_on(hash_assistant):
    dev = load_cases(bundled_path("eval", "cases.jsonl"), corpus=hash_assistant.corpus, split="dev")[::10]
    fitted = fit_calibration(hash_assistant.searcher, dev, dataset="cases.jsonl")
    assert fitted.abstain in ABSTAIN_GRID and fitted.cite_margin in MARGIN_GRID
    assert fitted.fitted["split"] == "dev" and fitted.fitted["cases"] == len(dev)
    assert 0.0 <= fitted.fitted["dev_citation_f1"] <= 1.0 and fitted.scale > 0
