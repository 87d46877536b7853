"""The calibrated mix: a candidate article's features → a ranking score and a probability of relevance.

Retrieval paths give scores on different scales (cosines bunched near 0.84, BM25 from 0 to 20), and the
informative part is often the margin to the list's best rather than the rank. Each candidate is described by
a few features per path (gap to the best score, reciprocal rank, normalised score) plus flags (cross-lingual,
hubness, regulation named, cited earlier in the conversation, standard provision asked for).

A linear score over them is fitted *listwise* on the evaluation set's dev split (softmax over each question's
candidates, so it learns which article comes first), then Platt-scaled into a probability. Whether the
regulations address the question at all is a separate small logistic model over question-level evidence
(the best article's probability, how much of the question's vocabulary the corpus knows in either
language, how much of it the best article covers). The answer's thresholds are fitted with both, on the
same split: `abstain` (below this P(answerable) the answer says "not found") and `cite_margin` (further
articles are cited only when their score is this close to the best one). The fitted file (eval/calibration.json) ships with the package;
`lawqa eval --fit` rewrites it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..resources import bundled_path
from .paths import PATH_KINDS

DENSE_PATHS = tuple(name for name, kind in PATH_KINDS.items() if kind == "dense")
KEYWORD_PATHS = tuple(name for name, kind in PATH_KINDS.items() if kind == "keyword")
# Features of a candidate: per path by its kind (see `paths`), then evidence that is not one path's.
FEATURES = (
    "dense_best",
    *(f"{name}_{part}" for name in DENSE_PATHS for part in ("gap", "rr")),
    *(f"{name}_{part}" for name in KEYWORD_PATHS for part in ("norm", "log", "rr")),
    *(name for name, kind in PATH_KINDS.items() if kind in ("flag", "value")),
    "cross_lingual", "named", "context", "own_dense_gap", "own_keyword_norm", "own_paragraph_gap",
    "coverage", "coverage_translated", "cross_hub", "title_gap",
)
# Evidence that means more (or less) in some situations: products let the linear score weigh it differently.
INTERACTIONS = {
    # The paragraph list ranks both languages together, so same-language paragraphs can crowd out an article
    # without the question's language: its evidence gets its own weight for cross-lingual candidates.
    "cross_lingual": ("dense_zh_gap", "dense_en_gap", "dense_en_rr", "translated_norm", "translated_rr",
                      "pivot_gap", "pivot_rr", "keyword_norm", "coverage_translated", "paragraph_gap",
                      "paragraph_rr"),
    "followup": ("own_dense_gap", "own_keyword_norm", "context", "dense_best", "keyword_norm"),
}
FEATURES = FEATURES + tuple(f"{flag}*{name}" for flag, names in INTERACTIONS.items() for name in names)
ANSWERABILITY = ("top_probability", "top3_probability", "unknown_share", "top_coverage", "top_dense", "chinese",
                 "margin", "other_jurisdiction", "quantity_missing", "quote_found",
                 "other_instrument", "asks_procedure", "precedent_unanswerable", "precedent_top", "precedents_apply")
_ABSENT_GAP = -0.8  # scaled cosine gap given to an article a dense path did not return
Ranked = Mapping[str, tuple[int, float]]


@dataclass(frozen=True)
class Calibration:
    """Fitted ranking weights, the Platt scaling of their score, and the answer thresholds."""

    weights: dict[str, float]
    scale: float = 1.0
    bias: float = 0.0
    answerable_weights: dict[str, float] = field(default_factory=lambda: {"top_probability": 6.0,
                                                                           "unknown_share": -4.0})
    answerable_bias: float = -1.0
    abstain: float = 0.5
    cite_margin: float = 1.0
    cite_floor: float = 0.0  # further articles are cited only with at least this probability
    fitted: dict[str, object] = field(default_factory=dict)

    def score(self, features: Mapping[str, float]) -> float:
        """The ranking score of one candidate (higher is more relevant)."""
        return sum(self.weights.get(name, 0.0) * value for name, value in features.items())

    def probability(self, score: float) -> float:
        """P(relevant) for a ranking score."""
        return _sigmoid(self.scale * score + self.bias)

    def answerable(self, evidence: Mapping[str, float]) -> float:
        """P(the regulations address the question) from question-level evidence."""
        return _sigmoid(self.answerable_bias + sum(self.answerable_weights.get(k, 0.0) * v
                                                   for k, v in evidence.items()))

    @staticmethod
    def features(article_id: str, lists: Mapping[str, Ranked], own: Mapping[str, Ranked], *, language: str,
                 article_languages: set[str], named: bool, context: bool) -> dict[str, float]:
        """The path features of one candidate (coverage, hubness and interactions are added by the searcher)."""
        out: dict[str, float] = {name: 0.0 for name in FEATURES}
        best = [lists[p][article_id][1] for p in ("dense_zh", "dense_en") if article_id in lists.get(p, {})]
        out["dense_best"] = (max(best) - 0.8) * 10 if best else _ABSENT_GAP
        for path in DENSE_PATHS:
            out[f"{path}_gap"], out[f"{path}_rr"] = _dense(lists.get(path, {}), article_id)
        for path in KEYWORD_PATHS:
            out[f"{path}_norm"], out[f"{path}_log"], out[f"{path}_rr"] = _keyword(lists.get(path, {}), article_id)
        for path, kind in PATH_KINDS.items():
            ranked = lists.get(path, {})
            if kind == "value":
                out[path] = ranked[article_id][1] if article_id in ranked else 0.0
            elif kind == "flag":
                out[path] = float(article_id in ranked)
        out["cross_lingual"] = float(language not in article_languages)
        out["named"] = float(named)
        out["context"] = float(context)
        if own:
            out["own_dense_gap"] = max(_dense(own.get(p, {}), article_id)[0] for p in ("dense_zh", "dense_en"))
            out["own_keyword_norm"] = _keyword(own.get("keyword", {}), article_id)[0]
            # "What happens if they don't?" names one item (the penalty), not a whole article.
            out["own_paragraph_gap"] = _dense(own.get("paragraph", {}), article_id)[0]
        return out


def add_interactions(features: dict[str, float], *, followup: bool) -> dict[str, float]:
    """Add the INTERACTIONS products to a candidate's features (in place) and return them."""
    flags = {"cross_lingual": features.get("cross_lingual", 0.0), "followup": float(followup)}
    for flag, names in INTERACTIONS.items():
        for name in names:
            features[f"{flag}*{name}"] = flags[flag] * features.get(name, 0.0)
    return features


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def _top(ranked: Ranked) -> float:
    # Ranked lists are built best first, so the top score is the first entry's.
    return next(iter(ranked.values()))[1]


def _dense(ranked: Ranked, article_id: str) -> tuple[float, float]:
    if article_id not in ranked:
        return _ABSENT_GAP, 0.0
    rank, score = ranked[article_id]
    return max((score - _top(ranked)) * 10, _ABSENT_GAP), 1.0 / rank


def _keyword(ranked: Ranked, article_id: str) -> tuple[float, float, float]:
    if article_id not in ranked:
        return 0.0, 0.0, 0.0
    rank, score = ranked[article_id]
    top = _top(ranked)
    return score / top if top > 0 else 0.0, math.log1p(score), 1.0 / rank


def _matrix(rows: Sequence[Mapping[str, float]]) -> np.ndarray:
    return np.array([[row.get(name, 0.0) for name in FEATURES] for row in rows], dtype=float)


def fit_listwise(groups: Sequence[tuple[Sequence[Mapping[str, float]], Sequence[bool]]], *, l2: float = 0.001,
                 iterations: int = 3000, learning_rate: float = 0.05,
                 weights: Sequence[float] | None = None) -> dict[str, float]:
    """Fit ranking weights: softmax over each question's candidates, relevant ones as targets (Adam, L2).

    All questions' candidates are stacked in one matrix and the per-question softmax is computed with
    segment sums, so a fit over a few thousand questions takes seconds. `weights` weighs questions (e.g. so
    that a corpus with many questions does not drown the others).
    """
    rows_all, targets, group_of, group_weights = [], [], [], []
    for (rows, relevant), weight in zip(groups, weights or [1.0] * len(groups)):
        target = np.asarray(relevant, dtype=float)
        if target.sum() > 0 and len(rows):
            rows_all.extend(rows)
            targets.append(target / target.sum())
            group_of.extend([len(group_weights)] * len(rows))
            group_weights.append(weight)
    w = np.zeros(len(FEATURES))
    if not group_weights:
        return {name: 0.0 for name in FEATURES}
    x = _matrix(rows_all)
    target = np.concatenate(targets)
    group = np.asarray(group_of)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    share = np.asarray(group_weights) / np.sum(group_weights)
    first, second = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, iterations + 1):
        s = x @ w
        top = np.maximum.reduceat(s, starts)[group]
        e = np.exp(s - top)
        p = e / np.add.reduceat(e, starts)[group]
        gradient = l2 * w + x.T @ ((p - target) * share[group])
        first = 0.9 * first + 0.1 * gradient
        second = 0.999 * second + 0.001 * gradient * gradient
        w -= learning_rate * (first / (1 - 0.9 ** step)) / (np.sqrt(second / (1 - 0.999 ** step)) + 1e-8)
    return {name: round(float(value), 6) for name, value in zip(FEATURES, w)}


def fit_logistic(x: np.ndarray, labels: Sequence[bool], *, l2: float = 1e-3,
                 iterations: int = 100, weights: Sequence[float] | None = None) -> np.ndarray:
    """Logistic regression by Newton's method; the last column of `x` must be the constant 1 (not shrunk).
    `weights` weighs the rows (default: all 1)."""
    y = np.asarray(labels, dtype=float)
    r = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float) * len(y) / np.sum(weights)
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 1e-6
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -40, 40)))
        gradient = x.T @ ((p - y) * r) + penalty * w
        hessian = (x * (p * (1 - p) * r)[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-9:
            break
    return w


def fit_platt(scores: Sequence[float], labels: Sequence[bool],
              weights: Sequence[float] | None = None) -> tuple[float, float]:
    """Fit P(relevant) = sigmoid(a·score + b)."""
    w = fit_logistic(np.column_stack([np.asarray(scores, dtype=float), np.ones(len(scores))]), labels,
                     weights=weights)
    return float(w[0]), float(w[1])


def fit_answerability(evidence: Sequence[Mapping[str, float]], labels: Sequence[bool], *,
                      l2: float = 0.5, weights: Sequence[float] | None = None) -> tuple[dict[str, float], float]:
    """Fit P(answerable) over the ANSWERABILITY evidence."""
    x = np.array([[e.get(name, 0.0) for name in ANSWERABILITY] + [1.0] for e in evidence], dtype=float)
    w = fit_logistic(x, labels, l2=l2, weights=weights)
    return {name: round(float(v), 6) for name, v in zip(ANSWERABILITY, w[:-1])}, round(float(w[-1]), 6)


def default_calibration_path() -> Path:
    """Where the shipped calibration lives (eval/calibration.json)."""
    return bundled_path("eval", "calibration.json")


def load_calibration(path: Path | None = None) -> Calibration:
    """Read a calibration file; without the bundled one, fall back to hand-set weights (usable, not fitted)."""
    if path is not None and not path.exists():
        raise ConfigError(f"calibration file {path} not found; give an existing file or fit one with "
                          "`lawqa eval --fit --calibration PATH`")
    path = path or default_calibration_path()
    if not path.exists():
        return Calibration(weights={"dense_zh_rr": 1.5, "dense_en_rr": 1.5, "keyword_norm": 2.0, "keyword_rr": 1.0,
                                    "translated_rr": 2.0, "provision": 4.0, "pivot_rr": 1.5, "cross_hub": -5.0},
                           scale=1.0, bias=-3.0)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        thresholds = data["thresholds"]
        answerability = data["answerability"]
        return Calibration(weights={k: float(v) for k, v in data["weights"].items()}, scale=float(data["scale"]),
                           bias=float(data["bias"]),
                           answerable_weights={k: float(v) for k, v in answerability["weights"].items()},
                           answerable_bias=float(answerability["bias"]), abstain=float(thresholds["abstain"]),
                           cite_margin=float(thresholds["cite_margin"]),
                           cite_floor=float(thresholds.get("cite_floor", 0.0)), fitted=dict(data.get("fitted", {})))
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"calibration file {path} is malformed ({exc}); rerun `lawqa eval --fit`") from exc


def save_calibration(path: Path, calibration: Calibration) -> None:
    """Write a calibration file: weights, scaling, thresholds, and what it was fitted on."""
    data = {"weights": calibration.weights, "scale": calibration.scale, "bias": calibration.bias,
            "answerability": {"weights": calibration.answerable_weights, "bias": calibration.answerable_bias},
            "thresholds": {"abstain": calibration.abstain, "cite_margin": calibration.cite_margin,
                           "cite_floor": calibration.cite_floor},
            "fitted": calibration.fitted}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
