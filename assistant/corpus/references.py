"""References in text: where a text names a regulation, and where it mentions an article of one.

Question understanding (which regulations and articles a question names) and citation checking (which
articles an answer cites) read text the same way, so both use these functions.

Article mention forms: [shanghai-ai-2022:12] (the id form the LLM is asked to use), 第十二条, 第12条,
Article 12, Art. 12, Articles 12 and 13, 《上海市促进人工智能产业发展条例》第六十六条, "Article 66 of the
Shanghai Regulations". A bare article number belongs to the regulation named closest before it in the same
sentence, else the one named after it in that sentence, else the only regulation in play. Quoted article
text (Markdown blockquote lines, "> …") is not read for mentions: a cross-reference inside a quoted article
("依照本条例第十条") is the article's own words. Nor is a "see also" line (`SEE_ALSO`), which points at nearby
articles without resting anything on them.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..text.language import SENTENCE_END
from ..text.numbering import find_article_numbers
from .model import REGULATION_ID, Citation, Corpus, Regulation

_ID_FORM = re.compile(rf"\[?\b({REGULATION_ID}):(\d{{1,5}})(?:-(\d{{1,2}}))?\b\]?")
# The lead of a "see also" line: nearby articles an abstaining answer points at without citing them.
SEE_ALSO = {"zh": "另见（未直接涉及）：", "en": "See also (not directly on point): "}


def regulation_names(regulation: Regulation) -> list[str]:
    """Every name a question may call the regulation by: short names, aliases, titles and forms derived from
    the titles (without 中华人民共和国 or 经济特区, without 《》, "… of the People's Republic of China", the
    acronym of an English title: GDPR)."""
    names = {*regulation.short_name.values(), *regulation.aliases, *regulation.title.values()}
    for title in regulation.title.values():
        names |= derived_names(title)
    return sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True)


_EN_SMALL = frozenset("a an and for in of on or the to with by".split())


def derived_names(title: str) -> set[str]:
    """The shorter names people use for a regulation with this title."""
    title = title.strip().strip("《》")
    found = {title}
    if not title.isascii():
        core = title.removeprefix("中华人民共和国")
        found |= {core, core.replace("经济特区", ""), re.sub(r"^(\w{2,3})市", r"\1", core)}
        return {n for n in found if len(n) >= 4}
    plain = re.sub(r"\s+of the People'?s Republic of China\b|^the\s+|^PRC\s+", "", title, flags=re.IGNORECASE)
    found.add(plain)
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*", plain)]
    capitals = [w for w in words if w.lower() not in _EN_SMALL]
    if 3 <= len(capitals) <= 6 and all(w[0].isupper() for w in capitals):
        found.add("".join(w[0] for w in capitals).upper())
    return {n for n in found if len(n) >= 3}


def _name_pattern(names: Sequence[str]) -> re.Pattern[str]:
    """One pattern for several names; ASCII names must stand as whole words ("EU", not "Europe"'s "eu")."""
    parts = [re.escape(n) if not n.isascii() else rf"(?<![A-Za-z0-9]){re.escape(n)}(?![A-Za-z0-9])"
             for n in sorted(names, key=len, reverse=True)]
    return re.compile("|".join(parts) or r"(?!)", re.IGNORECASE)


_PATTERNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def regulation_patterns(corpus: Corpus) -> list[tuple[str, re.Pattern[str]]]:
    """(regulation id, pattern of all its names), compiled once per corpus."""
    if corpus not in _PATTERNS:
        _PATTERNS[corpus] = [(r.id, _name_pattern(regulation_names(r))) for r in corpus.regulations]
    return _PATTERNS[corpus]


def find_regulations(text: str, corpus: Corpus, *, fuzzy: bool = True) -> list[tuple[str, int]]:
    """Regulations named in `text` (by any of their names), with the position of each first mention; a name
    typed with one slip ("shangai", "GPDR", "数据安全发") counts when no name is written right."""
    found = []
    for regulation_id, pattern in regulation_patterns(corpus):
        match = pattern.search(text)
        if match:
            found.append((regulation_id, match.start()))
    if not found and fuzzy:
        found = _fuzzy_regulations(text, corpus)
    return sorted(found, key=lambda item: item[1])


def _fuzzy_regulations(text: str, corpus: Corpus) -> list[tuple[str, int]]:
    found = []
    words = [(m.group(0), m.start()) for m in re.finditer(r"[A-Za-z][A-Za-z'-]*", text)]
    for regulation in corpus.regulations:
        for name in regulation_names(regulation):
            position = _near_miss(name, text, words)
            if position is not None:
                found.append((regulation.id, position))
                break
    return found


def _near_miss(name: str, text: str, words: list[tuple[str, int]]) -> int | None:
    """Where `text` holds `name` with one character wrong, missing, extra or swapped (names of 4+ letters)."""
    if not name.isascii():
        if len(name) < 4:
            return None
        for start in range(0, len(text) - len(name) + 2):
            for size in {len(name) - 1, len(name), len(name) + 1}:
                piece = text[start:start + size]
                if len(piece) == size and piece[:1] == name[:1] and _one_slip(piece, name):
                    return start
        return None
    parts = name.lower().split()
    if sum(len(p) for p in parts) < 4:
        return None
    for i in range(len(words) - len(parts) + 1):
        window = words[i:i + len(parts)]
        candidate = " ".join(w.lower() for w, _ in window)
        if candidate[:1] == name[:1].lower() and _one_slip(candidate, " ".join(parts)):
            return window[0][1]
    return None


def _one_slip(a: str, b: str) -> bool:
    """Optimal string alignment distance of at most one (and not zero)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    previous2, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], previous2[j - 2] + 1)
        previous2, previous = previous, row
    return previous[-1] <= 1


@dataclass(frozen=True)
class Mention:
    """Where a citation appears in a text."""

    regulation: str | None
    article: int
    start: int
    end: int
    suffix: int = 0


NOT_CITING = (">", *SEE_ALSO.values())


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of lines that are not the answer's own claims: quoted article text ("> …") and "see also" lines."""
    spans, offset = [], 0
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith(NOT_CITING):
            spans.append((offset, offset + len(line)))
        offset += len(line)
    return spans


def find_mentions(text: str, corpus: Corpus, *, default_regulations: Sequence[str] = ()) -> list[Mention]:
    """Every article citation in `text` outside quoted lines, with its regulation (None if ambiguous)."""
    quotes = quoted_spans(text)

    def quoted(position: int) -> bool:
        return any(start <= position < end for start, end in quotes)

    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for match in _ID_FORM.finditer(text):
        if match.group(1) in corpus.ids and not quoted(match.start()):
            mentions.append(Mention(match.group(1), int(match.group(2)), match.start(), match.end(),
                                    int(match.group(3) or 0)))
            taken.append((match.start(), match.end()))
    defaults = list(dict.fromkeys(default_regulations))
    for sentence_start, sentence in sentence_spans(text):
        named = [(reg, sentence_start + pos) for reg, pos in _all_mentions(sentence, corpus)]
        for found in find_article_numbers(sentence):
            start, end = sentence_start + found.start, sentence_start + found.end
            if quoted(start) or any(a <= start < b for a, b in taken):
                continue
            before = [reg for reg, pos in named if pos < start]
            after = [reg for reg, pos in named if pos >= end]
            regulation = before[-1] if before else after[0] if after else defaults[0] if len(defaults) == 1 \
                else None
            mentions.append(Mention(regulation, found.number, start, end, found.suffix))
    return sorted(mentions, key=lambda m: m.start)


def sentence_spans(text: str) -> Iterable[tuple[int, str]]:
    """(start, sentence) pieces of a text, each ending with its end punctuation."""
    position = 0
    for match in SENTENCE_END.finditer(text):
        if match.end() > position and text[position:match.end()].strip():
            yield position, text[position:match.end()]
        position = match.end()
    if text[position:].strip():
        yield position, text[position:]


def _all_mentions(sentence: str, corpus: Corpus) -> list[tuple[str, int]]:
    """Every position where a regulation is named in a sentence (not only the first)."""
    found = [(regulation_id, m.start()) for regulation_id, pattern in regulation_patterns(corpus)
             for m in pattern.finditer(sentence)]
    return sorted(found, key=lambda item: item[1])


def find_citations(text: str, corpus: Corpus, *, default_regulations: Sequence[str] = ()) -> list[Citation]:
    """Distinct citations in `text` that name (or imply) a regulation, in order of appearance."""
    seen = dict.fromkeys(Citation(m.regulation, m.article, m.suffix) for m in
                         find_mentions(text, corpus, default_regulations=default_regulations) if m.regulation)
    return list(seen)
