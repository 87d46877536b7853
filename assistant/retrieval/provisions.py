"""Provisions: the standard ones (definitions, purpose, scope, commencement, liability) and the questions that
ask for them; and, inside one article, which sentences and numbered items bear on a question.

"人工智能" or "AI" occurs in nearly every article, so neither dense nor keyword search singles out the article
that *defines* it; "when does it take effect?" shares no words with "shall come into force on November 1".
Legislative drafting marks these provisions with fixed formulas (本条例所称…是指…, "the term … refers to",
自…起施行, "shall apply to", 依法追究…责任), which this module reads, and a question asking for one gets a
ranked list of the articles that contain it.

Within an article the units are its sentences and its numbered items (`units_of`). A unit is scored by the
question words it shares, each weighed by its rarity in the corpus (`unit_scores`); an item is scored only on
the words its lead-in does not already carry, because the lead-in ("设立人工智能伦理专家委员会，履行下列职责")
states the topic every item of the list shares: on an ethics question about medical AI, "伦理" and "人工智能"
say nothing about which duty is meant, "应用" does. Measured on 45 dev questions whose answering sentence or
item was marked by hand (`tests/retrieval/test_provisions.py`), with the assistant's corpus idf and translated
words: the marked unit first for 37, against 36 with plain overlap (on the six questions answered by an item,
3 against 2). Also tried: the cosine of the question to each paragraph passage (24 of
45 alone, at best 36 mixed with overlap: most articles are one paragraph of several sentences, and e5-small
does not tell one duty of an ethics committee from another), and down-weighting words frequent within the
article (34–35).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..corpus.model import Corpus, Paragraph, regulation_of
from ..text.tokens import tokenize

_ZH_DEFINES = re.compile(r"(?:本条例)?所(?:称|指的?)[“\"]?([^，,。；“”\"]{2,20}?)[”\"]?[，,]?(?:是指|指的?是|是)|"
                         r"[（(]以下(?:统|简)?称[“\"]?([^）)”\"]{1,20})[”\"]?[）)]")
_EN_DEFINES = re.compile(r"(?:the term|the terms)\s+[“\"']?([A-Za-z][\w\s()'-]{1,60}?)[”\"']?\s+(?:as used in [^,]+?\s+)?"
                         r"(?:refers? to|means)|[“\"]([A-Za-z][\w\s-]{1,60}?)[”\"]\s+(?:refers? to|means)|"
                         r"hereinafter (?:collectively )?referred to as\s+(?:the\s+)?[“\"]?([A-Za-z][\w\s-]{1,70}?)[”\"]?[)）]|"
                         r"[“\"]([A-Za-z][\w\s-]{1,60}?)[”\"]\s+(?:as used in|in) these Regulations refers? to|"
                         r"(?:^|\.\s+|,\s+)([A-Z][A-Za-z\s-]{1,40}?) refers to", re.IGNORECASE)

# An article that is a list of definitions ("本法下列用语的含义：", GDPR Article 4 "Definitions", "The following
# definitions shall also apply"): what "the definitions article" asks for when it names no term.
_GLOSSARY = re.compile(r"下列用语的?含义|(?m:^\W*Definitions\W*$)|following definitions|following terms shall|"
                       r"For the purposes of th(?:is|ese) (?:Regulations?|Law|Directive|Act)\s*:", re.IGNORECASE)

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
        re.compile(r"处罚|罚款|罚则|法律责任|追究|追责|问责|后果|违反.{0,10}(?:会|怎么|怎样)|\bpunish|\bpenalt|\bliab|"
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
    glossaries: frozenset[str] = frozenset()  # articles that are lists of definitions

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
            if not best:  # no term named ("the definitions article"): the articles that define most
                best = self._defining(scope)
        for kind in asked - {"definition"}:
            for article_id in self.kinds.get(kind, ()):
                if regulation_of(article_id) in scope:
                    best[article_id] = max(best.get(article_id, 0.0), 1.0)
        return sorted(best.items(), key=lambda item: -item[1])


    def _defining(self, scope: set[str]) -> dict[str, float]:
        """Articles in scope by how much they define: a list of definitions 1.0, others by their count of
        defined terms against the most any article in scope has (at most 0.5)."""
        counts: dict[str, int] = {}
        for definition in self.definitions:
            if regulation_of(definition.article_id) in scope:
                counts[definition.article_id] = counts.get(definition.article_id, 0) + 1
        most = max(counts.values(), default=1)
        found = {a: 0.5 * n / most for a, n in counts.items()}
        found.update({a: 1.0 for a in self.glossaries if regulation_of(a) in scope})
        return found


def asked_provisions(question: str) -> set[str]:
    """The provision kinds a question asks about."""
    return {kind for kind, (_, asks) in PROVISIONS.items() if asks.search(question)}


def find_provisions(corpus: Corpus) -> Provisions:
    """Scan every article (every language version) for standard provisions and defined terms."""
    kinds: dict[str, set[str]] = {kind: set() for kind in PROVISIONS}
    definitions: list[Definition] = []
    glossaries: set[str] = set()
    for article in corpus.articles():
        for version in article.texts:
            if _GLOSSARY.search(version.text):
                glossaries.add(article.id)
            for kind, (states, _) in PROVISIONS.items():
                if states.search(version.text):
                    kinds[kind].add(article.id)
            pattern = _ZH_DEFINES if version.language == "zh" else _EN_DEFINES
            for match in pattern.finditer(version.text):
                term = re.sub(r"^the terms?\s+", "", next((g for g in match.groups() if g), "").strip(),
                              flags=re.IGNORECASE)
                if term:
                    definitions.append(Definition(article_id=article.id, term=term))
    return Provisions(kinds={k: frozenset(v) for k, v in kinds.items()}, definitions=tuple(definitions),
                      glossaries=frozenset(glossaries))


# --- Inside one article: which sentences and items bear on a question -------------------------------------

SENTENCE = re.compile(r"[^。；;.!?！？]+(?:[。；;!?！？]|\.(?=\s|$))?")
MAX_UNITS = 3  # sentences or items quoted for a pointed question (a list question gets its whole list)
ASKS_FOR_LIST = re.compile(r"哪些|哪几|有什么(?:职责|行为|规定|要求|情形)|包括什么|列出|列举|\bwhat are\b|\bwhich\b.*\bare\b|"
                           r"\blist\b|\ball the\b|\bduties\b|\bresponsibilities\b|\bprohibit", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """One sentence of a paragraph, or one numbered item, of an article text."""

    paragraph: int  # index of its paragraph in the text
    text: str
    item: bool = False
    lead_in: int | None = None  # an item's list is introduced by this unit ("…perform the following duties:")


def units_of(paragraphs: Sequence[Paragraph]) -> tuple[Unit, ...]:
    """The sentences and items of an article text, in order."""
    units: list[Unit] = []
    lead_in: int | None = None
    for index, paragraph in enumerate(paragraphs):
        if paragraph.label:
            units.append(Unit(index, paragraph.render(), item=True, lead_in=lead_in))
            continue
        sentences = [s.strip() for s in SENTENCE.findall(paragraph.text) if s.strip()] or [paragraph.text]
        units.extend(Unit(index, sentence) for sentence in sentences)
        lead_in = len(units) - 1  # a list that follows is introduced by this paragraph's last sentence
    return tuple(units)


def unit_scores(units: Sequence[Unit], tokens: set[str], idf: Mapping[str, float], *,
                question: str = "") -> list[float]:
    """How much of the question each unit carries: its shared words weighed by idf (1.0 for unknown words); an
    item counts only words its lead-in lacks. A question asking for a standard provision ("what happens to
    those who violate…", "when does it take effect?") puts the units that state one first."""
    own = [set(tokenize(unit.text)) for unit in units]
    scores = []
    for unit, words in zip(units, own):
        shared = words & tokens
        if unit.item and unit.lead_in is not None:
            shared -= own[unit.lead_in]
        scores.append(sum(idf.get(t, 1.0) for t in sorted(shared)))
    asked = asked_provisions(question) if question else set()
    stating = [i for i, unit in enumerate(units) if any(PROVISIONS[k][0].search(unit.text) for k in asked)]
    if stating:
        lift = max(scores) + 1.0
        for i in stating:
            scores[i] += lift
    return scores


def items_of(units: Sequence[Unit], lead_in: int) -> list[int]:
    """The items whose list `lead_in` introduces."""
    return [i for i, unit in enumerate(units) if unit.item and unit.lead_in == lead_in]


def best_unit(units: Sequence[Unit], scores: Sequence[float]) -> int:
    """The unit that answers most directly: the best scored (the earlier on a tie); a lead-in whose items
    match gives way to its best item, which says what the list is about. 0 when nothing matches."""
    if not units:
        return 0
    best = max(range(len(units)), key=lambda i: (scores[i], -i))
    matching = [i for i in items_of(units, best) if scores[i] > 0]
    return max(matching, key=lambda i: (scores[i], -i)) if matching else best


def select_units(units: Sequence[Unit], scores: Sequence[float], *, whole_list: bool) -> set[int]:
    """The units to quote: the best few (at least half the best score); a list is quoted with its lead-in and
    its best items (judged among themselves: a lead-in's own words outweigh any one item), or whole when the
    question asks for a list or only the lead-in matched."""
    if len(units) <= MAX_UNITS:
        return set(range(len(units)))
    keep = _best(range(len(units)), scores) or {0}
    for lead_in in {i if not units[i].item else units[i].lead_in for i in keep} - {None}:
        items = items_of(units, lead_in)
        if not items:
            continue
        keep.add(lead_in)
        chosen = set() if whole_list else _best(items, scores)
        keep.update(chosen or items)
    return keep


def _best(candidates: Iterable[int], scores: Sequence[float]) -> set[int]:
    """Up to MAX_UNITS of `candidates` scoring at least half the best of them (none when nothing scores)."""
    candidates = list(candidates)
    top = max((scores[i] for i in candidates), default=0.0)
    if top <= 0:
        return set()
    good = [i for i in candidates if scores[i] >= 0.5 * top]
    return set(sorted(good, key=lambda i: (-scores[i], i))[:MAX_UNITS])
