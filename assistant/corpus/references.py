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
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import InputError
from ..text.language import SENTENCE_END
from ..text.numbering import find_article_numbers
from .crossnames import cross_language_mentions
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


_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def corpus_names(corpus: Corpus) -> dict[str, list[str]]:
    """Regulation id → `regulation_names`, worked out once per corpus (every question reads them)."""
    if corpus not in _NAMES:
        _NAMES[corpus] = {r.id: regulation_names(r) for r in corpus.regulations}
    return _NAMES[corpus]


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
        _PATTERNS[corpus] = [(r, _name_pattern(names)) for r, names in corpus_names(corpus).items()]
    return _PATTERNS[corpus]


def find_regulations(text: str, corpus: Corpus, *, fuzzy: bool = True) -> list[tuple[str, int]]:
    """Regulations named in `text` (by any of their names), with the position of each first mention; a name
    typed with one slip ("shangai", "GPDR", "数据安全发") counts when no name is written right."""
    found = []
    covering = _covering(corpus)
    for regulation_id, start, end in name_matches(text, corpus):
        # "深圳" is a name of the AI regulation but also part of 深圳经济特区数据条例: it points at both.
        for named in [regulation_id, *sorted(covering.get(text[start:end].lower(), set()) - {regulation_id})]:
            if all(named != r for r, _ in found):
                found.append((named, start))
    if not found and fuzzy:
        found = _fuzzy_regulations(text, corpus)
    return sorted(found, key=lambda item: item[1])


_COVERING: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _covering(corpus: Corpus) -> dict[str, set[str]]:
    """Short name or alias (lower case) → the other regulations it also points at: "深圳" names the AI
    regulation but is part of 深圳经济特区数据条例's title too; the place's other names ("Shenzhen") go with it."""
    if corpus not in _COVERING:
        names = {r: [n.lower() for n in own] for r, own in corpus_names(corpus).items()}
        covering: dict[str, set[str]] = {}
        for regulation in corpus.regulations:
            short = [n.lower() for n in (*regulation.short_name.values(), *regulation.aliases) if len(n) >= 2]
            shared = {other for other, theirs in names.items() if other != regulation.id
                      and any(name in n for name in short for n in theirs)}
            for name in short if shared else ():
                covering[name] = shared
        _COVERING[corpus] = covering
    return _COVERING[corpus]


def name_matches(text: str, corpus: Corpus) -> list[tuple[str, int, int]]:
    """Every (regulation id, start, end) where `text` names a regulation, in order. A name inside a longer name
    of another regulation does not count: "上海市数据条例" names the data regulation, not the one called "上海".
    A regulation titled in one language only is also named in the other (`crossnames`: "Data Security Law")."""
    found = [(regulation_id, m.start(), m.end()) for regulation_id, pattern in regulation_patterns(corpus)
             for m in pattern.finditer(text)]
    found += cross_language_mentions(text, corpus)
    kept = [(r, a, b) for r, a, b in found
            if not any(r2 != r and a2 <= a and b <= b2 and (b2 - a2) > (b - a) for r2, a2, b2 in found)]
    return sorted(kept, key=lambda item: (item[1], -item[2]))


def _fuzzy_regulations(text: str, corpus: Corpus) -> list[tuple[str, int]]:
    found = []
    words = [(m.group(0), m.start()) for m in re.finditer(r"[A-Za-z][A-Za-z'-]*", text)]
    for regulation_id, names in corpus_names(corpus).items():
        for name in names:
            position = _near_miss(name, text, words)
            if position is not None:
                found.append((regulation_id, position))
                break
    return found


def _near_miss(name: str, text: str, words: list[tuple[str, int]]) -> int | None:
    """Where `text` holds `name` with one character wrong, missing, extra or swapped (names of 4+ letters)."""
    if not name.isascii():
        if len(name) < 4:
            return None
        # Chinese: one character wrong or two swapped (a missing 法 would turn 劳动合同法 into 劳动合同, a
        # phrase every labour question uses, so length changes do not count).
        for start in range(0, len(text) - len(name) + 1):
            piece = text[start:start + len(name)]
            if piece[:1] == name[:1] and _one_slip(piece, name):
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


def reference_view(text: str) -> str:
    """`text` as mentions are looked for in it, character for character (positions stay valid): zero-width
    characters as spaces, full-width digits, letters and brackets as ASCII, 條/項/節 as 条/项/节, and a
    full-width colon inside an id ("[shanghai-ai-2022：99]") as ":"."""
    out = []
    for i, ch in enumerate(text):
        if ch in _ZERO_WIDTH:
            out.append(" ")
        elif "\uff10" <= ch <= "\uff5a" and ch not in "：；？！＜＞＝":
            out.append(unicodedata.normalize("NFKC", ch))
        elif ch == "：" and i and ((text[i - 1].isascii() and text[i - 1].isalnum()) or text[i - 1] == "-"):
            out.append(":")
        else:
            out.append(ch)
    return "".join(out).translate(_TRADITIONAL)


_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_TRADITIONAL = str.maketrans("條項節編規則條", "条项节编规则条")
# Anything that reads like a pointer at an article of some regulation: an id in brackets (known or not),
# "Section 9", "Sec. 9". A verifier that cannot ground one removes it rather than let it stand.
_ID_LIKE = re.compile(r"\[\s*([A-Za-z0-9][A-Za-z0-9_.-]{0,62})\s*:\s*(\d{1,7})(?:-(\d{1,2}))?\s*\]")
_SECTION_LIKE = re.compile(r"(?<![A-Za-z])(?:Section|Sec\.)\s*\d+", re.IGNORECASE)


def find_mentions(text: str, corpus: Corpus, *, default_regulations: Sequence[str] = (),
                  trust_quotes: bool = True) -> list[Mention]:
    """Every article citation in `text`, with its regulation (None if ambiguous).

    With `trust_quotes` (our own extractive answers) quoted article lines and the "see also" line are not
    read; an LLM's text is read whole (`trust_quotes=False`): whatever it writes could be a claim. Bracketed
    ids of regulations that are not loaded and "Section 9"-style pointers come back with regulation None.
    """
    view = reference_view(text)
    quotes = quoted_spans(view) if trust_quotes else []

    def quoted(position: int) -> bool:
        return any(start <= position < end for start, end in quotes)

    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for match in _ID_LIKE.finditer(view):
        if quoted(match.start()):
            continue
        regulation = match.group(1).lower()
        mentions.append(Mention(regulation if regulation in corpus.ids else None, int(match.group(2)),
                                match.start(), match.end(), int(match.group(3) or 0)))
        taken.append((match.start(), match.end()))
    if not trust_quotes:
        for match in _SECTION_LIKE.finditer(view):
            mentions.append(Mention(None, 0, match.start(), match.end()))
            taken.append((match.start(), match.end()))
    defaults = list(dict.fromkeys(default_regulations))
    sentences = list(sentence_spans(view))
    names_in: dict[tuple[int, int], list[tuple[str, int]]] = {}  # regulation names per stretch, found once
    for found in find_article_numbers(view):
        if quoted(found.start) or any(a <= found.start < b for a, b in taken):
            continue
        # Read the regulation from the sentence the mention starts in (and, across a line break, the next).
        around = [(s, t) for s, t in sentences if s <= found.end and found.start < s + len(t) + 1]
        first, last = around[0][0], around[-1][0] + len(around[-1][1])
        if (first, last) not in names_in:
            names_in[first, last] = [(reg, first + pos) for reg, pos in _all_mentions(view[first:last], corpus)]
        named = names_in[first, last]
        before = [reg for reg, pos in named if pos < found.start]
        after = [reg for reg, pos in named if pos >= found.end]
        regulation = before[-1] if before else after[0] if after else defaults[0] if len(defaults) == 1 else None
        mentions.append(Mention(regulation, found.number, found.start, found.end, found.suffix))
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
    return [(regulation_id, start) for regulation_id, start, _ in name_matches(sentence, corpus)]


def find_citations(text: str, corpus: Corpus, *, default_regulations: Sequence[str] = ()) -> list[Citation]:
    """Distinct citations in `text` that name (or imply) a regulation, in order of appearance."""
    seen = dict.fromkeys(Citation(m.regulation, m.article, m.suffix) for m in
                         find_mentions(text, corpus, default_regulations=default_regulations) if m.regulation)
    return list(seen)


def resolve_regulation(corpus: Corpus, text: str) -> str:
    """The id of the regulation `text` names: its id, or a name people use ("shanghai", "深圳", "GDPR")."""
    wanted = text.strip()
    if wanted in corpus.ids:
        return wanted
    exact = [r for r, names in corpus_names(corpus).items() if wanted.lower() in (n.lower() for n in names)]
    named = exact or list(dict.fromkeys(r for r, _ in find_regulations(wanted, corpus, fuzzy=False)))
    if len(named) == 1:
        return named[0]
    known = ", ".join(corpus.ids)
    if named:
        raise InputError(f"{wanted!r} could mean {', '.join(named)}; give one of those ids")
    raise InputError(f"unknown regulation {wanted!r}; give an id or a name (known regulations: {known})")


def resolve_article_number(text: str) -> tuple[int, int]:
    """(number, suffix) of an article as a user types it: 66, 第六十六条, Article 14a, 253-1, 第二百五十三条之一."""
    wanted = text.strip()
    plain = re.fullmatch(r"(\d{1,5})(?:-(\d{1,2})|([a-z]))?", wanted)
    if plain:
        letter = plain.group(3)
        return int(plain.group(1)), int(plain.group(2) or 0) or (ord(letter) - 96 if letter else 0)
    found = find_article_numbers(wanted if wanted.startswith(("第", "Art", "art", "§")) else f"第{wanted}条")
    if len(found) == 1:
        return found[0].number, found[0].suffix
    raise InputError(f"{wanted!r} is not an article number; give e.g. 66, 第六十六条 or 14a")
