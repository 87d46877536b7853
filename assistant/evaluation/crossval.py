"""Leave-one-corpus-out: fit on every corpus but one, score the one left out — for each corpus in turn.

This is the figure to expect on a regulation nobody tuned lawqa for: the left-out corpus's questions, its
wording and its regulations took no part in the fit. (Precedents — the bundled dev questions used as
nearest-neighbour evidence — stay in the index; a question is never its own precedent.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..answering.answer import choose_citations, missing_lookups
from ..retrieval.calibration import Calibration
from .fitting import Prepared, fit_calibration
from .metrics import citation_scores


def score(prepared: Sequence[Prepared], calibration: Calibration, *, k: int = 5) -> dict:
    """Citation F1, recall@1/@5 and abstention accuracy of the extractive answer on `prepared`."""
    f1s, at1, at5, correct, kinds = [], [], [], [], {}
    for item in prepared:
        hits = item.searcher.rank(item.query, item.features, k=k, calibration=calibration)
        answerable = calibration.answerable(item.searcher.answerability(item.query, hits))
        chosen = choose_citations(item.query, hits, calibration, answerable=answerable)
        abstained = not chosen or bool(missing_lookups(item.query, item.searcher.corpus))
        f1 = citation_scores(item.case, {h.article.id for h in chosen})[2]
        f1s.append(f1)
        kinds.setdefault(item.case.kind, []).append(f1)
        correct.append(float(abstained != item.case.answerable))
        if item.case.answerable:
            ranked = [h.article.id for h in hits]
            expected = item.case.expected_ids
            at1.append(len(expected & set(ranked[:1])) / len(expected))
            at5.append(len(expected & set(ranked[:5])) / len(expected))

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    return {"n": len(prepared), "f1": mean(f1s), "recall@1": mean(at1), "recall@5": mean(at5),
            "abstention_accuracy": mean(correct), "by_kind": {k: mean(v) for k, v in sorted(kinds.items())}}


def leave_one_corpus_out(prepared: Sequence[Prepared], *, train_split: str = "dev",
                         say: Callable[[str], None] = lambda _: None) -> dict[str, dict]:
    """For each corpus: fit on the others' `train_split` cases, score all of its own cases."""
    names = list(dict.fromkeys(p.corpus for p in prepared))
    out = {}
    for name in names:
        train = [p for p in prepared if p.corpus != name and p.case.split in (train_split, None)]
        calibration = fit_calibration(train)
        out[name] = score([p for p in prepared if p.corpus == name], calibration)
        say(f"left out {name}: citation F1 {out[name]['f1']}, recall@5 {out[name]['recall@5']}, "
            f"abstention accuracy {out[name]['abstention_accuracy']}")
    return out
