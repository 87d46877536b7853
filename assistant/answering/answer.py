"""Answers: the one `Answer` type every mode returns, and the decision which retrieved articles to cite.

The extractive composer is in `extractive`, the LLM answerer in `llm`; both go through `choose_citations`
(extractive) or citation verification (`citations`) before an `Answer` reaches anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..corpus.model import Article, Citation, Corpus, Regulation
from ..question.understand import Query
from ..retrieval.calibration import Calibration
from ..retrieval.searcher import Hit
from ..text.language import Language
from .citations import DroppedCitation

MAX_CITED = 3


@dataclass(frozen=True)
class Answer:
    """An answer with its citations, in the question's language, and what was retrieved for it."""

    text: str
    citations: tuple[Citation, ...]
    language: Language
    abstained: bool
    retrieved: tuple[Hit, ...]
    dropped_citations: tuple[DroppedCitation, ...] = ()
    mode: str = "extractive"
    note: str | None = None  # e.g. why an LLM answer fell back to extractive
    see_also: tuple[Citation, ...] = ()
    cited_articles: tuple[Article, ...] = field(default=(), compare=False)

    def to_json(self) -> dict:
        """The `lawqa ask --json` / REST contract."""
        return {
            "answer": self.text,
            "citations": [c.to_json() for c in self.citations],
            "language": self.language,
            "abstained": self.abstained,
            "retrieved": [{**h.article.citation.to_json(), "score": round(h.probability, 4)} for h in self.retrieved],
            "dropped_citations": [d.to_json() for d in self.dropped_citations],
            "mode": self.mode,
            "see_also": [c.to_json() for c in self.see_also],
            "note": self.note,
        }


def choose_citations(query: Query, hits: Sequence[Hit], calibration: Calibration, *,
                     answerable: float = 1.0) -> list[Hit]:
    """Which retrieved articles the answer rests on; empty means the regulations do not address it.

    `answerable` is P(the regulations address the question), from `Searcher.answerability`.
    """
    if query.article_refs:
        return [h for h in hits if h.lookup][:MAX_CITED]
    if not query.has_content:
        return []  # "hi", "????": nothing to answer from any regulation
    if query.other_instruments and not query.regulations:
        return []  # it asks about a law that is not loaded: say so rather than answer from another
    if not hits or answerable < calibration.abstain:
        return []
    if query.comparison:
        best: dict[str, Hit] = {}
        for hit in hits:
            best.setdefault(hit.article.regulation, hit)
        return list(best.values())
    top = hits[0]
    return [h for h in hits if h is top or (top.score - h.score <= calibration.cite_margin
                                            and h.probability >= calibration.cite_floor)][:MAX_CITED]


@dataclass(frozen=True)
class MissingArticle:
    """An article the question names that its regulation does not have."""

    regulation: Regulation
    number: int
    suffix: int = 0

    @property
    def shown(self) -> str:
        """The number as the question gave it: 66, or 14a for an inserted article."""
        return f"{self.number}{chr(96 + self.suffix) if self.suffix else ''}"


def missing_lookups(query: Query, corpus: Corpus) -> list[MissingArticle]:
    """Articles the question names (by number) that do not exist."""
    missing = []
    for ref in query.article_refs:
        regulations = [ref.regulation] if ref.regulation else list(query.regulations or corpus.ids)
        if all(corpus.article(r, ref.number, ref.suffix) is None for r in regulations):
            missing.extend(MissingArticle(corpus.regulation(r), ref.number, ref.suffix) for r in regulations)
    return missing
