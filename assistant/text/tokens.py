"""Keyword tokens for BM25: jieba words for Chinese, stemmed words for English, in one token space.

Chinese runs go through jieba's search mode (which also emits the shorter words inside long ones, so
人工智能伦理 matches 伦理); Latin runs are lower-cased, stop words dropped and Snowball-stemmed, so
"regulations" matches "regulation". Text without Chinese never loads jieba's dictionary (≈0.5 s).
"""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache

import Stemmer

_RUNS = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([A-Za-z0-9][A-Za-z0-9'&.-]*)")
_STEMMER = Stemmer.Stemmer("english")

EN_STOPWORDS = frozenset("""
a about above after again all also am an and any are as at be been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers him
his how i if in into is it its itself just me more most my no nor not now of off on once only or other our
out over own same she should so some such than that the their them then there these they this those through
to too under until up very was we were what when where which while who whom why will with would you your
shall may must these regulations regulation article articles please tell me say says said
""".split())
ZH_STOPWORDS = frozenset("""
的 了 和 与 及 或 或者 是 在 对 等 为 由 将 把 被 其 之 于 以 并 而 也 都 又 就 从 向 给 让 这 那 这个 那个 哪些 什么
怎么 如何 吗 呢 吧 啊 么 请问 请 一下 可以 能 能否 会 要 有 没有 我 我们 你 他 她 它 他们 条 第 规定 条例 本条例
""".split())


# Everyday words of a conversational question that say nothing about its topic (stemmed forms).
EN_FILLER = frozenset("""
want get got find use make need know tell someth anyth everyth noth happen go like thing way lot run start help let
look think work us i'v we'r can't won't isn't don't doe current still good new big small tini time year day peopl
person compani anyon someon thank hi hello ok okay right realli actual kind sort mean mani much also just even
""".split())


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def salience(token: str) -> float:
    """How much a token says about a question's topic: ~0 for everyday words, higher for specific ones.

    Chinese words are weighed by their general-language rarity in jieba's dictionary; English words are
    salient unless they are everyday filler.
    """
    if token[:1].isascii():
        return 0.0 if token in EN_FILLER or token.isdigit() else 1.0
    jieba = _jieba()
    frequency = jieba.dt.FREQ.get(token, 0)
    rarity = math.log(jieba.dt.total / (frequency + 1))
    return max(0.0, min(rarity - 8.0, 6.0)) / 3.0


_LATIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'&.-]*")


def english_tokens(text: str) -> list[str]:
    """Tokens of English-only text (same tokens as `tokenize` gives), stemmed in one batch."""
    words = [w.lower().strip(".'-&") for w in _LATIN_WORD.findall(text)]
    return _STEMMER.stemWords([w for w in words if w and w not in EN_STOPWORDS])


def word_starts(text: str) -> list[int]:
    """Where the words of a Chinese name start (every word jieba finds in it, two characters or more): 网络安全 →
    [0, 2] (网络, 安全)."""
    starts, position = {0}, 0
    for word in _jieba().lcut(text, cut_all=True):
        position = text.find(word, position if len(word) > 1 else 0)
        if len(word) > 1 and position >= 0:
            starts.add(position)
    return sorted(starts)


def stem(word: str) -> str:
    """One English word lower-cased and stemmed ("Regulations" → "regul"), stop word or not."""
    return _STEMMER.stemWord(word.lower().strip(".'-&"))


def tokenize(text: str) -> list[str]:
    """Split text into BM25 tokens (Chinese words and stemmed English words)."""
    return list(_tokenize(text))


@lru_cache(maxsize=8192)
def _tokenize(text: str) -> tuple[str, ...]:
    # Memoised: article sentences and regulation names are tokenised again for every question.
    tokens: list[str] = []
    for chinese, latin in _RUNS.findall(text):
        if chinese:
            tokens.extend(w for w in _jieba().lcut_for_search(chinese) if w not in ZH_STOPWORDS)
        else:
            word = latin.lower().strip(".'-&")
            if word and word not in EN_STOPWORDS:
                tokens.append(_STEMMER.stemWord(word))
    return tuple(tokens)
