"""Lead sentences: the direct answer above the quote, made only of a cited article's own words.

The lead names the article and restates, in quotation marks, the sentence or item that answers most directly
(an item with the lead-in that says what its list is). A yes/no question gets "可以：" / "Yes — " only when
that sentence grants, allows, encourages or supports (可以/允许/鼓励/支持, may/allow/encourage/support), and
"不可以：" / "No — " only when a question asking whether something is allowed meets a prohibition (不得/禁止,
shall not/may not); otherwise the lead is neutral ("根据《…》第X条，“…”" / "Under Article X of the …, “…”").
When the article has no text in the question's language the sentence is quoted on a line of its own under
the lead, so the lead's own words stay in the question's language. The lead is an ordinary sentence naming
the article, so citation verification reads it like the rest of the answer; a sentence that mentions an
article number itself is never restated (the verifier would read the number as a citation).

`lead_pieces` and `grounded` read an answer back: every piece of article text its lead (or comparison table)
restates must be found in a cited article — the check the tests and the evaluation figure use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..corpus.labels import cite_label, label_of
from ..corpus.model import Article, Regulation
from ..retrieval.provisions import items_of
from ..text.language import Language
from ..text.numbering import find_article_numbers
from .excerpt import ELLIPSIS, Excerpt

LIMIT = {"zh": 160, "en": 420}  # characters of article text a lead restates before it is cut at a clause
YES = {"zh": "可以：", "en": "Yes — "}
AFFIRM = {"zh": "是的：", "en": "Yes — "}
NO = {"zh": "不可以：", "en": "No — "}
HEDGE = {"zh": "，但有条件或例外：", "en": ", with conditions or exceptions — "}
_YES_NO_ZH = re.compile(r"吗\s*[？?]?\s*$|吗[？?]|能不能|可不可以|可否|能否|是否|会不会|有没有|是不是|允不允许|行不行|"
                        r"让不让|支不支持|准不准|要不要|需不需要|管不管|算不算")
_YES_NO_EN = re.compile(r"(?:^|[.!?]\s+|,\s*)(?:so\s+|and\s+|but\s+|then\s+)?(?:can|could|may|might|is|are|"
                        r"am|was|were|does|do|did|will|would|should|shall|must|has|have|had)\b[^.!?]*\?",
                        re.IGNORECASE)
# A question asking whether something is allowed ("能不能…", "可以…吗", "Can I …?"), or whether the city backs it
# ("支持吗", "有没有补贴", "Does the city support …?").
_ASKS_LEAVE = re.compile(r"能不能|能否|可不可以|可否|允不允许|行不行|准不准|让不让|(?:可以|(?<![智功性效职技才可])能|允许)[^，,。？?！!]{0,30}吗|"
                         r"\b(?:can|could|may|allowed|permitted|legal|ok(?:ay)? to)\b", re.IGNORECASE)
_ASKS_SUPPORT = re.compile(r"支持|鼓励|扶持|帮|资助|补贴|补助|奖励|\b(?:support|back|help|encourag|fund|subsid|promot|"
                           r"assist|grant|reward)", re.IGNORECASE)
_PERMITS = re.compile(r"可以|允许|准许|\bmay\b|\ballow|\bpermit", re.IGNORECASE)
_SUPPORTS = re.compile(r"鼓励|支持|\bencourag|\bsupport", re.IGNORECASE)
_BACKS = re.compile(_SUPPORTS.pattern + r"|推动|促进|扶持|\bpromot", re.IGNORECASE)  # "does the city back …?"
_FORBIDS = re.compile(r"不得|禁止|不可以|不允许|不予|不准|严禁|\b(?:may|shall|must|can)\s+not\b|\bcannot\b|\bprohibit|"
                      r"\bforbid|\bbanned\b", re.IGNORECASE)
# Exceptions and conditions the quoted words attach ("除…外", "经…批准", "Except for …", "eligible").
_CONDITIONS = re.compile(r"除[^，,。]{0,40}外|除外|但是|但(?!书)|经[^，,。]{0,16}(?:批准|评价|评估|认定|同意)|"
                         r"符合[^，,。]{0,20}(?:条件|要求|规定)|\bexcept\b|"
                         r"\bunless\b|\bprovided that\b|\beligible\b|\bsubject to\b|\bupon approval\b",
                         re.IGNORECASE)
_NEGATIVE_QUESTION = re.compile(r"不得|禁止|违法|违规|非法|(?<!能)不能|(?<!可)不可以|(?<!允)不允许|\billegal|\bprohibit|"
                                r"\bforbid|\bban(?:s|ned)?\b|\bnot\b|n't\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[，,、；;：:]\s*")
_TRAILING = "。.；;，,：: "
_QUOTED = re.compile(r"“([^”]*)”")
_TAG = re.compile(r"\s*〔[^〔〕]*〕\s*$")  # a table cell's citation, e.g. 〔第六十六条(四)〕
_PLAIN = re.compile(r"[\W_]+", re.UNICODE)


def asks_yes_no(question: str, language: Language) -> bool:
    """True for "能不能…？" / "Can I …?"-style questions (the last question of a long message counts too)."""
    return bool((_YES_NO_ZH if language == "zh" else _YES_NO_EN).search(question.strip()))


def answer_word(question: str, language: Language, said: str) -> str:
    """"可以：" / "Yes — " (or "不可以：" / "No — ", or "") — only what the restated text `said` supports: leave
    that is asked for and granted (可以/允许, may/allow) or forbidden (不得, shall not), support that is asked for
    and given (鼓励/支持, encourage/support); hedged when the words carry an exception or condition."""
    if not asks_yes_no(question, language) or _NEGATIVE_QUESTION.search(question):
        return ""
    leave, support = _ASKS_LEAVE.search(question), _ASKS_SUPPORT.search(question)
    if _FORBIDS.search(said):
        return NO[language] if leave else ""
    if leave and (_PERMITS.search(said) or _SUPPORTS.search(said)):
        word = YES[language]
    elif support and _BACKS.search(said):
        word = AFFIRM[language]
    else:
        return ""
    if _CONDITIONS.search(said):
        return word.rstrip("：— ") + HEDGE[language]
    return word


def restated(excerpt: Excerpt, unit: int) -> str:
    """The words a lead quotes for `unit`: the sentence (from its start, when a semicolon split it), or the
    lead-in and the item; omissions marked."""
    units, language = excerpt.units, excerpt.text.language
    mark = ELLIPSIS[language]
    chosen = units[unit]
    colon = "：" if language == "zh" else ": "
    if chosen.item and chosen.lead_in is not None:
        lead_in = shorten(units[chosen.lead_in].text.rstrip(_TRAILING), language)
        gap = "" if unit == chosen.lead_in + 1 else mark
        return f"{lead_in}{colon}{gap}{shorten(chosen.text, language)}"
    if items_of(units, unit):  # a lead-in quoted alone: its list is left out
        return f"{shorten(chosen.text.rstrip(_TRAILING), language)}{colon}{mark}"
    start = unit
    while start > 0 and units[start - 1].paragraph == chosen.paragraph and not units[start - 1].item \
            and units[start - 1].text.endswith((";", "；")):
        start -= 1  # "…; and expand the scope of …" reads from the start of its sentence
    if start == unit:
        return shorten(chosen.text, language)
    gap = " " if language == "en" else ""
    middle = gap if start == unit - 1 else f"{gap}{mark}{gap}"
    return f"{shorten(units[start].text, language)}{middle}{shorten(chosen.text, language)}"


def shorten(text: str, language: Language, *, limit: int | None = None) -> str:
    """`text` cut at a clause boundary (omission marked) when it is longer than a lead should restate (or
    than `limit`)."""
    text = text.strip()
    limit = limit or LIMIT[language]
    if len(text) <= limit:
        return text
    cut = [m.start() for m in _CLAUSE_END.finditer(text) if 0 < m.start() <= limit]
    end = cut[-1] if cut else limit
    return text[:end].rstrip() + ELLIPSIS[language]


def lead_unit(excerpt: Excerpt) -> int | None:
    """The unit a lead restates: the best one whose text names no article number (a number there would read as
    a citation); None when every candidate does."""
    others = sorted((i for i, s in enumerate(excerpt.scores) if s > 0 and i != excerpt.best),
                    key=lambda i: (-excerpt.scores[i], i))
    order = [excerpt.best, *others]
    if not excerpt.matched:
        order += [i for i in range(len(excerpt.units)) if i not in order]
    return next((i for i in order if not find_article_numbers(restated(excerpt, i))), None)


def article_phrase(regulation: Regulation, article: Article) -> str:
    """"Article 44 of the Shenzhen Regulations" (the English lead's way of naming an article)."""
    title, short = regulation.title.get("en"), regulation.short_name.get("en")
    if short and title and "Regulations" in title and short in title:
        name = f"the {short} Regulations"
    elif title or short:
        name = f"the {title or short}"
    else:
        name = f"《{regulation.name('zh')}》"
    return f"{label_of(article, 'en')} of {name}"


def lead_sentence(question: str, language: Language, regulation: Regulation, article: Article,
                  excerpt: Excerpt, *, foreign: bool) -> str:
    """The lead: the answer word (if the text supports one), the article named, its most relevant words
    quoted."""
    unit = lead_unit(excerpt)
    said = "" if unit is None else restated(excerpt, unit)
    context = ""
    if unit is not None and excerpt.units[unit].item and excerpt.units[unit].lead_in is not None:
        context = excerpt.units[excerpt.units[unit].lead_in].text  # "shall not engage in the following:"
    word = answer_word(question, language, f"{context} {said}") if said else ""
    cited = cite_label(regulation, article, language)
    if language == "zh":
        if not said:
            return f"根据{cited}的规定（摘录如下）："
        if foreign:
            kind = "原文为英文" if excerpt.text.original else "只有英文译本"
            return f"{word}根据{cited}（{kind}），最相关的一句是：\n> {said}"
        return f"{word}根据{cited}，“{_closed(said, '。')}”"
    named = article_phrase(regulation, article)
    under = "under" if word else "Under"
    if not said:
        return f"{under} {named}, the provision reads as quoted below."
    if foreign:
        kind = "the original is Chinese" if excerpt.text.original else "only a Chinese translation is loaded"
        return f"{word}{under} {named} ({kind}), the most relevant sentence is:\n> {said}"
    return f"{word}{under} {named}, “{_closed(said, '.')}”"


def _closed(said: str, stop: str) -> str:
    """The quoted words ended with a full stop (none after an omission mark)."""
    said = said.rstrip(_TRAILING)
    return said if said.endswith(("…", "……")) else said + stop


def plain(text: str) -> str:
    """Text reduced to its letters, digits and characters (punctuation, spaces and case dropped)."""
    return _PLAIN.sub("", text).lower()


def lead_pieces(text: str) -> list[str]:
    """The pieces of article text an answer's opening restates: the quotations and quoted lines of its first
    paragraph, or the cells of the comparison table it opens with; split at omission marks."""
    paragraphs = text.split("\n\n")
    found: list[str] = []
    table = next((p for p in paragraphs[:2] if p.startswith("> |")), None)
    if table is not None:
        for row in table.splitlines()[2:]:  # past the header and the rule
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", row.removeprefix(">").strip())[1:-1]]
            found.extend(_TAG.sub("", c).replace("\\|", "|") for c in cells[1:] if c and c != "—")
    else:
        lead = paragraphs[0]
        found.extend(_QUOTED.findall(lead))
        found.extend(line[1:].strip() for line in lead.splitlines() if line.startswith(">"))
    pieces = [p for piece in found for p in re.split("……|…| · ", piece)]
    return [p for p in pieces if plain(p)]


def grounded(text: str, articles: Sequence[Article]) -> bool:
    """True when the answer's opening restates something, every piece of it in a cited article's text."""
    pieces = lead_pieces(text)
    texts = [plain(version.text) for article in articles for version in article.texts]
    return bool(pieces) and all(any(plain(piece) in t for t in texts) for piece in pieces)
