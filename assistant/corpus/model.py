"""The corpus model: regulations and their articles, merged across source files and languages.

The article is the unit of the whole product. An `Article` carries its regulation id and number (its stable
id is `<regulation>:<number>`, made and read only by `article_id` / `split_article_id` here), its chapter and
section with titles in each language the sources have, its text per language (paragraphs and numbered items
kept apart), and translator's notes kept out of the text. Where a language has two translations both are
kept; the manifest says which one is shown. A `Citation` is a reference to one article by id.
Loading and adding regulations is in `sources`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from ..errors import InputError, NotFoundError
from ..text.language import LANGUAGES, Language
from .footnotes import Note

T = TypeVar("T")
REGULATION_ID = r"[a-z0-9][a-z0-9-]{1,62}[a-z0-9]"
_ARTICLE_ID = re.compile(rf"^({REGULATION_ID}):(\d{{1,5}})(?:-(\d{{1,2}}))?$")


def article_id(regulation: str, number: int, suffix: int = 0) -> str:
    """The stable id of an article: "shanghai-ai-2022:66"; an inserted article (第二百五十三条之一,
    Article 14a) carries its insertion number: "criminal-law:253-1", "eprivacy-directive:14-1"."""
    return f"{regulation}:{number}-{suffix}" if suffix else f"{regulation}:{number}"


def split_article_id(text: str) -> tuple[str, int, int] | None:
    """("shanghai-ai-2022", 66, 0) for "shanghai-ai-2022:66" (and suffix 1 for ":253-1"); None when `text`
    is not an article id."""
    match = _ARTICLE_ID.match(text)
    return (match.group(1), int(match.group(2)), int(match.group(3) or 0)) if match else None


def regulation_of(article: str) -> str:
    """The regulation part of an article id."""
    return article.rpartition(":")[0]


@dataclass(frozen=True)
class Citation:
    """A reference to one article of one regulation."""

    regulation: str
    article: int
    suffix: int = 0  # 1 for 第X条之一 / Article Xa, 2 for 之二 / Xb; 0 for a plain article

    @property
    def id(self) -> str:
        """The article id, e.g. "shanghai-ai-2022:66"."""
        return article_id(self.regulation, self.article, self.suffix)

    def to_json(self) -> dict:
        """{"regulation", "article"}, plus "suffix" for an inserted article (the `ask --json` contract)."""
        out: dict = {"regulation": self.regulation, "article": self.article}
        if self.suffix:
            out["suffix"] = self.suffix
        return out

    @classmethod
    def from_id(cls, text: str) -> Citation:
        """The citation of an article id; a ValueError when `text` is not one."""
        parts = split_article_id(text)
        if parts is None:
            raise ValueError(f"{text!r} is not an article id like 'shanghai-ai-2022:66'")
        return cls(*parts)


def division_of(divisions: Sequence[T], kind: str) -> T | None:
    """The division of one kind ("chapter", "section", …) among an article's divisions, if it has one."""
    return next((d for d in divisions if d.kind == kind), None)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an article; numbered items carry their label, e.g. "(1)" or "(一)"."""

    text: str
    label: str | None = None
    gap: str = " "  # what separates label and text in the source ("（一）取得" has none)

    def render(self) -> str:
        """Return the paragraph as one line of text, label included, spaced as the source spaces it."""
        return f"{self.label}{self.gap}{self.text}" if self.label else self.text


@dataclass(frozen=True)
class Appendix:
    """Explanatory matter after the articles (e.g. the legislature's Interpretation): never an article."""

    heading: str
    title: str
    paragraphs: tuple[Paragraph, ...]
    notes: tuple[Note, ...]
    line: int


@dataclass(frozen=True)
class Heading:
    """A division of a regulation (part 编, subpart 分编, chapter 章, section 节), with its title in each
    language the sources give."""

    kind: str  # "part", "subpart", "chapter" or "section"
    number: int
    titles: dict[Language, str]

    def title(self, language: Language) -> str:
        """Return the title in `language`, or in the other language when that one is missing."""
        return self.titles.get(language) or next(iter(self.titles.values()), "")


@dataclass(frozen=True)
class ArticleText:
    """The text of one article in one language, from one source file."""

    language: Language
    source: str
    paragraphs: tuple[Paragraph, ...]
    original: bool = False  # from a source whose role is "original" (not a translation)

    @property
    def text(self) -> str:
        """The article text, one paragraph or numbered item per line."""
        return "\n".join(p.render() for p in self.paragraphs)


@dataclass(frozen=True)
class Article:
    """One article of one regulation, in every language and translation the sources carry."""

    regulation: str
    number: int
    divisions: tuple[Heading, ...]  # outermost first: part, subpart, chapter, section (those the text has)
    texts: tuple[ArticleText, ...]  # the version shown for each language comes first
    notes: tuple[Note, ...] = ()
    suffix: int = 0  # 1 for an inserted 第X条之一 / Article Xa

    @property
    def id(self) -> str:
        """Stable id, e.g. "shanghai-ai-2022:66"."""
        return article_id(self.regulation, self.number, self.suffix)

    @property
    def citation(self) -> Citation:
        """A citation of this article."""
        return Citation(self.regulation, self.number, self.suffix)

    @property
    def chapter(self) -> Heading | None:
        """The chapter the article is in (None when the regulation has no chapters)."""
        return division_of(self.divisions, "chapter")

    @property
    def section(self) -> Heading | None:
        """The section of its chapter the article is in, if any."""
        return division_of(self.divisions, "section")

    @property
    def languages(self) -> tuple[Language, ...]:
        """Languages this article has text in, Chinese first."""
        return tuple(lang for lang in LANGUAGES if any(t.language == lang for t in self.texts))

    def text(self, language: Language) -> ArticleText | None:
        """Return the shown text in `language`, or None when the sources have none."""
        return next((t for t in self.texts if t.language == language), None)

    def best_text(self, language: Language) -> ArticleText:
        """Return the shown text in `language`, falling back to the other language."""
        return self.text(language) or self.texts[0]

    def versions(self, language: Language) -> tuple[ArticleText, ...]:
        """Every text in `language` (the shown one first), e.g. both English translations."""
        return tuple(t for t in self.texts if t.language == language)


@dataclass(frozen=True)
class Regulation:
    """A regulation: metadata from the manifest and its articles."""

    id: str
    title: dict[Language, str]
    short_name: dict[Language, str]
    aliases: tuple[str, ...]
    jurisdiction: dict[Language, str]
    issuing_body: dict[Language, str]
    adopted: date | None
    effective: date | None
    status: str
    articles: tuple[Article, ...]
    appendices: tuple[Appendix, ...] = ()

    def name(self, language: Language) -> str:
        """The title in `language`, or in the other language when it has none."""
        return self.title.get(language) or next(iter(self.title.values()))

    def article(self, number: int, suffix: int = 0) -> Article | None:
        """Return article `number` (an inserted one with its `suffix`), or None when there is no such article."""
        return self._numbered.get((number, suffix))

    @functools.cached_property
    def _numbered(self) -> dict[tuple[int, int], Article]:
        return {(a.number, a.suffix): a for a in self.articles}

    @property
    def span(self) -> str:
        """The article numbers the regulation has, e.g. "1-72"."""
        return f"{self.articles[0].number}-{self.articles[-1].number}" if self.articles else "none"


@dataclass(frozen=True, eq=False)  # compared (and hashed, e.g. as a cache key) by identity
class Corpus:
    """All regulations lawqa knows about."""

    regulations: tuple[Regulation, ...]

    def regulation(self, regulation_id: str) -> Regulation:
        """Return a regulation by id; an unknown id is an InputError listing the known ones."""
        for regulation in self.regulations:
            if regulation.id == regulation_id:
                return regulation
        known = ", ".join(r.id for r in self.regulations)
        raise InputError(f"unknown regulation {regulation_id!r}; known regulations: {known}")

    def article(self, regulation_id: str, number: int, suffix: int = 0) -> Article | None:
        """Return one article, or None when the regulation exists but has no such number."""
        return self.regulation(regulation_id).article(number, suffix)

    def require_article(self, regulation_id: str, number: int, suffix: int = 0) -> Article:
        """Return one article, or raise NotFoundError saying which numbers exist."""
        found = self.article(regulation_id, number, suffix)
        if found is None:
            regulation = self.regulation(regulation_id)
            shown = article_id(regulation_id, number, suffix).rpartition(":")[2]
            raise NotFoundError(f"{regulation_id} has no article {shown}; it has articles {regulation.span}")
        return found

    def get(self, key: str) -> Article | None:
        """Return the article with id "<regulation>:<number>", or None."""
        parts = split_article_id(key)
        if parts is None or parts[0] not in self.ids:
            return None
        return self.article(*parts)

    def articles(self, regulation_id: str | None = None) -> Iterator[Article]:
        """Iterate over every article, or over one regulation's."""
        for regulation in self.regulations:
            if regulation_id is None or regulation.id == regulation_id:
                yield from regulation.articles

    @property
    def ids(self) -> tuple[str, ...]:
        """Regulation ids in manifest order."""
        return tuple(r.id for r in self.regulations)


def article_record(corpus: Corpus, article: Article) -> dict:
    """The JSON shape of an article, shared by `lawqa articles --json`, `show --json` and the REST API."""
    regulation = corpus.regulation(article.regulation)

    def heading(h: Heading | None) -> dict | None:
        return None if h is None else {"number": h.number, "title": dict(h.titles)}

    return {
        "id": article.id,
        **article.citation.to_json(),
        "regulation_title": dict(regulation.title),
        "effective": regulation.effective.isoformat() if regulation.effective else None,
        "chapter": heading(article.chapter),
        "section": heading(article.section),
        "divisions": [{"kind": d.kind, **heading(d)} for d in article.divisions],
        "text": {lang: article.text(lang).text for lang in article.languages},
        "translations": [{"language": t.language, "source": t.source, "original": t.original, "text": t.text}
                         for t in article.texts],
        "notes": [{"marker": n.marker, "text": n.text} for n in article.notes],
    }
