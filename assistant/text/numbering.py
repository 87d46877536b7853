"""Article and chapter numbers: 第六十六条 ⇄ 66, "Art. 66" ⇄ 66, Chapter IV ⇄ 4."""

from __future__ import annotations

import re

import cn2an

# Digits that appear in Chinese legal numbering (第一百零三条, 第〇条 never occurs but 〇 is a valid zero).
CHINESE_DIGITS = "零〇一二两三四五六七八九十百千"
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def parse_chinese_number(text: str) -> int | None:
    """Return the value of a Chinese or Arabic numeral ("一百零三", "66", "６６"), or None if it is not one."""
    text = text.strip().translate(_FULLWIDTH_DIGITS)
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if any(ch not in CHINESE_DIGITS for ch in text):
        return None
    try:
        value = cn2an.cn2an(text.replace("〇", "零"), "strict")
    except ValueError:
        # Digit-by-digit forms such as 一二七 (used for document numbers, never for articles).
        return None
    return int(value)


def format_chinese_number(number: int) -> str:
    """Write a positive integer as Chinese legal numbering does: 66 → 六十六, 103 → 一百零三."""
    if number <= 0:
        raise ValueError(f"article numbers start at 1, got {number}")
    return str(cn2an.an2cn(number))


def parse_roman_number(text: str) -> int | None:
    """Return the value of a Roman numeral ("IV" → 4), or None if `text` is not a well-formed one."""
    text = text.strip().upper()
    if not text or any(ch not in ROMAN_VALUES for ch in text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = ROMAN_VALUES[ch]
        following = ROMAN_VALUES[text[i + 1]] if i + 1 < len(text) else 0
        total += -value if value < following else value
    return total if format_roman_number(total) == text else None


def format_roman_number(number: int) -> str:
    """Write a positive integer as a Roman numeral (4 → IV)."""
    pairs = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
             (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for value, letters in pairs:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def parse_heading_number(text: str) -> int | None:
    """Return the number in a chapter/section/article heading: Arabic, Roman or Chinese."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    return parse_roman_number(text) or parse_chinese_number(text)


_ZH_ARTICLE = rf"第\s*([{CHINESE_DIGITS}\d０-９]+)\s*条"
# "Article 12", "Art. 12", "Art 12", "Articles 12 and 13", "Articles 12, 13 and 14", "Articles 12-14". The
# abbreviation needs its capital, and its dot unless a number of one to three digits follows ("Art 27"); a bare
# "Art" right after a capitalised word is a name ("Modern Art 3 fair", "Digital Art 2023"), not a reference.
_ARTICLE_WORD = r"(?:(?i:articles?)|Arts?\.|Art(?=\s+\d{1,3}(?![\d,.]\d)\b))"
_NAME_BEFORE = re.compile(r"[A-Z][\w-]*\s+$")
_EN_ARTICLE = (rf"\b{_ARTICLE_WORD}\s*(\d+(?:\s*(?:,|(?i:and|or|to)|&|-|–)\s*(?:{_ARTICLE_WORD}\s*)?\d+)*)")
ZH_ARTICLE_PATTERN = re.compile(_ZH_ARTICLE)
EN_ARTICLE_PATTERN = re.compile(_EN_ARTICLE)
_RANGE = re.compile(rf"(\d+)\s*(?:(?i:to)|-|–)\s*(?:{_ARTICLE_WORD}\s*)?(\d+)")


_EN_UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                         "thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_EN_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split())
            if w != "_"}
_EN_WORD = "|".join([*_EN_TENS, *_EN_UNITS, "hundred", "and"])
_EN_NUMBER_WORDS = rf"(?:{_EN_WORD})(?:[\s-]+(?:{_EN_WORD}))*"
EN_WORD_ARTICLE_PATTERN = re.compile(rf"\b(?:(?i:article)|Art\.)\s+((?i:{_EN_NUMBER_WORDS}))\b")


def parse_english_number(text: str) -> int | None:
    """Return the value of an English number written in words ("sixty-nine" → 69), up to 999."""
    current = 0
    words = [w for w in re.split(r"[\s-]+", text.lower().strip()) if w and w != "and"]
    if not words:
        return None
    for word in words:
        if word in _EN_UNITS:
            current += _EN_UNITS[word]
        elif word in _EN_TENS:
            current += _EN_TENS[word]
        elif word == "hundred" and current:
            current *= 100
        else:
            return None
    return current or None


def find_article_numbers(text: str) -> list[tuple[int, int, int]]:
    """Find article references in free text: a list of (number, start, end) in order of appearance.

    Recognises 第六十六条, 第66条, Article 66, Art. 66, Articles 12 and 13, Articles 12-14 (expanded), and
    numbers in words (article sixty-nine).
    """
    found: list[tuple[int, int, int]] = []
    for match in ZH_ARTICLE_PATTERN.finditer(text):
        number = parse_chinese_number(match.group(1))
        if number:
            found.append((number, match.start(), match.end()))
    for match in EN_ARTICLE_PATTERN.finditer(text):
        bare = text.startswith("Art ", match.start()) or text.startswith("Art\t", match.start())
        if bare and _NAME_BEFORE.search(text, 0, match.start()):
            continue
        group = match.group(1)
        numbers = [int(n) for n in re.findall(r"\d+", group)]
        for range_match in _RANGE.finditer(group):
            low, high = int(range_match.group(1)), int(range_match.group(2))
            if low < high <= low + 20:  # a wider span is more likely a typo than a range
                numbers.extend(range(low + 1, high))
        found.extend((n, match.start(), match.end()) for n in sorted(set(numbers)) if n > 0)
    for match in EN_WORD_ARTICLE_PATTERN.finditer(text):
        number = parse_english_number(match.group(1))
        if number:
            found.append((number, match.start(), match.end()))
    found.sort(key=lambda item: item[1])
    return found
