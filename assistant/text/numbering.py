"""Article and chapter numbers: 第六十六条 ⇄ 66, "Art. 66" ⇄ 66, Chapter IV ⇄ 4."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


_ZH_NUM = rf"[{CHINESE_DIGITS}\d０-９]+"
# 第六十六条, 第66条, 第二百五十三条之一; ranges 第一条至第三条, 第一条到第三条, 第1-3条.
_ZH_NUM_SPACED = rf"[{CHINESE_DIGITS}\d０-９](?:[ \t]*[{CHINESE_DIGITS}\d０-９])*"  # "第九 十九条" is 第九十九条
_ZH_ARTICLE = (rf"第\s*({_ZH_NUM_SPACED})\s*(?:[-－—~～至到]\s*(?:第\s*)?({_ZH_NUM})\s*)?(?:条|條)"
               rf"(?:\s*之\s*([{CHINESE_DIGITS}\d]+))?")
# "Article 12", "Art. 12", "art. 12", "ART 12", "Art 12", "Articles 12 and 13", "Articles 12, 13 and 14",
# "Articles 12-14", "Article 14a", "§ 53", "§§ 5-7". "Art" without a dot needs a number of one to three digits
# after it ("Art 27", "art 66"); a bare "Art" right after a capitalised word is a name ("Modern Art 3 fair",
# "Digital Art 2023"), not a reference.
_ARTICLE_WORD = r"(?:(?i:articles?)|(?i:arts?)\.|(?i:art)(?=\s+\d{1,3}(?![\d,.]\d)\b)|§§?)"
_NAME_BEFORE = re.compile(r"[A-Z][\w-]*\s+$")
_EN_NUMBER = r"\d+(?:[a-z](?![a-z]))?"
_EN_ARTICLE = (rf"(?<![\w§]){_ARTICLE_WORD}\s*({_EN_NUMBER}(?:\s*(?:,|(?i:and|or|to)|&|-|–)\s*"
               rf"(?:{_ARTICLE_WORD}\s*)?{_EN_NUMBER})*)")
ZH_ARTICLE_PATTERN = re.compile(_ZH_ARTICLE)
EN_ARTICLE_PATTERN = re.compile(_EN_ARTICLE)
_RANGE = re.compile(rf"(\d+)\s*(?:(?i:to)|-|–)\s*(?:{_ARTICLE_WORD}\s*)?(\d+)(?![a-z])")
_ZH_RANGE_BETWEEN = re.compile(r"\s*(?:至|到|-|－|—|~|～)\s*")
MAX_RANGE = 20  # a wider span is more likely a typo than a range


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


@dataclass(frozen=True)
class ArticleNumber:
    """An article named in text: its number, its insertion suffix (之一 / a → 1) and where it stands."""

    number: int
    start: int
    end: int
    suffix: int = 0


def find_article_numbers(text: str) -> list[ArticleNumber]:
    """Find article references in free text, in order of appearance.

    Recognises 第六十六条, 第66条, 第二百五十三条之一, 第一条至第三条, Article 66, Art. 66, art 66 (capitalised or
    upper-case "Art"), Article 14a, § 53, Articles 12 and 13, Articles 12-14 (ranges expanded), and numbers in
    words (article sixty-nine).
    """
    found: list[ArticleNumber] = []
    previous = None
    for match in ZH_ARTICLE_PATTERN.finditer(text):
        number = parse_chinese_number(re.sub(r"\s+", "", match.group(1)))
        if not number:
            continue
        last = parse_chinese_number(match.group(2)) if match.group(2) else None
        suffix = parse_chinese_number(match.group(3)) if match.group(3) else 0
        if last is not None and number < last <= number + MAX_RANGE:
            found.extend(ArticleNumber(n, match.start(), match.end()) for n in range(number, last + 1))
        else:
            # "第一条至第三条": the articles between two named ones.
            if previous is not None and _ZH_RANGE_BETWEEN.fullmatch(text, previous.end, match.start()) \
                    and previous.number < number <= previous.number + MAX_RANGE:
                found.extend(ArticleNumber(n, previous.start, match.end()) for n in range(previous.number + 1, number))
            found.append(ArticleNumber(number, match.start(), match.end(), suffix or 0))
        previous = found[-1]
    for match in EN_ARTICLE_PATTERN.finditer(text):
        bare = text[match.start():match.start() + 3] in ("Art", "ART") and text[match.start() + 3:][:1] in (" ", "\t")
        if bare and _NAME_BEFORE.search(text, 0, match.start()):
            continue
        group = match.group(1)
        numbers = {(int(n), ord(letter) - 96 if letter else 0)
                   for n, letter in re.findall(r"(\d+)([a-z]?)(?![a-z])", group)}
        for range_match in _RANGE.finditer(group):
            low, high = int(range_match.group(1)), int(range_match.group(2))
            if low < high <= low + MAX_RANGE:
                numbers.update((n, 0) for n in range(low + 1, high))
        found.extend(ArticleNumber(n, match.start(), match.end(), suffix) for n, suffix in sorted(numbers) if n > 0)
    for match in EN_WORD_ARTICLE_PATTERN.finditer(text):
        number = parse_english_number(match.group(1))
        if number:
            found.append(ArticleNumber(number, match.start(), match.end()))
    found.sort(key=lambda item: item.start)
    return found
