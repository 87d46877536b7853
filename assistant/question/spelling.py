"""Spelling: English words of a question that neither the loaded regulations nor the dictionary know,
corrected to the nearest word the regulations use ("framwork softwear" → "framework software").

A misspelt word finds nothing by keyword and pulls the question's vector off its subject, so a question typed
in haste abstained or cited the wrong article. Only words that look like slips are touched: at least five
letters, unknown to the corpus (any inflection: "pilots" is known when an article says "pilot") and to the
English of CC-CEDICT's senses, in British or American spelling (so "hello", "perks" or "organises" never turn
into a corpus word), with one corpus word
within one edit (two for words of eight letters or more) that starts with the same letter. Regulation names
are left alone: `references.find_regulations` reads those with slips of their own ("shangai").
"""

from __future__ import annotations

import re
import weakref
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from ..corpus.model import Corpus
from ..text.dictionary import cedict
from ..text.tokens import english_tokens

MIN_LETTERS = 5  # shorter words are too often right words the corpus happens not to use
_WORD = re.compile(r"(?<![A-Za-z'])[A-Za-z]+(?![A-Za-z'])")
_VOCABULARY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def correct_spelling(text: str, corpus: Corpus) -> str:
    """`text` with each word that looks like a slip replaced by the corpus word it most likely meant."""
    candidates = [m for m in _WORD.finditer(text) if len(m.group(0)) >= MIN_LETTERS]
    if not candidates:
        return text
    words, by_letter, stems = _vocabulary(corpus)
    out, last = [], 0
    for match in candidates:
        word = match.group(0).lower()
        if word in words or _known(word, stems) or _known(word, _english()):
            continue
        fixed = _nearest(word, by_letter)
        if fixed is not None:
            out.append(text[last:match.start()])
            out.append(fixed.capitalize() if match.group(0)[:1].isupper() else fixed)
            last = match.end()
    return "".join(out) + text[last:] if out else text


def _nearest(word: str, words: dict[str, list[str]]) -> str | None:
    """The corpus word nearest to `word` (same first letter, within the allowed edits); ties go to the
    shorter list position, i.e. the word the corpus uses most."""
    allowed = 2 if len(word) >= 8 else 1
    found = process.extractOne(word, words.get(word[0], []), scorer=DamerauLevenshtein.distance,
                               score_cutoff=allowed)
    return found[0] if found is not None else None


_BRITISH = ((re.compile(r"is(e[sd]?|ing|ation)$"), r"iz\1"), (re.compile(r"ys(e[sd]?|ing)$"), r"yz\1"),
            (re.compile(r"our(s|ed|ing)?$"), r"or\1"), (re.compile(r"tre(s)?$"), r"ter\1"))


_DEGREE = re.compile(r"(?:er|est)$")  # stricter, safest, bigger, easier: Snowball leaves these whole


def _known(word: str, stems: frozenset[str]) -> bool:
    """Whether any inflection of `word` is among `stems`, in British or American spelling ("firms" → firm,
    "organises" → organiz, "centres" → center, "stricter" → strict)."""
    forms = [word, *(pattern.sub(to, word) for pattern, to in _BRITISH if pattern.search(word))]
    if _DEGREE.search(word):
        base = _DEGREE.sub("", word)
        forms += [base, base + "e", base[:-1], base[:-1] + "y"]
    return any(_stem(form) in stems for form in forms if form)


def _stem(word: str) -> str:
    stems = english_tokens(word)
    return stems[0] if stems else word


def _vocabulary(corpus: Corpus) -> tuple[frozenset[str], dict[str, list[str]], frozenset[str]]:
    """The corpus's English words, the same by first letter (most frequent first), and their stems."""
    if corpus not in _VOCABULARY:
        counts: dict[str, int] = {}
        texts = [v.text for a in corpus.articles() for v in a.texts if v.language == "en"]
        texts += [t for r in corpus.regulations for t in (*r.title.values(), *r.short_name.values(), *r.aliases)]
        for text in texts:
            for word in _WORD.findall(text.lower()):
                counts[word] = counts.get(word, 0) + 1
        by_letter: dict[str, list[str]] = {}
        for word in sorted(counts, key=lambda w: (-counts[w], w)):
            by_letter.setdefault(word[0], []).append(word)
        _VOCABULARY[corpus] = (frozenset(counts), by_letter, frozenset(_stem(w) for w in counts))
    return _VOCABULARY[corpus]


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    """The stems of every word the dictionary's English senses use (read once, on the first unknown word)."""
    words = {w.lower() for senses in cedict().values() for sense in senses for w in _WORD.findall(sense)}
    return frozenset(_stem(w) for w in words)
