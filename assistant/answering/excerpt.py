"""Excerpts: the part of an article an answer quotes, with every omission marked.

The sentences and items worth quoting are chosen in `retrieval.provisions`; this module sets them out one line
per paragraph, in article order, and marks what was left out — "……" in Chinese text, "…" in English — between
two quoted sentences of a paragraph, and on a line of its own where whole paragraphs or items were skipped
(before, between and after the quoted parts). A paragraph that refers back ("违反前款规定的…", "Those who
violate the provisions in the preceding paragraph…", "前两款", "paragraph 1 of this Article") brings the
paragraphs it refers to, so the quote never leans on text the reader cannot see.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..corpus.model import ArticleText, Paragraph
from ..retrieval.provisions import Unit, best_unit, items_of, select_units, unit_scores, units_of
from ..text.language import Language
from ..text.numbering import parse_chinese_number, parse_english_number

ELLIPSIS: dict[Language, str] = {"zh": "……", "en": "…"}
_COUNT = r"[一二两三四五六七八九十]|\d+|one|two|three|four|five"
# "前款" / "前两款" / "the preceding (two) paragraph(s)": counted back; "本条第一款" / "paragraph 1 of this
# Article": counted from the start (but not "第十条第一款", a paragraph of another article).
_BACK = re.compile(rf"前(?P<zh>{_COUNT})?款|"
                   rf"(?:preceding|previous|foregoing)\s+(?:(?P<en>{_COUNT})\s+)?paragraphs?", re.IGNORECASE)
_NUMBERED = re.compile(rf"(?:本条|(?<!条))第(?P<zh>{_COUNT})款|paragraph\s+(?P<en>{_COUNT})\s+of\s+this\s+article",
                       re.IGNORECASE)


@dataclass(frozen=True)
class Excerpt:
    """What is quoted of one article text, and which of its units answers most directly."""

    text: ArticleText
    units: tuple[Unit, ...]
    scores: tuple[float, ...]
    keep: frozenset[int]
    best: int  # the unit a lead sentence restates

    @property
    def lines(self) -> list[str]:
        """The quoted lines (without the "> " mark), omissions marked."""
        return render(self.text.paragraphs, self.units, self.keep, self.text.language)

    @property
    def matched(self) -> bool:
        """True when some unit shares words with the question."""
        return any(score > 0 for score in self.scores)


def excerpt(text: ArticleText, tokens: set[str], idf: Mapping[str, float], *, whole: bool,
            whole_list: bool, question: str = "") -> Excerpt:
    """The excerpt of `text` for a `question` with these `tokens`; `whole` quotes every paragraph."""
    units = units_of(text.paragraphs)
    scores = unit_scores(units, tokens, idf, question=question)
    keep = set(range(len(units))) if whole else select_units(units, scores, whole_list=whole_list)
    keep |= referred_units(text.paragraphs, units, keep)
    return Excerpt(text=text, units=units, scores=tuple(scores), keep=frozenset(keep),
                   best=best_unit(units, scores))


def _count(value: str | None) -> int:
    if not value:
        return 1
    return parse_chinese_number(value.replace("两", "二")) or parse_english_number(value) or 1


def referred_paragraphs(paragraphs: Sequence[Paragraph], index: int) -> list[int]:
    """The paragraphs (款, not items) that paragraph `index` refers to by position."""
    text = paragraphs[index].text
    plain = [i for i, p in enumerate(paragraphs) if not p.label]  # items belong to the paragraph before them
    before = [i for i in plain if i < index]
    found: set[int] = set()
    for match in _BACK.finditer(text):
        found.update(before[-_count(match.group("zh") or match.group("en")):])
    for match in _NUMBERED.finditer(text):
        number = _count(match.group("zh") or match.group("en"))
        if 0 < number <= len(plain) and plain[number - 1] != index:
            found.add(plain[number - 1])
    return sorted(found)


def referred_units(paragraphs: Sequence[Paragraph], units: Sequence[Unit], keep: set[int]) -> set[int]:
    """Units of the paragraphs that kept paragraphs refer to (with the items of their lists)."""
    added: set[int] = set()
    todo = sorted({units[i].paragraph for i in keep})
    seen = set(todo)
    while todo:
        for paragraph in referred_paragraphs(paragraphs, todo.pop()):
            members = [i for i, u in enumerate(units) if u.paragraph == paragraph]
            for i in members:
                added.update([i, *items_of(units, i)])
            if paragraph not in seen:  # "前款" inside the referred paragraph reaches further back
                seen.add(paragraph)
                todo.append(paragraph)
    return added - keep


def render(paragraphs: Sequence[Paragraph], units: Sequence[Unit], keep: set[int] | frozenset[int],
           language: Language) -> list[str]:
    """One line per quoted paragraph; an omission inside a paragraph marked in the line, skipped paragraphs
    and items marked by a line of their own."""
    mark = ELLIPSIS[language]
    joiner = "" if language == "zh" else " "
    lines: list[str] = []
    skipped = False  # whole paragraphs left out since the last quoted line
    for index, paragraph in enumerate(paragraphs):
        members = [i for i, u in enumerate(units) if u.paragraph == index]
        if not any(i in keep for i in members):
            skipped = True
            continue
        if skipped:
            lines.append(mark)
            skipped = False
        if paragraph.label or all(i in keep for i in members):
            lines.append(paragraph.render())
            continue
        pieces: list[str] = []
        for i in members:
            if i in keep:
                pieces.append(units[i].text)
            elif not pieces or pieces[-1] != mark:
                pieces.append(mark)
        lines.append(joiner.join(pieces))
    if skipped and lines:
        lines.append(mark)
    return lines
