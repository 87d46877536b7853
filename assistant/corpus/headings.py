"""Recognising headings: parts, chapters, sections and articles, numbered items, and what follows a regulation.

Chinese: 第一编 / 第一分编 / 第一章 / 第一节 / 第一条 (第1条, 第一百零三条), and inserted articles 第十七条之一.
English: Part I, Chapter IV, Section 2, Article 12, Article 14a. A heading counts only at the start of a
paragraph, and a line that starts like one but reads as a cross-reference ("第三条规定的…", "Article 10 of
these Regulations", "Article 16(2) TFEU mandates…") is reported as `reference`, so the parser can keep it as
article text when its number does not continue the numbering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.language import ends_sentence
from ..text.numbering import CHINESE_DIGITS, parse_heading_number

_NUM_ZH = rf"[{CHINESE_DIGITS}\d０-９]+"
_ZH_HEADING = re.compile(rf"^第\s*({_NUM_ZH})\s*(分编|编|章|节|節|条|條)(?:之\s*([{CHINESE_DIGITS}\d]+))?(.*)$")
_EN_HEADING = re.compile(r"^(Part|Chapter|Section|Article)\s+(\d+|[IVXLC]+)([a-z])?\b(.*)$", re.IGNORECASE)
_ZH_KINDS = {"编": "part", "分编": "subpart", "章": "chapter", "节": "section", "節": "section", "条": "article",
             "條": "article"}
DIVISIONS = ("part", "subpart", "chapter", "section")  # outermost first
# Words that continue a cross-reference rather than start an article's text: 第三条 规定的…, 第五条第二款…;
# after a number glued to the text (no space), a few more: 第三条中…, 第三条的…
_ZH_REFERENCE = re.compile(rf"^(?:规定|所称|所列|所指|的规定|第\s*{_NUM_ZH}\s*[款项]|[、，,]|[和及]第|或者第|至第)")
_ZH_GLUED_REFERENCE = re.compile(rf"^(?:的|中|之(?!\s*[{CHINESE_DIGITS}\d])|和|及|或|以及)")
_SEPARATOR = re.compile(r"^[\s:：.．、]+")
ITEM = re.compile(rf"^([(（]\s*(?:\d+|[{CHINESE_DIGITS}]+|[a-z]|[ivx]{{1,4}})\s*[)）])(\s*)(.*)$")
# Matter that follows the regulation text and belongs to no article: explanatory appendices, publishers'
# footers, the signature block of an EU act. Only looked for after the last article.
APPENDIX = re.compile(r"^(Interpretation|Explanation|Explanatory Notes?|Annex(?:es)?(?:\s+[IVX\d]+)?|"
                      r"Appendix(?:\s+[IVX\d]+)?|附件\s*[一二三四五六七八九十\d]*|附录|说明|解读|起草说明)\s*[:：]?$",
                      re.IGNORECASE)
FOOTER = re.compile(r"^(©|\(c\)\s|Copyright\s*(?:©|\(c\)|\d{4})|All rights reserved|版权所有(?![人者])|"
                    r"Done at [A-Z])", re.IGNORECASE)
MAX_TITLE = 80


@dataclass(frozen=True)
class HeadingMatch:
    """What a paragraph's opening says it is."""

    kind: str  # "part", "subpart", "chapter", "section" or "article"
    number: int
    rest: str  # the text after the heading (an article's first sentence, a chapter's title)
    language: str
    suffix: int = 0  # 1 for 第十七条之一 / Article 14a
    reference: bool = False  # reads like a cross-reference ("第三条规定的…"), not like a heading
    glued: bool = False  # no space after the number ("第一百二十八 条侦查人员…"): a heading only where expected


def heading_of(text: str) -> HeadingMatch | None:
    """The heading `text` opens with, if any (`reference` set when it reads like a cross-reference)."""
    zh = _ZH_HEADING.match(text)
    if zh:
        return _chinese(zh)
    en = _EN_HEADING.match(text)
    if en:
        return _english(en)
    return None


def _chinese(match: re.Match[str]) -> HeadingMatch | None:
    number = parse_heading_number(match.group(1))
    kind = _ZH_KINDS[match.group(2)]
    suffix = parse_heading_number(match.group(3)) if match.group(3) else 0
    tail = match.group(4)
    separator = _SEPARATOR.match(tail)
    rest = tail[separator.end():] if separator else tail
    glued = bool(rest) and not separator and rest[0] not in "【(（"
    if number is None or suffix is None or (match.group(3) and kind != "article"):
        return None
    if kind != "article":
        return HeadingMatch(kind, number, rest.strip(), "zh") if number and is_title(rest.strip(), "zh") else None
    reference = bool(_ZH_REFERENCE.match(rest) or (glued and _ZH_GLUED_REFERENCE.match(rest)))
    return HeadingMatch("article", number, rest.strip(), "zh", suffix=suffix, reference=reference, glued=glued)


def _english(match: re.Match[str]) -> HeadingMatch | None:
    kind = match.group(1).lower()
    number = parse_heading_number(match.group(2))
    letter = match.group(3)
    tail = match.group(4)
    rest = re.sub(r"^\s*[.:：\-–—]?\s*", "", tail)
    if number is None or (kind == "article" and not match.group(2).isdigit()):
        return None
    if kind != "article":
        return HeadingMatch(kind, number, rest, "en") if not letter and is_title(rest, "en") else None
    suffix = ord(letter.lower()) - ord("a") + 1 if letter else 0
    # "Article 10 of these Regulations …" and "Article 16(2) TFEU mandates …" are cross-references.
    reference = tail.startswith("(") or (bool(rest) and not (
        rest[0].isupper() or rest[0] in "(（“\"'‘【" or not rest[0].isascii()))
    return HeadingMatch("article", number, rest, "en", suffix=suffix, reference=reference)


def is_title(rest: str, language: str) -> bool:
    """Whether `rest` can be a chapter or section title (short, not a sentence)."""
    if len(rest) > MAX_TITLE or ends_sentence(rest) or "，" in rest or "。" in rest:
        return False
    return not rest or language == "zh" or rest[0].isupper()


def is_bare_title(text: str, language: str) -> bool:
    """Whether a paragraph could be a division title standing alone ("法律责任", "附 则", "Final Provisions")."""
    if ITEM.match(text) or ends_sentence(text) or any(ch in text for ch in "，,、；;：:()（）\"“”0123456789"):
        return False
    if language == "zh":
        return 2 <= len(text.replace(" ", "")) <= 16
    words = text.split()
    return 1 <= len(words) <= 8 and all(w[0].isupper() or w.lower() in _EN_SMALL_WORDS for w in words)


_EN_SMALL_WORDS = frozenset("a an and for in of on or the to with".split())
