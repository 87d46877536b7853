"""Citations: found in answer text in every common form, tied to a regulation, and verified.

Forms recognised: [shanghai-ai-2022:12] (the id form the LLM is asked to use), 第十二条, 第12条, Article 12,
Art. 12, Articles 12 and 13, 《上海市促进人工智能产业发展条例》第六十六条, "Article 66 of the Shanghai
Regulations". A bare article number belongs to the regulation named closest before it in the same sentence,
else the one named after it in that sentence, else the only regulation in play.

Verification keeps a citation only if the article exists and was retrieved for this question; everything
else is dropped with a reason, and sentences that relied only on dropped citations are removed. Quoted
article text (Markdown blockquote lines, "> …") is never read for citations: a cross-reference inside a
quoted article ("依照本条例第十条") is the article's own words, not the answer citing something. Nor is a
"see also" line of an abstaining answer ("另见…" / "See also…"), which points at nearby articles without
resting anything on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..corpus.model import Corpus
from ..text.language import SENTENCE_END
from ..text.numbering import find_article_numbers

_ID_FORM = re.compile(r"\[?\b([a-z0-9][a-z0-9-]{1,62}[a-z0-9]):(\d{1,4})\b\]?")


@dataclass(frozen=True)
class Citation:
    """A reference to one article of one regulation."""

    regulation: str
    article: int

    @property
    def id(self) -> str:
        """The article id, e.g. "shanghai-ai-2022:66"."""
        return f"{self.regulation}:{self.article}"


@dataclass(frozen=True)
class DroppedCitation:
    """A citation removed from an answer, and why."""

    regulation: str | None
    article: int
    reason: str


@dataclass(frozen=True)
class Mention:
    """Where a citation appears in a text."""

    regulation: str | None
    article: int
    start: int
    end: int


NOT_CITING = (">", "另见", "See also")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of lines that are not the answer's own claims: quoted article text ("> …") and "see also" lines."""
    spans, offset = [], 0
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith(NOT_CITING):
            spans.append((offset, offset + len(line)))
        offset += len(line)
    return spans


def find_mentions(text: str, corpus: Corpus, *, default_regulations: Sequence[str] = ()) -> list[Mention]:
    """Every article citation in `text` outside quoted lines, with its regulation (None if ambiguous)."""
    quotes = quoted_spans(text)

    def quoted(position: int) -> bool:
        return any(start <= position < end for start, end in quotes)

    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for match in _ID_FORM.finditer(text):
        if match.group(1) in corpus.ids and not quoted(match.start()):
            mentions.append(Mention(match.group(1), int(match.group(2)), match.start(), match.end()))
            taken.append((match.start(), match.end()))
    defaults = list(dict.fromkeys(default_regulations))
    for sentence_start, sentence in _sentences(text):
        named = [(reg, sentence_start + pos) for reg, pos in _all_mentions(sentence, corpus)]
        for number, local_start, local_end in find_article_numbers(sentence):
            start, end = sentence_start + local_start, sentence_start + local_end
            if quoted(start) or any(a <= start < b for a, b in taken):
                continue
            before = [reg for reg, pos in named if pos < start]
            after = [reg for reg, pos in named if pos >= end]
            regulation = before[-1] if before else after[0] if after else defaults[0] if len(defaults) == 1 \
                else None
            mentions.append(Mention(regulation, number, start, end))
    return sorted(mentions, key=lambda m: m.start)


def _sentences(text: str) -> Iterable[tuple[int, str]]:
    """(start, sentence) pieces of a text, each ending with its end punctuation."""
    position = 0
    for match in SENTENCE_END.finditer(text):
        if match.end() > position and text[position:match.end()].strip():
            yield position, text[position:match.end()]
        position = match.end()
    if text[position:].strip():
        yield position, text[position:]


def _all_mentions(sentence: str, corpus: Corpus) -> list[tuple[str, int]]:
    """Every position where a regulation is named in a sentence (not only the first)."""
    from ..question.understand import regulation_patterns

    found = [(regulation_id, m.start()) for regulation_id, pattern in regulation_patterns(corpus)
             for m in pattern.finditer(sentence)]
    return sorted(found, key=lambda item: item[1])


def find_citations(text: str, corpus: Corpus, *, default_regulations: Sequence[str] = ()) -> list[Citation]:
    """Distinct citations in `text` that name (or imply) a regulation, in order of appearance."""
    seen = dict.fromkeys(Citation(m.regulation, m.article) for m in
                         find_mentions(text, corpus, default_regulations=default_regulations) if m.regulation)
    return list(seen)


def verify_citations(text: str, corpus: Corpus, *, retrieved: Sequence[str],
                     extra: Sequence[Citation] = ()) -> tuple[str, list[Citation], list[DroppedCitation]]:
    """Check every citation in `text` (and `extra` structured ones) against the corpus and the retrieved ids.

    Returns the text with unsupported citations removed, the kept citations, and the dropped ones with reasons.
    """
    retrieved_set = set(retrieved)
    defaults = list(dict.fromkeys(article_id.rpartition(":")[0] for article_id in retrieved))
    mentions = find_mentions(text, corpus, default_regulations=defaults)
    kept: dict[Citation, None] = {}
    dropped: dict[tuple[str | None, int], DroppedCitation] = {}
    bad_spans: list[tuple[int, int]] = []

    def judge(regulation: str | None, article: int) -> str | None:
        if regulation is None:
            return "ambiguous: the answer does not say which regulation"
        if corpus.get(f"{regulation}:{article}") is None:
            return "does not exist"
        if f"{regulation}:{article}" not in retrieved_set:
            return "not retrieved for this question"
        return None

    for mention in mentions:
        reason = judge(mention.regulation, mention.article)
        if reason is None:
            kept[Citation(mention.regulation, mention.article)] = None
        else:
            dropped.setdefault((mention.regulation, mention.article),
                               DroppedCitation(mention.regulation, mention.article, reason))
            bad_spans.append((mention.start, mention.end))
    for citation in extra:
        reason = judge(citation.regulation, citation.article)
        if reason is None:
            kept[citation] = None
        else:
            dropped.setdefault((citation.regulation, citation.article),
                               DroppedCitation(citation.regulation, citation.article, reason))
    cleaned = _remove(text, bad_spans, [(m.start, m.end) for m in mentions if (m.start, m.end) not in bad_spans])
    return cleaned, list(kept), list(dropped.values())


def _remove(text: str, bad: list[tuple[int, int]], good: list[tuple[int, int]]) -> str:
    """Drop sentences that cite only dropped articles; elsewhere cut just the bad citation."""
    if not bad:
        return text
    out, position = [], 0
    for start, sentence in _sentences(text):
        end = start + len(sentence)
        out.append(text[position:start])
        position = end
        has_bad = any(start <= a < end for a, _ in bad)
        has_good = any(start <= a < end for a, _ in good)
        if has_bad and not has_good:
            continue
        piece = sentence
        for a, b in sorted(bad, reverse=True):
            if start <= a < end:
                piece = piece[: a - start] + piece[b - start:]
        if has_bad:
            # Tidy what the cut left (empty brackets, double spaces) but keep the space before the sentence.
            lead = piece[: len(piece) - len(piece.lstrip())]
            piece = lead + re.sub(r"\s*[\[(（]\s*[\])）]|\s{2,}", " ", piece).strip()
        out.append(piece)
    out.append(text[position:])
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip()
