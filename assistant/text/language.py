"""Which language a text is in, and the few normalisations every module agrees on."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
# Spaces that extraction tools leave behind: no-break, ideographic, tabs, zero-width.
_ODD_SPACES = str.maketrans({"\u00a0": " ", "\u3000": " ", "\t": " ", "\u200b": "", "\ufeff": ""})
# A quoted article text is excluded when judging the language of an answer (see evaluation).
TERMINAL_PUNCTUATION = (".", ";", ":", "。", "；", "：", "!", "?", "！", "？")
_CLOSERS = "\"'”’)）]】」』"
# Where a sentence ends: Chinese end punctuation, a newline, or . ! ? ; before a space — but not the dot of an
# abbreviation that precedes a number ("Art. 12", "No. 127", "e.g. the …").
SENTENCE_END = re.compile(r"[。！？；]|\n|(?<!\bArt)(?<!\bArts)(?<!\bNo)(?<!\be\.g)(?<!\bi\.e)[.!?;](?=\s)")


def detect_language(text: str, *, default: Language = "en") -> Language:
    """Return "zh" or "en": Chinese when CJK characters carry at least a quarter of the letters' weight."""
    cjk = len(CJK_CHAR.findall(text))
    latin = len(LATIN_LETTER.findall(text))
    if cjk == 0 and latin == 0:
        return default
    # One Chinese character carries about as much as a three-letter English word part.
    return "zh" if cjk * 3 >= latin else "en"


def has_letters(text: str) -> bool:
    """True when the text contains a Latin letter or a CJK character."""
    return bool(CJK_CHAR.search(text) or LATIN_LETTER.search(text))


def normalize_spaces(line: str) -> str:
    """Replace no-break/ideographic spaces and tabs with plain spaces; drop zero-width characters."""
    return line.translate(_ODD_SPACES)


def ends_sentence(text: str) -> bool:
    """True when the text ends with sentence-final punctuation (ignoring closing quotes and brackets)."""
    stripped = text.rstrip().rstrip(_CLOSERS)
    return stripped.endswith(TERMINAL_PUNCTUATION)


def join_wrapped(first: str, second: str) -> str:
    """Join two hard-wrapped line fragments: no space between Chinese characters, one space otherwise."""
    first, second = first.rstrip(), second.lstrip()
    if not first:
        return second
    if not second:
        return first
    if CJK_CHAR.match(first[-1]) and CJK_CHAR.match(second[0]):
        return first + second
    return f"{first} {second}"
