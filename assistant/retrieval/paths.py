"""Retrieval paths: each a small component with a name, a kind and one `rank(probe, scope)` method.

A path ranks articles (passages folded to their article) for one probe — a text to search with, read once:
its language, tokens, their translation through the term table, its vector. The searcher runs every
registered path and turns each ranked list into features by the path's kind (`calibration.path_features`):
- "dense": cosine scores → gap to the list's best and reciprocal rank;
- "keyword": BM25 scores → share of the best, log score and reciprocal rank;
- "flag": the article is on the list or not; "value": the list's score itself.
Adding or removing a path is one class here, one entry in `PATHS`, and a refit (`lawqa eval --fit`).
One more list comes from the conversation rather than a probe and is made by the searcher: "analog"
(counterparts of articles cited earlier).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from ..corpus.model import Corpus
from ..index.builds import PassageRecord
from ..index.search_index import SearchIndex
from ..text.language import Language
from .provisions import Provisions

CANDIDATES = 20  # articles kept from each ranked list
PARAGRAPH_DEPTH = CANDIDATES * 6  # paragraph passages fetched: enough that CANDIDATES distinct articles survive
PIVOT_SOURCES = 3  # nearest same-language articles whose aligned translations seed the pivot search
Kind = Literal["dense", "keyword", "flag", "value"]
Ranked = dict[str, tuple[int, float]]  # article id → (rank, score)
_QUOTED = re.compile(r"[“\"「『《]([^”\"」』》]{2,40})[”\"」』》]|(?<![A-Za-z])'([^']{3,40})'(?![A-Za-z])")


@dataclass(frozen=True)
class Probe:
    """A text to search with, read once for every path."""

    text: str
    language: Language
    tokens: tuple[str, ...]
    translated: tuple[str, ...]  # the other language's tokens for `tokens` (bilingual term table)
    vector: np.ndarray
    nearest: tuple[tuple[PassageRecord, float], ...]  # the nearest article passages in scope (dense search)
    # the nearest paragraph passages, when fetched beside `nearest` (two round trips to a Chroma server overlap)
    paragraphs: tuple[tuple[PassageRecord, float], ...] | None = None


class Path(Protocol):
    """One way of finding articles for a probe."""

    name: str
    kind: Kind

    def rank(self, probe: Probe, scope: Sequence[str]) -> Ranked:
        """Articles in `scope` (regulation ids) for the probe, best first."""
        ...


def fold(hits: Sequence[tuple[PassageRecord, float]], limit: int = CANDIDATES) -> Ranked:
    """Passages → articles: each article's best passage score, ranked."""
    best: dict[str, float] = {}
    for record, score in hits:
        if score > best.get(record.article_id, float("-inf")):
            best[record.article_id] = score
    ordered = sorted(best.items(), key=lambda item: -item[1])[:limit]
    return {article_id: (rank, score) for rank, (article_id, score) in enumerate(ordered, start=1)}


@dataclass(frozen=True)
class DenseByLanguage:
    """Dense search over whole-article passages of one language: judged within the language, so a crowd of
    same-language passages cannot hide the right article in the other language."""

    language: Language
    kind: Kind = "dense"

    @property
    def name(self) -> str:
        return f"dense_{self.language}"

    def rank(self, probe: Probe, scope: Sequence[str]) -> Ranked:
        return fold([(r, s) for r, s in probe.nearest if r.language == self.language])


@dataclass(frozen=True)
class Paragraphs:
    """The same vector against every paragraph and item alone: a question about one item of a long article
    is not diluted by the rest of it. One list for both languages (weighed apart for cross-lingual ones)."""

    index: SearchIndex
    name: str = "paragraph"
    kind: Kind = "dense"

    def rank(self, probe: Probe, scope: Sequence[str]) -> Ranked:
        if probe.paragraphs is not None:  # fetched beside the article passages (a Chroma server)
            return fold(probe.paragraphs)
        return fold(self.index.dense(probe.vector, k=PARAGRAPH_DEPTH, regulations=scope, paragraphs=True))


@dataclass(frozen=True)
class Keywords:
    """BM25 over jieba/Snowball tokens of every text version (translations included)."""

    index: SearchIndex
    name: str = "keyword"
    kind: Kind = "keyword"

    def rank(self, probe: Probe, scope: Sequence[str]) -> Ranked:
        return fold(self.index.keyword(probe.tokens, k=CANDIDATES, regulations=scope))


@dataclass(frozen=True)
class Translated:
    """BM25 with the question's words in the other language (term table): a Chinese question reaches an
    English-only regulation's words, an English question a Chinese-only one's. Only articles without the
    question's language are ranked: the others are the keyword path's (a bilingual article matched through
    its translation would make the evidence mean different things in different corpora)."""

    index: SearchIndex
    languages: dict[str, set[str]]  # article id → its languages
    name: str = "translated"
    kind: Kind = "keyword"

    def rank(self, probe: Probe, scope: Sequence[str]) -> Ranked:
        hits = self.index.keyword(probe.translated, k=CANDIDATES * 3, regulations=scope)
        return fold([(r, s) for r, s in hits if probe.language not in self.languages[r.article_id]])


@dataclass(frozen=True)
class Pivot:
    """A question's nearest articles that have both languages lend the vectors of their other-language text
    to search the articles without the question's language (cross-lingual without a second model call)."""

    index: SearchIndex
    languages: dict[str, set[str]]  # article id → its languages
    name: str = "pivot"
    kind: Kind = "dense"

    def rank(self, probe: Probe, scope: Sequence[str]) -> Ranked:
        other = "en" if probe.language == "zh" else "zh"
        sources = list(dict.fromkeys(r.article_id for r, _ in probe.nearest
                                     if r.language == probe.language and other in self.languages[r.article_id]))
        passages = self.index.passage_vectors()
        seeds = [v for a in sources[:PIVOT_SOURCES] if (v := passages.vector(f"{a}/{other}")) is not None]
        if not seeds:
            return {}
        pivot = np.mean(seeds, axis=0)
        pivot /= np.linalg.norm(pivot) or 1.0
        wanted = set(scope)
        return fold(passages.score(pivot, lambda r: r.regulation in wanted
                                   and probe.language not in self.languages[r.article_id]))


@dataclass(frozen=True)
class Quoted:
    """Articles containing, word for word, a phrase the question puts in quotes ("先导产业", 'AI assets')."""

    corpus: Corpus
    name: str = "quoted"
    kind: Kind = "flag"

    def rank(self, probe: Probe, scope: Sequence[str]) -> Ranked:
        return {a: (rank, 1.0) for rank, a in enumerate(quoted_articles(self.corpus, probe.text, scope), start=1)}


def quoted_articles(corpus: Corpus, text: str, scope: Sequence[str]) -> list[str]:
    """Ids of the articles in scope that contain a phrase `text` quotes."""
    phrases = [(a or b).strip().lower() for a, b in _QUOTED.findall(text) if len((a or b).strip()) >= 2]
    if not phrases:
        return []
    found = []
    for article in corpus.articles():
        if article.regulation in scope:
            body = " ".join(v.text for v in article.texts).lower()
            if any(p in body for p in phrases):
                found.append(article.id)
    return found


@dataclass(frozen=True)
class StandardProvisions:
    """For "what does X mean" / "when does it take effect" / "who is liable": the articles that hold that
    standard provision (see `provisions`)."""

    provisions: Provisions
    name: str = "provision"
    kind: Kind = "value"

    def rank(self, probe: Probe, scope: Sequence[str]) -> Ranked:
        found = self.provisions.rank(probe.text, set(scope), translated=probe.translated)
        return {a: (rank, s) for rank, (a, s) in enumerate(found, start=1)}


# Every path's name and kind, probe paths first; the calibration derives its feature list from this.
PATH_KINDS: dict[str, Kind] = {"dense_zh": "dense", "dense_en": "dense", "paragraph": "dense", "keyword": "keyword",
                               "translated": "keyword", "pivot": "dense", "quoted": "flag", "provision": "value",
                               "analog": "dense"}


def probe_paths(corpus: Corpus, index: SearchIndex, provisions: Provisions) -> list[Path]:
    """The paths run on every probe, in PATH_KINDS order."""
    languages = {a.id: set(a.languages) for a in corpus.articles()}
    return [DenseByLanguage("zh"), DenseByLanguage("en"), Paragraphs(index), Keywords(index), Translated(index, languages),
            Pivot(index, languages), Quoted(corpus), StandardProvisions(provisions)]

