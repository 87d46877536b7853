"""What the web UI shows, as HTML and Markdown: answers with linked citations, the sources panel, article
cards, the mode line and the index-build bar.

Everything that comes from an article or a model is escaped before it reaches HTML, so markup inside a
regulation file or an answer is shown as text, never run. A citation is a link to its article's card
(`#lawqa-<id>`); the panel keeps the card of every article the conversation cited or pointed at, so a link in
any earlier answer still opens its article.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..answering.answer import Answer
from ..corpus.labels import cite_label, heading_line, label_of, short_name
from ..corpus.model import Article, Corpus
from ..text.language import Language
from .service import ServiceStatus
from .ui_text import TEXT

SNIPPET = 48  # characters of an article's text shown beside a "see also" link


@dataclass(frozen=True)
class Turn:
    """One question and answer of a conversation, as the UI keeps it: the texts (for follow-ups) and the
    articles it cited or pointed at (for the sources panel)."""

    question: str
    answer: str
    cited: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    abstained: bool = False
    mode: str = "extractive"  # for the mode line, redrawn when the interface language changes
    note: str = ""
    dropped: str = ""

    @classmethod
    def of(cls, question: str, answer: Answer) -> Turn:
        """The record of `answer` to `question`."""
        dropped = ", ".join(f"{d.regulation}:{d.article} ({d.reason})" for d in answer.dropped_citations)
        return cls(question=question, answer=answer.text, cited=tuple(a.id for a in answer.cited_articles),
                   see_also=tuple(c.id for c in answer.see_also), abstained=answer.abstained,
                   mode=answer.mode, note=answer.note or "", dropped=dropped)


def anchor(article_id: str) -> str:
    """The HTML id of an article's card in the sources panel."""
    return "lawqa-" + re.sub(r"[^a-z0-9-]", "-", article_id.lower())


_MARKDOWN_ACTIVE = re.compile(r"([\[\]!`])")


def escape_markdown_html(text: str) -> str:
    """Neutralise HTML, links and images in Markdown (">" stays, so blockquotes still work)."""
    return _MARKDOWN_ACTIVE.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))


def related_label(corpus: Corpus, article: Article, language: Language) -> str:
    """How a related (not cited) article is named: 深圳 第三十四条 / Shenzhen, Article 34."""
    short = short_name(corpus.regulation(article.regulation), language)
    return f"{short} {label_of(article, 'zh')}" if language == "zh" else f"{short}, {label_of(article, 'en')}"


def render_answer(answer: Answer, corpus: Corpus, *, notice: str | None = None) -> str:
    """The answer as chat Markdown: escaped, each citation label a link to its card, each "see also" article
    a link named by its regulation and number, then the cited labels again (so a copied answer carries
    them). `notice` (e.g. that the regulation filter was widened) comes first."""
    text = escape_markdown_html(answer.text)
    labels = []
    for article in answer.cited_articles:
        label = escape_markdown_html(cite_label(corpus.regulation(article.regulation), article, answer.language))
        link = f"[{label}](#{anchor(article.id)})"
        text = text.replace(label, link, 1)
        labels.append(link)
    for citation in answer.see_also:
        article = corpus.get(citation.id)
        if article is None:
            continue
        short = short_name(corpus.regulation(article.regulation), answer.language)
        raw = re.compile(rf"(?:{re.escape(escape_markdown_html(short))} · )?{re.escape(article.id)}(?![\d-])")
        link = f"[{escape_markdown_html(related_label(corpus, article, answer.language))}](#{anchor(article.id)})"
        text = raw.sub(lambda _, link=link: link, text, count=1)
    words = TEXT[answer.language]
    if labels:
        text += f"\n\n**{words['cited']}**{'：' if answer.language == 'zh' else ': '}" + \
                ("；" if answer.language == "zh" else "; ").join(labels)
    if notice:
        text = f"*ℹ️ {escape_markdown_html(notice)}*\n\n{text}"
    return text


def pending(text: str) -> str:
    """A placeholder chat message (searching…, building the index…)."""
    return f"*{escape_markdown_html(text)}*"


def _paragraphs(article: Article, language: Language) -> str:
    version = article.text(language)
    if version is None:
        return ""
    return "".join(f"<p>{html.escape(p.render())}</p>" for p in version.paragraphs)


def article_card(corpus: Corpus, article: Article, language: Language, *, anchored: bool = True,
                 collapsed: bool = False) -> str:
    """One article: title, effective date, chapter, Chinese and English side by side, notes. `anchored` cards
    carry the id citation links point at; a `collapsed` one shows only its title until opened."""
    text = TEXT[language]
    regulation = corpus.regulation(article.regulation)
    title = f"{html.escape(regulation.name(language))} · {label_of(article, language)}"
    chapter = html.escape(" · ".join(heading_line(h, language) for h in article.divisions if h.kind != "section"))
    effective = regulation.effective.isoformat() if regulation.effective else "—"
    columns = "".join(f'<div lang="{lang}">{_paragraphs(article, lang)}</div>' for lang in article.languages)
    notes = ""
    if article.notes:
        notes = f"<details><summary>{text['notes']}</summary>" + "".join(
            f"<p>[{html.escape(n.marker)}] {html.escape(n.text)}</p>" for n in article.notes) + "</details>"
    body = (f'<div class="lawqa-meta">{chapter}<br>{text["effective"]}: {effective} · {html.escape(article.id)}'
            f'</div><div class="lawqa-cols">{columns}</div>{notes}')
    ident = f' id="{anchor(article.id)}"' if anchored else ""
    if collapsed:
        return (f'<details class="lawqa-source"{ident} data-article="{html.escape(article.id)}">'
                f"<summary><strong>{title}</strong></summary>{body}</details>")
    return f'<section class="lawqa-source"{ident} data-article="{html.escape(article.id)}"><h3>{title}</h3>{body}</section>'


def _snippet(article: Article, language: Language) -> str:
    words = article.best_text(language).text.replace("\n", " ")
    return words if len(words) <= SNIPPET else words[:SNIPPET].rstrip() + "…"


def _related_item(corpus: Corpus, article: Article, language: Language) -> str:
    chapter = article.chapter
    where = f" — {html.escape(heading_line(chapter, language))}" if chapter is not None else ""
    return (f'<li><a href="#{anchor(article.id)}">{html.escape(related_label(corpus, article, language))}</a>'
            f'{where}<br><span class="lawqa-meta">{html.escape(_snippet(article, language))}</span></li>')


def render_sources(turns: Sequence[Turn], corpus: Corpus | None, language: Language) -> str:
    """The sources panel of a conversation: the latest answer's articles in full (or, when it found nothing,
    the related articles as links), then every article cited or pointed at earlier, each collapsed under its
    title — so a citation link in any answer of the conversation opens its article."""
    text = TEXT[language]
    parts = [f"<h3>{text['sources']}</h3>"]
    if not turns or corpus is None:
        return parts[0] + f"<p>{text['none']}</p>"
    latest, shown = turns[-1], set()
    if latest.abstained:
        parts.append(f"<p>{text['not_found']}</p>")
    related = [a for a in (corpus.get(i) for i in latest.see_also) if a is not None]
    if related and not latest.cited:
        items = "".join(_related_item(corpus, a, language) for a in related)
        parts.append(f"<p>{text['see_also']}:</p><ul class=\"lawqa-related\">{items}</ul>")
    for article in (corpus.get(i) for i in latest.cited):
        if article is not None and article.id not in shown:
            parts.append(article_card(corpus, article, language))
            shown.add(article.id)
    for article in related:
        if article.id not in shown:
            parts.append(article_card(corpus, article, language, collapsed=True))
            shown.add(article.id)
    earlier = []
    for turn in reversed(turns[:-1]):
        for article in (corpus.get(i) for i in (*turn.cited, *turn.see_also)):
            if article is not None and article.id not in shown:
                earlier.append(article_card(corpus, article, language, collapsed=True))
                shown.add(article.id)
    if earlier:
        parts.append(f'<h4 class="lawqa-earlier">{text["earlier"]}</h4>' + "".join(earlier))
    return "".join(parts)


def mode_line(shown: Answer | Turn | None, language: Language) -> str:
    """Which mode answered (an answer, or the last turn's record of one), and why it fell back if it did."""
    text = TEXT[language]
    if shown is None:
        return ""
    turn = shown if isinstance(shown, Turn) else Turn.of("", shown)
    line = text["mode_llm" if turn.mode == "llm" else "mode_extractive"]
    if turn.note:
        line = text["fallback"] + html.escape(turn.note)
    if turn.dropped:
        line += f"<br>{text['dropped']}{html.escape(turn.dropped)}"
    return line


def status_html(status: ServiceStatus, language: Language) -> str:
    """One progress bar for the whole first-run build (its overall share done, with the status line's count
    and ETA beside it); once it is ready, nothing — or what is not as it should be (an older index serving)."""
    if status.state == "ready" and not status.note:
        return ""
    line = html.escape(status.describe(language))
    if status.state in ("ready", "failed"):  # answering from an older index, or nothing to answer from
        return f'<p class="lawqa-note">⚠️ {line}</p>'
    bar = f'<progress max="1" value="{status.fraction:.3f}"></progress>' if status.state == "building" else \
        "<progress></progress>"  # an indeterminate bar while loading
    return f'<div class="lawqa-progress" role="status">{bar}<span>{line}</span></div>'
