from __future__ import annotations

import json

import pytest

from assistant.errors import ConfigError
from assistant.retrieval.calibration import (
    FEATURES,
    Calibration,
    add_interactions,
    fit_listwise,
    fit_platt,
    load_calibration,
    save_calibration,
)


def test_listwise_fit_learns_which_feature_ranks_first():
    groups = []
    for i in range(30):
        rows = [{"keyword_norm": 0.2 + 0.01 * j, "dense_best": (i * 7 + j) % 5 / 5} for j in range(6)]
        rows[i % 6]["keyword_norm"] = 1.0
        groups.append((rows, [j == i % 6 for j in range(6)]))
    weights = fit_listwise(groups, iterations=500)
    assert weights["keyword_norm"] > 2 * abs(weights["dense_best"])
    assert set(weights) == set(FEATURES)


def test_platt_scaling_is_monotone():
    scale, bias = fit_platt([-2, -1, 0, 1, 2, 3], [False, False, False, True, True, True])
    calibration = Calibration(weights={}, scale=scale, bias=bias)
    assert calibration.probability(3) > 0.8 > 0.2 > calibration.probability(-2)


def test_interactions_follow_their_flags():
    features = add_interactions({"cross_lingual": 1.0, "translated_rr": 0.5, "context": 1.0}, followup=False)
    assert features["cross_lingual*translated_rr"] == 0.5 and features["followup*context"] == 0.0


def test_paragraph_features_for_a_question_and_a_follow_up_s_own_words():
    paragraphs = {"sh:65": (1, 0.90), "sz:66": (2, 0.85)}
    kwargs = {"language": "en", "article_languages": {"zh", "en"}, "named": False, "context": False}
    asked = Calibration.features("sz:66", {"paragraph": paragraphs}, {}, **kwargs)
    assert asked["paragraph_gap"] == pytest.approx(-0.5) and asked["paragraph_rr"] == 0.5
    assert asked["own_paragraph_gap"] == 0.0  # not a follow-up: no own words
    own = Calibration.features("sh:65", {}, {"paragraph": paragraphs}, **kwargs)
    assert own["own_paragraph_gap"] == 0.0 and own["paragraph_gap"] == -0.8  # best of its own words; absent
    assert Calibration.features("sz:1", {}, {"paragraph": paragraphs}, **kwargs)["own_paragraph_gap"] == -0.8


def test_save_load_round_trip_and_malformed_file(tmp_path):
    path = tmp_path / "calibration.json"
    calibration = Calibration(weights={"keyword_norm": 1.5}, scale=0.9, bias=-2.0, abstain=0.4, cite_margin=0.5,
                              answerable_weights={"unknown_share": -2.0}, answerable_bias=1.0,
                              fitted={"split": "dev"})
    save_calibration(path, calibration)
    assert load_calibration(path) == calibration
    path.write_text(json.dumps({"weights": {}}))
    with pytest.raises(ConfigError, match=r"is malformed .* rerun `lawqa eval --fit`"):
        load_calibration(path)
    with pytest.raises(ConfigError, match=r"missing\.json not found"):
        load_calibration(tmp_path / "missing.json")
