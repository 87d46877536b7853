"""Standard provisions: definitions, purpose, scope, commencement and liability articles, and the questions
that ask for them.

"人工智能" or "AI" occurs in nearly every article, so neither dense nor keyword search singles out the article
that *defines* it; "when does it take effect?" shares no words with "shall come into force on November 1".
Legislative drafting marks these provisions with fixed formulas (本条例所称…是指…, "the term … refers to",
自…起施行, "shall apply to", 依法追究…责任), which this module reads, and a question asking for one gets a
ranked list of the articles that contain it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..corpus.model import Corpus, regulation_of
from ..text.tokens import tokenize

_ZH_DEFINES = re.compile(r"(?:本条例)?所(?:称|指的?)[“\"]?([^，,。；“”\"]{2,20}?)[”\"]?[，,]?(?:是指|指的?是|是)|"
                         r"[（(]以下(?:统|简)?称[“\"]?([^）)”\"]{1,20})[”\"]?[）)]")
_EN_DEFINES = re.compile(r"(?:the term|the terms)\s+[“\"']?([A-Za-z][\w\s()'-]{1,60}?)[”\"']?\s+(?:as used in [^,]+?\s+)?"
                         r"(?:refers? to|means)|[“\"]([A-Za-z][\w\s-]{1,60}?)[”\"]\s+(?:refers? to|means)|"
                         r"hereinafter (?:collectively )?referred to as\s+(?:the\s+)?[“\"]?([A-Za-z][\w\s-]{1,70}?)[”\"]?[)）]|"
                         r"[“\"]([A-Za-z][\w\s-]{1,60}?)[”\"]\s+(?:as used in|in) these Regulations refers? to|"
                         r"(?:^|\.\s+|,\s+)([A-Z][A-Za-z\s-]{1,40}?) refers to", re.IGNORECASE)

# kind → (how an article states it, how a question asks for it)
PROVISIONS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "definition": (
        re.compile(_ZH_DEFINES.pattern + "|" + _EN_DEFINES.pattern, re.IGNORECASE),
        re.compile(r"是什么意思|什么意思|指什么|指的是什么|是指|怎么定义|如何定义|定义|含义|所称|怎么界定|界定|"
                   r"what does .{1,60} mean|\bmeaning\b|\bdefin|what (?:is|are) meant|what counts as|"
                   r"what falls (?:within|under)|refers? to", re.IGNORECASE)),
    "commencement": (
        re.compile(r"起施行|起实施|起生效|come into (?:force|effect)|take effect|effective (?:as of|from|on)",
                   re.IGNORECASE),
        re.compile(r"(?:哪天|哪一天|何时|什么时候|几号|日期|时间|哪年|多久).{0,12}(?:施行|生效|实施|执行)|"
                   r"(?:施行|生效|实施)(?:日期|时间)|开始施行|开始生效|正式施行|\b(?:take|took|takes|taking|come|came|"
                   r"comes|coming|enter|entered|enters) (?:into )?(?:effect|force)\b|\bin force\b|effective date|"
                   r"become effective|commence", re.IGNORECASE)),
    "purpose": (
        re.compile(r"为了.{2,120}制定本条例|(?:These|This) Regulations? (?:are|is|were|was) "
                   r"(?:formulated|developed|enacted|made)|purposes? of promoting", re.IGNORECASE),
        re.compile(r"目的|宗旨|为什么(?:要)?制定|立法目的|\bpurpose\b|\baims? of\b|\bwhy .{0,30}"
                   r"(?:enact|adopt|made|formulat|pass)|\bobjectives?\b", re.IGNORECASE)),
    "scope": (
        re.compile(r"适用本条例|本条例适用|(?:These|This) Regulations? (?:shall )?appl(?:y|ies) to|"
                   r"shall apply to (?:activities|the)", re.IGNORECASE),
        re.compile(r"适用(?:范围|于|对象)|适不适用|管哪些|\bappl(?:y|ies) to\b|\bscope\b|who is covered|"
                   r"covered by|does it apply", re.IGNORECASE)),
    "liability": (
        re.compile(r"依法追究|法律责任|予以处罚|punished|held accountable|legal (?:liability|responsibility)|"
                   r"\bliable\b", re.IGNORECASE),
        re.compile(r"处罚|罚款|罚则|法律责任|追究|后果|违反.{0,10}(?:会|怎么|怎样)|\bpunish|\bpenalt|\bliab|"
                   r"\bconsequences?\b|\bbreak(?:s|ing)? (?:the|these|them|this)|\bviolat", re.IGNORECASE)),
}


@dataclass(frozen=True)
class Definition:
    """A term an article defines."""

    article_id: str
    term: str

    @property
    def tokens(self) -> frozenset[str]:
        """The term's tokens (computed when a definition question needs them)."""
        return _term_tokens(self.term)


@lru_cache(maxsize=4096)
def _term_tokens(term: str) -> frozenset[str]:
    return frozenset(tokenize(term))


@dataclass(frozen=True)
class Provisions:
    """Which articles contain which standard provisions, and the terms they define."""

    kinds: dict[str, frozenset[str]]  # kind → article ids
    definitions: tuple[Definition, ...]

    def rank(self, question: str, scope: set[str], *, translated: Sequence[str] = ()) -> list[tuple[str, float]]:
        """Articles holding the provision the question asks for, best first (one entry per article).

        `translated` adds English tokens for a Chinese question, so it can match terms defined in English.
        """
        asked = asked_provisions(question)
        best: dict[str, float] = {}
        if "definition" in asked:
            query_tokens = set(tokenize(question)) | set(translated)
            for definition in self.definitions:
                if regulation_of(definition.article_id) in scope and definition.tokens:
                    overlap = len(definition.tokens & query_tokens) / len(definition.tokens)
                    if overlap > 0:
                        best[definition.article_id] = max(best.get(definition.article_id, 0.0), overlap)
        for kind in asked - {"definition"}:
            for article_id in self.kinds.get(kind, ()):
                if regulation_of(article_id) in scope:
                    best[article_id] = max(best.get(article_id, 0.0), 1.0)
        return sorted(best.items(), key=lambda item: -item[1])


def asked_provisions(question: str) -> set[str]:
    """The provision kinds a question asks about."""
    return {kind for kind, (_, asks) in PROVISIONS.items() if asks.search(question)}


def find_provisions(corpus: Corpus) -> Provisions:
    """Scan every article (every language version) for standard provisions and defined terms."""
    kinds: dict[str, set[str]] = {kind: set() for kind in PROVISIONS}
    definitions: list[Definition] = []
    for article in corpus.articles():
        for version in article.texts:
            for kind, (states, _) in PROVISIONS.items():
                if states.search(version.text):
                    kinds[kind].add(article.id)
            pattern = _ZH_DEFINES if version.language == "zh" else _EN_DEFINES
            for match in pattern.finditer(version.text):
                term = re.sub(r"^the terms?\s+", "", next((g for g in match.groups() if g), "").strip(),
                              flags=re.IGNORECASE)
                if term:
                    definitions.append(Definition(article_id=article.id, term=term))
    return Provisions(kinds={k: frozenset(v) for k, v in kinds.items()}, definitions=tuple(definitions))
