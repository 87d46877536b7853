"""Metrics: what is measured per case and how it is aggregated.

Definitions (C cited, E expected, A acceptable; all sets of article ids):
- citation precision = |C ∩ (E ∪ A)| / |C| (0 when C is empty on an answerable case); recall = |C ∩ E| / |E|;
  F1 per case, then averaged. On an unanswerable case the answer must cite nothing: P = R = F1 = 1 if C is
  empty, else 0. `f1_answerable` averages answerable cases only (the stricter figure).
- C is read from the structured citation list *and* parsed from the answer text; `agreement` is the share of
  cases where the two sets are equal, and a citation counts against the system if either source has it.
- invalid rate: share of cases citing an article that does not exist; ungrounded rate: share citing an
  article that was not retrieved for the question.
- abstention: recall on unanswerable cases, false-abstention rate on answerable ones, accuracy over all.
- language accuracy: the answer text's own language (quoted article text and "see also" lines removed)
  equals the question's.
- retrieval: recall@1/5/10 and MRR@10 over articles, on answerable cases.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from ..corpus.evalset import Case
from ..corpus.model import Corpus
from ..corpus.references import quoted_spans
from ..text.language import detect_language
from .systems import CaseResult, SystemOutput


def answer_language(text: str) -> str:
    """The language of the answer's own words: quoted lines and "see also" lines removed."""
    spans = quoted_spans(text)
    own = "".join(ch for i, ch in enumerate(text) if not any(a <= i < b for a, b in spans))
    return detect_language(own or text)


def citation_scores(case: Case, cited: set[str]) -> tuple[float, float, float]:
    """(precision, recall, F1) of the articles an answer cites, as defined above."""
    if not case.answerable:
        precision = recall = 1.0 if not cited else 0.0
    else:
        precision = len(cited & case.allowed_ids) / len(cited) if cited else 0.0
        recall = len(cited & case.expected_ids) / len(case.expected_ids)
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_case(case: Case, output: SystemOutput, parsed: Sequence[str], corpus: Corpus) -> dict[str, float]:
    """Every per-case verdict as a number (1/0 for yes/no)."""
    cited = set(output.citations) | set(parsed)
    expected = case.expected_ids
    scores: dict[str, float] = {}
    if case.answerable:
        ranked = list(output.retrieved)
        for k in (1, 5, 10):
            scores[f"recall@{k}"] = len(expected & set(ranked[:k])) / len(expected)
        scores["mrr@10"] = next((1.0 / (i + 1) for i, a in enumerate(ranked[:10]) if a in expected), 0.0)
    scores["precision"], scores["recall"], scores["f1"] = citation_scores(case, cited)
    scores["invalid"] = float(any(corpus.get(a) is None for a in cited))
    scores["ungrounded"] = float(any(a not in output.retrieved for a in cited))
    scores["agreement"] = float(set(output.citations) == set(parsed))
    scores["abstained"] = float(output.abstained)
    scores["abstention_correct"] = float(output.abstained != case.answerable)
    scores["language_ok"] = float(answer_language(output.text) == case.lang)
    return scores


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))], 2)


def summarize(results: Sequence[CaseResult]) -> dict:
    """Aggregate metrics for a set of case results."""
    answerable = [r for r in results if r.case.answerable]
    unanswerable = [r for r in results if not r.case.answerable]

    def mean(key: str, subset: Sequence[CaseResult]) -> float | None:
        return _mean([r.scores[key] for r in subset if key in r.scores])

    return {
        "n": len(results),
        "retrieval": {k: mean(k, answerable) for k in ("recall@1", "recall@5", "recall@10", "mrr@10")},
        "citation": {"precision": mean("precision", results), "recall": mean("recall", results),
                     "f1": mean("f1", results), "f1_answerable": mean("f1", answerable),
                     "invalid_rate": mean("invalid", results), "ungrounded_rate": mean("ungrounded", results),
                     "agreement": mean("agreement", results)},
        "abstention": {"recall": mean("abstained", unanswerable),
                       "false_rate": mean("abstained", answerable),
                       "accuracy": mean("abstention_correct", results)},
        "language_accuracy": mean("language_ok", results),
        "latency_ms": {"p50": _percentile([r.latency_ms for r in results], 0.5),
                       "p95": _percentile([r.latency_ms for r in results], 0.95),
                       "mean": round(statistics.fmean([r.latency_ms for r in results]), 2) if results else None},
    }


def breakdown(results: Sequence[CaseResult]) -> dict:
    """Overall metrics plus the same per kind and per language."""
    report = summarize(results)
    kinds = sorted({r.case.kind for r in results})
    report["by_kind"] = {k: summarize([r for r in results if r.case.kind == k]) for k in kinds}
    report["by_lang"] = {lang: summarize([r for r in results if r.case.lang == lang]) for lang in ("zh", "en")
                         if any(r.case.lang == lang for r in results)}
    return report


# The CI gate on the bundled test split. The calibration serves any corpus (fitted on nine at once); fitted on
# the bundled regulations alone it reached 0.93 on this split but 0.73 on an independent bundled set measured
# from outside, and did not carry over to other regulations. The gate guards against regressions of the
# general model, not the best figure one corpus can be tuned to.
GATE = {"f1": 0.70, "recall@5": 0.95, "abstention_accuracy": 0.85, "language_accuracy": 0.98}


def gate_failures(report: dict) -> list[str]:
    """The CI gate: what falls short, as readable lines (empty when everything passes)."""
    failures = []
    checks = [("citation F1", report["citation"]["f1"], GATE["f1"]),
              ("recall@5", report["retrieval"]["recall@5"], GATE["recall@5"]),
              ("abstention accuracy", report["abstention"]["accuracy"], GATE["abstention_accuracy"]),
              ("language accuracy", report["language_accuracy"], GATE["language_accuracy"])]
    for name, value, bound in checks:
        if value is None or value < bound:
            failures.append(f"{name} {value} < {bound}")
    for name in ("invalid_rate", "ungrounded_rate"):
        if report["citation"][name]:
            failures.append(f"{name} {report['citation'][name]} > 0")
    return failures
