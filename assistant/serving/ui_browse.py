"""The article browser: regulation → chapter → article, or a regulation and an article number, down to the
article's card (both languages side by side)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from ..corpus.labels import heading_line, label_of
from ..corpus.model import Article, Corpus, Regulation
from ..text.language import Language
from .ui_render import article_card
from .ui_text import TEXT

ALL_CHAPTERS = "all"
SNIPPET = 24  # characters of text after an article's number in the article list


@dataclass(frozen=True)
class BrowserView:
    """What the browser's controls hold: choices are (label, value) pairs."""

    regulations: list[tuple[str, str]]
    regulation: str | None
    chapters: list[tuple[str, str]]
    chapter: str
    articles: list[tuple[str, str]]
    article: str | None
    number: int | None
    card: str


def _group(article: Article) -> str:
    """The chapter an article is listed under (with its part, when the regulation has parts)."""
    return "/".join(f"{h.kind}{h.number}" for h in article.divisions if h.kind in ("part", "chapter"))


def chapters(regulation: Regulation, language: Language) -> list[tuple[str, str]]:
    """The regulation's chapters in order ("All chapters" first), labelled 第一章 总则 / Chapter 1 …"""
    found: dict[str, str] = {}
    for article in regulation.articles:
        key = _group(article)
        if key and key not in found:
            found[key] = " › ".join(heading_line(h, language) for h in article.divisions
                                    if h.kind in ("part", "chapter"))
    return [(TEXT[language]["all_chapters"], ALL_CHAPTERS), *((label, key) for key, label in found.items())]


def article_choice(article: Article, language: Language) -> tuple[str, str]:
    """第六十六条 本市设立人工智能伦理专家委员会… / Article 66 The Municipality …"""
    words = article.best_text(language).text.replace("\n", " ")
    words = words if len(words) <= SNIPPET else words[:SNIPPET].rstrip() + "…"
    return f"{label_of(article, language)} {words}", article.id


def browse(corpus: Corpus | None, language: Language, *, regulation: str | None = None,
           chapter: str = ALL_CHAPTERS, article: str | None = None, number: float | None = None) -> BrowserView:
    """The browser after a choice: a regulation (its first article), a chapter (its first article), an article
    id, or an article number in the regulation (its chapter is selected with it). Empty without regulations."""
    if corpus is None or not corpus.regulations:
        return BrowserView([], None, [], ALL_CHAPTERS, [], None, None, "")
    regulations = [(r.name(language), r.id) for r in corpus.regulations]
    current = next((r for r in corpus.regulations if r.id == regulation), corpus.regulations[0])
    chosen: Article | None = None
    card = ""
    if number is not None:
        chosen = current.article(int(number))
        if chosen is None:
            card = "<p>" + html.escape(TEXT[language]["no_article"].format(
                name=current.name(language), number=int(number), count=len(current.articles),
                span=current.span)) + "</p>"
    elif article is not None:
        chosen = next((a for a in current.articles if a.id == article), None)
    if chosen is not None and (number is not None or chapter not in (ALL_CHAPTERS, _group(chosen))):
        chapter = _group(chosen) or ALL_CHAPTERS  # the chapter tree shows where a looked-up article is
    if chapter not in {key for _, key in chapters(current, language)}:
        chapter = ALL_CHAPTERS
    listed = [a for a in current.articles if chapter == ALL_CHAPTERS or _group(a) == chapter]
    if chosen is None and not card and listed:
        chosen = listed[0]
    if chosen is not None:
        card = article_card(corpus, chosen, language, anchored=False)
    return BrowserView(regulations=regulations, regulation=current.id, chapters=chapters(current, language),
                       chapter=chapter, articles=[article_choice(a, language) for a in listed],
                       article=chosen.id if chosen else None, number=chosen.number if chosen else None, card=card)
