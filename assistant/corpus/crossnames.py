"""A regulation named in the other language than its title: "Data Security Law" or "DSL" for
《中华人民共和国数据安全法》, "通用数据保护条例" for the General Data Protection Regulation.

A regulation added with a title in one language only has no name in the other. Rather than a list of
translated names (which could only ever cover the laws someone thought of), a mention is recognised by
meaning, word by word, through CC-CEDICT:
- the title is cut into dictionary words (数据 / 安全 + 法) and each word keeps the stems of its English
  senses ("safe", "secure", "security" → safe, secur), their initials, and the pieces it stands for inside
  English compounds (网络 → "cyber", learnt from 网络空间 "cyberspace": so "Cybersecurity Law", "CSL");
- an English phrase ending in Law / Act / Code / Regulations / Measures / Provisions / Directive names the
  regulation when its words just before that ending each match a word of the title, covering at least two
  thirds of the title's words ("Data Security Law"); an acronym does when its letters spell initials of
  the title's words in order, ending with the ending's initial ("DSL");
- a Chinese phrase ending in 法 / 条例 / 办法 / 规定 / 指令 names an English-titled regulation when its
  dictionary words just before the ending each share a stem with the title, covering two thirds of it.
The ending must agree (a 条例 is not an "Act"). The dictionary is read only when some regulation lacks a
title in one of the two languages, so the bundled corpus never loads it.

Chinese short forms are recognised the same way for every Chinese title: 电商法 for 电子商务法, 网安法 for
网络安全法 — the characters before the ending start words of the title, in order, beginning with its first.
"""

from __future__ import annotations

import math
import re
import weakref
from dataclasses import dataclass
from functools import lru_cache

from ..text.dictionary import bound_forms, cedict, segment, senses
from ..text.tokens import stem, word_starts
from .model import Corpus, Regulation

# Title endings and the English words (stemmed) that may stand for them.
ENDINGS: dict[str, frozenset[str]] = {
    "法典": frozenset({"code", "law"}), "法": frozenset({"law", "act", "code"}),
    "条例": frozenset({"regul", "rule", "ordin"}), "办法": frozenset({"measur", "rule", "regul"}),
    "规定": frozenset({"provis", "rule", "regul"}), "指令": frozenset({"direct"}),
}
_EN_ENDING = {word: [zh for zh, words in ENDINGS.items() if word in words]
              for word in {w for words in ENDINGS.values() for w in words}}
_SMALL = frozenset("a an and for in of on or the to with by its their china chines china' prc peopl republ".split())
_ZH_SMALL = frozenset("的 和 与 及 之 关于 对 有关".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_EN_PHRASE = re.compile(r"((?:[A-Za-z][A-Za-z'’-]*\s+){1,8})(laws?|acts?|codes?|regulations?|rules|ordinances?|"
                        r"measures|provisions|directives?)\b", re.IGNORECASE)
_ACRONYM = re.compile(r"(?<![A-Za-z0-9])[A-Z]{3,6}(?![A-Za-z0-9])")
_ZH_PHRASE = re.compile(r"[\u4e00-\u9fff]{2,14}?(法典|条例|办法|规定|指令|法)")


@dataclass(frozen=True)
class _Word:
    """One dictionary word of a Chinese title: the stems and initials of its English senses, and the pieces
    it stands for inside an English compound word."""

    stems: frozenset[str]
    initials: frozenset[str]
    bound: frozenset[str] = frozenset()


def _sense_words(sense: str) -> list[str]:
    return [w for w in (w.lower().replace("’", "'") for w in _WORD.findall(sense)) if w not in _SMALL]


def _chinese_profile(title: str) -> tuple[str, list[_Word]] | None:
    """(ending, dictionary words) of a Chinese title, or None when it has no recognised ending."""
    core = title.strip().strip("《》").removeprefix("中华人民共和国").replace("经济特区", "")
    core = re.sub(r"^(\w{2,3})市", r"\1", core)
    ending = next((e for e in ENDINGS if core.endswith(e)), None)
    if ending is None or len(core) <= len(ending):
        return None
    words = []
    for piece in segment(core[: -len(ending)]):
        found = [_sense_words(s) for s in senses(piece)]
        stems = frozenset(stem(w) for words in found for w in words)
        bound = bound_forms().get(piece, frozenset())
        initials = frozenset("".join(w[0] for w in ws) for ws in found if 0 < len(ws) <= 3) | {b[0] for b in bound}
        if stems:
            words.append(_Word(stems, initials, bound))
    return (ending, words) if words else None


def _english_profile(title: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(endings, content stems) of an English title; None without a recognised ending word."""
    stems = [part for w in _sense_words(title) for part in _pieces(w)]
    endings = frozenset(zh for s in stems for zh in _EN_ENDING.get(s, ()))
    content = frozenset(s for s in stems if s not in _EN_ENDING and not s.isdigit())
    return (endings, content) if endings and content else None


def _pieces(word: str) -> list[str]:
    """An English title word as stems; a word the dictionary does not know (even by its stem), cut after a
    bound piece into a word it does: "cybersecurity" → cyber, secur ("protection", "interfaces" stay whole)."""
    known = _english_stems()
    if stem(word) not in known:
        for head in _all_bound():
            if word.startswith(head) and stem(word[len(head):]) in known:
                return [head, stem(word[len(head):])]
    return [stem(word)]


@lru_cache(maxsize=1)
def _all_bound() -> tuple[str, ...]:
    return tuple(sorted({piece for pieces in bound_forms().values() for piece in pieces}, key=len, reverse=True))


@lru_cache(maxsize=1)
def _english_stems() -> frozenset[str]:
    """The stem of every English word of four or more letters in the dictionary's senses."""
    return frozenset(stem(w) for senses_ in cedict().values() for sense in senses_ for w in _WORD.findall(sense)
                     if len(w) >= 4)


@dataclass(frozen=True)
class _Profiles:
    chinese: dict[str, tuple[str, list[_Word]]]  # regulations without an English title
    english: dict[str, tuple[frozenset[str], frozenset[str]]]  # regulations without a Chinese title


_PROFILES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _profiles(corpus: Corpus) -> _Profiles:
    if corpus not in _PROFILES:
        chinese, english = {}, {}
        for regulation in corpus.regulations:
            if _lacks(regulation, "en") and (profile := _chinese_profile(regulation.title["zh"])):
                chinese[regulation.id] = profile
            if _lacks(regulation, "zh") and (found := _english_profile(regulation.title["en"])):
                english[regulation.id] = found
        _PROFILES[corpus] = _Profiles(chinese, english)
    return _PROFILES[corpus]


def _lacks(regulation: Regulation, language: str) -> bool:
    other = "zh" if language == "en" else "en"
    return not regulation.title.get(language) and bool(regulation.title.get(other))


def cross_language_mentions(text: str, corpus: Corpus) -> list[tuple[str, int, int]]:
    """(regulation id, start, end) for every place `text` names a regulation in the other language than its
    title, or by a Chinese short form, in order."""
    found = _short_forms(text, corpus)
    profiles = _profiles(corpus)  # worked out once per corpus; empty (no dictionary read) when every title is bilingual
    if profiles.chinese:
        found += _english_mentions(text, profiles.chinese)
    if profiles.english:
        found += _chinese_mentions(text, profiles.english)
    return sorted(found, key=lambda item: item[1])


def _english_mentions(text: str, chinese: dict[str, tuple[str, list[_Word]]]) -> list[tuple[str, int, int]]:
    found = []
    for match in _EN_PHRASE.finditer(text):
        ending = stem(match.group(2))
        words = list(_WORD.finditer(match.group(1)))
        for regulation_id, (zh_ending, title_words) in chinese.items():
            if ending not in ENDINGS[zh_ending]:
                continue
            start = _trailing_match(words, title_words)
            if start is not None:
                found.append((regulation_id, match.start(1) + start, match.end()))
    for match in _ACRONYM.finditer(text):
        letters = match.group().lower()
        for regulation_id, (zh_ending, title_words) in chinese.items():
            if letters[-1] in {e[0] for e in ENDINGS[zh_ending]} and _spells(letters[:-1], title_words):
                found.append((regulation_id, match.start(), match.end()))
    return found


def _trailing_match(words: list[re.Match[str]], title: list[_Word]) -> int | None:
    """Where the run of words just before the ending starts, when each matches a title word and together they
    cover two thirds of the title's words; None otherwise."""
    matched: set[int] = set()
    start = None
    for word in reversed(words):
        token = stem(word.group().replace("’", "'"))
        if word.group().lower() in _SMALL or token in _SMALL:
            continue
        hits = {i for i, w in enumerate(title) if token in w.stems or token in w.bound}
        if hits:
            matched.add(min(hits - matched or hits))  # several English words may render one Chinese word
        elif pair := _compound(word.group().lower(), title):
            matched |= pair
        else:
            break
        start = word.start()
    return start if len(matched) >= max(1, math.ceil(len(title) * 2 / 3)) else None


def _compound(word: str, title: list[_Word]) -> set[int]:
    """Two consecutive title words an English compound spells, a bound piece then a sense ("cyber" +
    "security" for 网络 / 安全); empty when it spells none."""
    for cut in range(3, len(word) - 2):
        head, tail = word[:cut], stem(word[cut:])
        for i in range(len(title) - 1):
            if head in title[i].bound and tail in title[i + 1].stems:
                return {i, i + 1}
    return set()


def _spells(letters: str, title: list[_Word]) -> bool:
    """Do `letters` spell initials of consecutive title words (leading words, a place name, may be left out)?"""
    def spell(rest: str, index: int) -> bool:
        if not rest:
            return index == len(title)
        if index == len(title):
            return False
        return any(rest.startswith(i) and spell(rest[len(i):], index + 1) for i in title[index].initials)
    return bool(letters) and any(spell(letters, first) for first in range(min(2, len(title))))


def _chinese_mentions(text: str, english: dict[str, tuple[frozenset[str], frozenset[str]]]
                      ) -> list[tuple[str, int, int]]:
    found = []
    for match in _ZH_PHRASE.finditer(text):
        pieces = segment(match.group()[: -len(match.group(1))])
        for regulation_id, (endings, content) in english.items():
            if match.group(1) not in endings:
                continue
            matched, length = set(), 0
            for piece in reversed(pieces):
                if piece in _ZH_SMALL:
                    length += len(piece)
                    continue
                stems = ({stem(w) for s in senses(piece) for w in _sense_words(s)} | bound_forms().get(piece, set())
                         ) & content
                if not stems - matched:
                    break
                matched |= stems
                length += len(piece)
            if len(matched) >= max(2, math.ceil(len(content) * 2 / 3)):
                found.append((regulation_id, match.end(1) - len(match.group(1)) - length, match.end()))
    return found


_SHORT_FORM = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:法典|条例|办法|法)")
_STARTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _word_starts(corpus: Corpus) -> dict[str, tuple[str, str]]:
    """Regulation id → (ending, the characters that start a word of its Chinese title before the ending)."""
    if corpus not in _STARTS:
        starts = {}
        for regulation in corpus.regulations:
            core = regulation.title.get("zh", "").strip("《》").removeprefix("中华人民共和国")
            ending = next((e for e in ENDINGS if core.endswith(e)), None)
            if ending and len(core) > len(ending) + 1:
                body = core[: -len(ending)]
                starts[regulation.id] = (ending, "".join(body[i] for i in word_starts(body)))
        _STARTS[corpus] = starts
    return _STARTS[corpus]


def _short_forms(text: str, corpus: Corpus) -> list[tuple[str, int, int]]:
    """电商法 → 电子商务法: a short form of two or more characters and the title's ending."""
    found = []
    for match in _SHORT_FORM.finditer(text):
        phrase = match.group()
        for regulation_id, (ending, starts) in _word_starts(corpus).items():
            if not phrase.endswith(ending):
                continue
            body = phrase[: -len(ending)]
            for offset in range(len(body) - 1):
                short = body[offset:]
                if short[0] == starts[0] and _is_subsequence(short, starts):
                    found.append((regulation_id, match.start() + offset, match.end()))
                    break
    return found


def _is_subsequence(short: str, letters: str) -> bool:
    position = 0
    for char in short:
        position = letters.find(char, position) + 1
        if not position:
            return False
    return True
