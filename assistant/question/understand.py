"""Query understanding: language, regulations and article numbers named, and follow-up condensation.

A follow-up ("那深圳呢？", "What about Shenzhen?", "what are the exceptions?") is rewritten with the history
into a standalone query before anything is retrieved: the previous question supplies the topic, the new
one may swap the regulation, and articles the previous answer cited stay in view. This is rule-based;
when an LLM is configured the answer module can condense with it instead (see `Query.standalone`).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..corpus.model import Corpus, Regulation
from ..corpus.references import corpus_names, find_citations, find_regulations, regulation_patterns
from ..errors import InputError
from ..text.conversation import Turn, conversation_key
from ..text.language import Language, detect_language
from ..text.numbering import find_article_numbers
from ..text.tokens import salience, tokenize
from .spelling import correct_spelling

MAX_QUESTION_CHARS = 2000
MAX_TURN_CHARS = 500  # of an earlier question, as used to condense a follow-up

_COMPARISON = re.compile(r"compar|differ|distinction|versus|\bvs\.?\b|\bboth\b|each (?:city|regulation)|"
                         r"两地|两个|区别|不同|差异|异同|比较|对比|相比|分别|各自|哪个城市|哪一个", re.IGNORECASE)
_FOLLOWUP_START = re.compile(r"^(?:那|那么|还有|另外|此外|其中|具体|如果|要是|and\b|what about|how about|what if|"
                             r"same\b|also\b|then\b|so\b|but\b)", re.IGNORECASE)
_ANAPHORA = re.compile(r"呢|这|该|其|上述|此|它|他们|那个|那条|这条|类似|同样|也有|也是|也要|也会|相关的|以外|之外|"
                       r"\b(?:it|its|that|those|these|this|they|them|there|the same|the exceptions?|such|similar|"
                       r"likewise|also|too|as well|anything like|equivalent|counterpart|the city|beyond)\b",
                       re.IGNORECASE)
_SHORT_ZH, _SHORT_EN = 16, 8
# Jurisdictions a question may name, one place a line in both languages. A place a loaded regulation covers is
# not "other": it is one of the regulation's names, or the regulation's own articles keep naming it (欧盟 for the
# GDPR, whose articles name the European Parliament, Commission and Board). The rest tell that the question is
# about someone else's rules.
JURISDICTION_GROUPS: tuple[tuple[str, ...], ...] = tuple(tuple(line.split("|")) for line in """
北京|Beijing
天津|Tianjin
重庆|Chongqing
河北|山西|辽宁|吉林|黑龙江|安徽|福建|江西|山东|河南|湖北|湖南|海南|四川|贵州|云南|陕西|甘肃|青海|内蒙古|广西|西藏|宁夏|新疆
江苏|Jiangsu
浙江|Zhejiang
广东|Guangdong
杭州|Hangzhou
南京
苏州
广州|Guangzhou
成都
武汉
西安
厦门
香港|Hong Kong
澳门|Macau|Macao
台湾|Taiwan
欧盟|欧洲|EU|European Union|Europe|European
美国|United States|USA|America|American
英国|UK|Britain|British
日本|Japan
韩国|Korea
新加坡|Singapore
德国|Germany
法国|France
加州|California
New York
联合国|United Nations
""".strip().splitlines())
JURISDICTIONS = tuple(name for group in JURISDICTION_GROUPS for name in group)
_PROVINCES = next(group for group in JURISDICTION_GROUPS if "河北" in group)  # one line, each its own place
# A place named in at least this share of a regulation's articles, and in at least this many, is covered by it.
_PREVALENT, _PREVALENT_ARTICLES = 0.1, 3
_ANY_PLACE = re.compile("|".join(re.escape(n) if not n.isascii() else rf"\b{re.escape(n)}\b"
                                 for n in sorted({n for g in JURISDICTION_GROUPS for n in g}, key=len, reverse=True)))


# Legal instruments a question may name; those the corpus itself mentions (e.g. the Civil Code) are ignored,
# the rest tell that the question is about other rules than the ones loaded.
INSTRUMENTS = ("个人信息保护法", "数据安全法", "网络安全法", "著作权法", "专利法", "商标法", "刑法", "民法典", "公司法",
               "劳动法", "劳动合同法", "反垄断法", "电子商务法", "广告法", "暂行办法", "人工智能法", "PIPL", "GDPR",
               "AI Act", "Cybersecurity Law", "Data Security Law", "Personal Information Protection Law",
               "Copyright Law", "Patent Law", "Trademark Law", "Criminal Law", "Civil Code", "Company Law",
               "Labor Law", "Labour Law", "Labor Contract Law", "Anti-Monopoly Law", "E-Commerce Law",
               "Interim Measures")
_INSTRUMENT_PATTERNS = [(name, re.compile(re.escape(name) if not name.isascii() else rf"\b{re.escape(name)}\b",
                                          re.IGNORECASE)) for name in INSTRUMENTS]
# "How do I register / which documents / where do I file": administrative procedures, which laws that
# promote an industry do not set out.
ASKS_PROCEDURE = re.compile(r"流程|步骤|手续|哪些材料|准备.{0,6}材料|怎么(?:办理|注册|登录|开户|备案|报名)|"
                            r"如何(?:办理|注册|备案)|哪几步|在哪里?(?:办|登录|提交|注册)|"
                            r"\bhow (?:do|can|should) (?:i|we) (?:register|file|open|log in|submit|sign up)\b|"
                            r"\bsteps?\b|\bprocedures?\b|\bpaperwork\b|\bwhere do (?:i|we) (?:log|file|submit|register)|"
                            r"\bwhat documents\b", re.IGNORECASE)


@dataclass(frozen=True)
class ArticleRef:
    """An article named in a question; regulation None means "whichever regulation has it"."""

    regulation: str | None
    number: int
    suffix: int = 0


@dataclass(frozen=True)
class Query:
    """What a question asks for, ready for retrieval."""

    question: str
    standalone: str
    language: Language
    regulations: tuple[str, ...]  # regulations the question (or its conversation) is about; empty = all
    article_refs: tuple[ArticleRef, ...] = ()
    comparison: bool = False
    followup: bool = False
    context_articles: tuple[str, ...] = field(default=())  # article ids cited earlier in the conversation
    analog_of: tuple[str, ...] = ()  # articles cited earlier whose counterpart in another regulation is asked for
    other_jurisdictions: tuple[str, ...] = ()  # places named that no loaded regulation covers
    other_instruments: tuple[str, ...] = ()  # laws named that the loaded regulations never mention
    asks_procedure: bool = False
    key: str = ""  # the question in its conversation, before condensation (see `conversation_key`)
    has_content: bool = True  # False for "hi", "hello", "????": nothing a regulation could answer


def check_question(question: str) -> str:
    """Return the question stripped, or raise InputError when it is empty or too long."""
    if not isinstance(question, str) or not question.strip():
        raise InputError("the question is empty; ask something, e.g. \"深圳条例第七十一条规定了什么？\"")
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(f"the question is {len(question)} characters long; keep it under {MAX_QUESTION_CHARS}")
    return question.strip()


_JURISDICTION_PATTERNS = [(place, re.compile(re.escape(place) if not place.isascii()
                                              else rf"\b{re.escape(place)}\b")) for place in JURISDICTIONS]


def find_other_jurisdictions(text: str, corpus: Corpus) -> list[str]:
    """Jurisdictions named in `text` that no loaded regulation covers (香港, EU, Beijing …)."""
    covered = _covered_places(corpus)
    return [place for place, pattern in _JURISDICTION_PATTERNS if place not in covered and pattern.search(text)]


_PLACES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _naming(articles: list[frozenset[str]], place: tuple[str, ...]) -> int:
    return sum(bool(found & set(place)) for found in articles)


def _places_of(group: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [(name,) for name in group] if group is _PROVINCES else [group]


def _covered_places(corpus: Corpus) -> frozenset[str]:
    """Every name of every place a loaded regulation covers (by its names, or by naming it in its articles)."""
    if corpus not in _PLACES:
        names = {name.lower() for names in corpus_names(corpus).values() for name in names}
        places = [p for group in JURISDICTION_GROUPS for p in _places_of(group)]
        named_in: list[list[frozenset[str]]] = [  # per regulation, per article: the place names it contains
            [frozenset(_ANY_PLACE.findall(" ".join(v.text for v in a.texts))) for a in r.articles]
            for r in corpus.regulations if len(r.articles) >= 5]
        covered: set[str] = set()
        for place in places:
            if any(n.lower() in names for n in place) or any(
                    _naming(articles, place) >= max(_PREVALENT * len(articles), _PREVALENT_ARTICLES)
                    for articles in named_in):
                covered.update(place)
        _PLACES[corpus] = frozenset(covered)
    return _PLACES[corpus]


def find_other_instruments(text: str, corpus: Corpus) -> list[str]:
    """Laws named in `text` that are not loaded and the corpus never mentions (著作权法, the AI Act, …)."""
    found = [name for name, pattern in _INSTRUMENT_PATTERNS if pattern.search(text)]
    if not found:
        return []
    corpus_text = _corpus_text(corpus)
    return [name for name in found if name.lower() not in corpus_text
            and not find_regulations(name, corpus, fuzzy=False)]


_TEXTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _corpus_text(corpus: Corpus) -> str:
    if corpus not in _TEXTS:
        _TEXTS[corpus] = " ".join(v.text for a in corpus.articles() for v in a.texts).lower()
    return _TEXTS[corpus]


# "上海条例 68", "Shanghai 66", "GDPR 17": a bare number right after a regulation's name is an article number
# (but not a year, a date, an amount or a count).
_BARE_NUMBER = re.compile(r"\s*(?:条例|条列|法规?|规定|办法|regulations?|law|act|directive)?\s*(?:第\s*)?"
                          r"(\d{1,3})(?![\d.,:/年月日号%万元个人家岁天]|\s*(?:years?|days?|months?|%|percent|people|"
                          r"million|yuan|euros?|条|款|项))", re.IGNORECASE)
_LAST_ARTICLE = re.compile(r"\b(?:the\s+)?(?:last|final)\s+article\b|最后一条|最末一条|最后那条", re.IGNORECASE)
_FIRST_ARTICLE = re.compile(r"\b(?:the\s+)?(?:first|opening)\s+article\b", re.IGNORECASE)  # 第一条 is a number


def _article_refs(text: str, corpus: Corpus, named: list[tuple[str, int]],
                  scope: Sequence[str]) -> tuple[ArticleRef, ...]:
    refs = []
    for found in find_article_numbers(text):
        start = found.start
        before = [pos for _, pos in named if pos <= start]
        after = [pos for _, pos in named if pos > start]
        at = max(before) if before else min(after) if after else None
        meant = [reg for reg, pos in named if pos == at]  # one name may point at several laws (深圳)
        regulation = meant[0] if len(meant) == 1 else None if meant else scope[0] if len(scope) == 1 else None
        refs.append(ArticleRef(regulation=regulation, number=found.number, suffix=found.suffix))
    if not refs:
        refs = _bare_refs(text, corpus, named)
    for pattern, index in ((_FIRST_ARTICLE, 0), (_LAST_ARTICLE, -1)):
        if pattern.search(text):
            meant = [reg for reg, _ in named] or (list(scope) if len(scope) == 1 else [])
            for regulation_id in meant:
                article = corpus.regulation(regulation_id).articles[index]
                refs.append(ArticleRef(regulation=regulation_id, number=article.number, suffix=article.suffix))
    return tuple(dict.fromkeys(refs))


def _bare_refs(text: str, corpus: Corpus, named: list[tuple[str, int]]) -> list[ArticleRef]:
    refs = []
    patterns = dict(regulation_patterns(corpus))
    for regulation_id, _ in named:
        for match in patterns[regulation_id].finditer(text):
            number = _BARE_NUMBER.match(text, match.end())
            if number and int(number.group(1)) > 0:
                refs.append(ArticleRef(regulation=regulation_id, number=int(number.group(1))))
    return refs


_GREETINGS = frozenset("hi hello hey thank thanks ok okay yes no bye 你好 您好 谢谢 再见 在吗 哈喽 嗨 好的".split())


def _content_words(text: str) -> list[str]:
    """The words of a question that could be about something (not greetings, filler or punctuation)."""
    return [t for t in tokenize(text) if t not in _GREETINGS and salience(t) > 0]


def _is_fragment(text: str, language: Language) -> bool:
    return len(text) <= _SHORT_ZH if language == "zh" else len(text.split()) <= _SHORT_EN


def _is_followup(question: str, language: Language, named_here: bool) -> bool:
    short = len(question) <= _SHORT_ZH if language == "zh" else len(question.split()) <= _SHORT_EN
    return bool(_FOLLOWUP_START.search(question) or _ANAPHORA.search(question) or (short and not named_here) or
                (short and named_here and len(question) <= 12))


def _swap_regulation(previous: str, old: Sequence[str], new: Regulation, corpus: Corpus, language: Language) -> str:
    """Rewrite the previous question for another regulation: 上海…？ + 那深圳呢 → 深圳…？"""
    replacement = new.short_name.get(language) or next(iter(new.short_name.values()), new.name(language))
    patterns = dict(regulation_patterns(corpus))
    for regulation_id in old:
        previous = patterns[regulation_id].sub(replacement, previous)
    return previous


def understand(question: str, corpus: Corpus, *, history: Sequence[Turn] = (),
               regulation: str | None = None) -> Query:
    """Read a question (and its conversation) into a Query; an explicit `regulation` filter wins."""
    typed = check_question(question)
    question = correct_spelling(typed, corpus)  # "framwork softwear" → "framework software"
    if regulation is not None:
        corpus.regulation(regulation)  # an unknown id is an InputError
    language = detect_language(question)
    named = find_regulations(question, corpus)
    named_ids = [reg for reg, _ in named]
    # A follow-up may follow a follow-up: the last two questions and answers, each cut to what condensing
    # can use (a 20,000-character turn would otherwise be embedded whole).
    recent = [t.content[:MAX_TURN_CHARS] for t in history if t.role == "user"][-2:]
    answers = [t.content[:MAX_TURN_CHARS * 4] for t in history if t.role == "assistant"][-2:]
    followup = bool(recent) and _is_followup(question, language, bool(named_ids))

    earlier = next((found for text in reversed(recent)
                    if (found := [reg for reg, _ in find_regulations(text, corpus)])), [])
    cited = [c for text in reversed(answers) for c in find_citations(text, corpus, default_regulations=earlier)]
    inherited = earlier or list(dict.fromkeys(c.regulation for c in cited))
    # In a conversation, a question naming no regulation is about the one being discussed.
    standalone, regulations, context, analog_of = question, named_ids or inherited, (), ()
    if followup:
        topic = recent[-1]
        if len(recent) > 1 and _is_fragment(topic, language):
            topic = f"{recent[-2]} {topic}"  # the previous question was itself a fragment ("司法领域呢？")
        if named_ids and inherited and set(named_ids).isdisjoint(inherited):
            base = _swap_regulation(topic, inherited, corpus.regulation(named_ids[0]), corpus, language)
            standalone = f"{base} {question}"
            # "那深圳呢？" after an answer citing Shanghai's Article 66: Shenzhen's counterpart of that article.
            analog_of = tuple(dict.fromkeys(c.id for c in cited if corpus.get(c.id) is not None
                                            if c.regulation not in named_ids))
        else:
            standalone = f"{topic} {question}"
            context = tuple(dict.fromkeys(c.id for c in cited if corpus.get(c.id) is not None))
    if regulation is not None:
        regulations = [regulation]
    refs = _article_refs(question, corpus, named, regulations)
    # A comparison names two regulations (two names, not one name two laws share), or asks to compare when
    # exactly two are loaded; with more loaded, "what is different…" alone does not say between which.
    comparison = (len({pos for _, pos in named}) > 1 and len(set(named_ids)) > 1) or (
        bool(_COMPARISON.search(question)) and len(corpus.regulations) == 2)
    if comparison and regulation is None and len(set(regulations)) < 2:
        regulations = []  # a comparison needs every regulation in scope
    return Query(question=question, standalone=standalone, language=language,
                 regulations=tuple(dict.fromkeys(regulations)), article_refs=refs, comparison=comparison,
                 followup=followup, context_articles=context, analog_of=analog_of,
                 other_jurisdictions=tuple(find_other_jurisdictions(question, corpus)),
                 other_instruments=tuple(find_other_instruments(question, corpus)),
                 asks_procedure=bool(ASKS_PROCEDURE.search(question)), key=conversation_key(typed, history),
                 has_content=bool(refs or named_ids or _content_words(standalone)))
