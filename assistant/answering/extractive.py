"""The extractive composer: a grounded answer made of the articles' own sentences, no model involved.

It is the default answer mode (offline, deterministic). It quotes the sentences and numbered items of the
chosen articles that bear on the question, framed in the question's language. Quoted article text is set as
Markdown blockquote lines ("> …"), so the citation parser and the language check never mistake an article's
own cross-references or language for the answer's. A "see also" line lists nearby articles when the answer
abstains; it is marked (`SEE_ALSO`) so it is not read as a citation either.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from ..corpus.labels import cite_label, division_label, short_name
from ..corpus.model import Article, Corpus
from ..corpus.references import SEE_ALSO
from ..index.terms import TermTable
from ..question.understand import Query
from ..retrieval.searcher import Hit
from ..text.language import Language
from ..text.tokens import tokenize
from .answer import Answer, MissingArticle, missing_lookups

MAX_SENTENCES = 3
_SENTENCE = re.compile(r"[^。；;.!?！？]+(?:[。；;!?！？]|\.(?=\s|$))?")
# "有哪些职责？" / "What are the duties?" ask for a whole list; a pointed question wants one item.
_ASKS_FOR_LIST = re.compile(r"哪些|哪几|有什么(?:职责|行为|规定|要求|情形)|包括什么|列出|列举|\bwhat are\b|\bwhich\b.*\bare\b|"
                            r"\blist\b|\ball the\b|\bduties\b|\bresponsibilities\b|\bprohibit", re.IGNORECASE)


class ExtractiveAnswerer:
    """Composes a grounded answer from the articles' own sentences; no model involved."""

    def __init__(self, corpus: Corpus, *, terms: TermTable | None = None,
                 idf: Callable[[], Mapping[str, float]] | None = None):
        self.corpus = corpus
        self.terms = terms or TermTable()
        self._idf = idf or dict  # called when a sentence must be chosen, not at start-up

    def answer(self, query: Query, hits: Sequence[Hit], chosen: Sequence[Hit]) -> Answer:
        """Answer from the `chosen` hits (see `choose_citations`), or abstain when none were chosen."""
        language = query.language
        if not chosen:
            return self.abstain(query, hits)
        whole = bool(query.article_refs)
        blocks = [self._block(query, hit.article, whole=whole, comparison=query.comparison) for hit in chosen]
        intro = {"zh": "以下是条例中与您的问题相关的规定：", "en": "Here is what the regulations provide:"}[language]
        if query.comparison and len({h.article.regulation for h in chosen}) > 1:
            intro = {"zh": "两部条例对此分别规定如下：", "en": "The regulations address this as follows, side by side:"}[
                language]
        elif len(chosen) == 1:
            intro = ""
        text = "\n\n".join(part for part in [intro, *blocks] if part)
        citations = tuple(h.article.citation for h in chosen)
        return Answer(text=text, citations=citations, language=language, abstained=False, retrieved=tuple(hits),
                      cited_articles=tuple(h.article for h in chosen))

    def abstain(self, query: Query, hits: Sequence[Hit], *, mode: str = "extractive") -> Answer:
        """Say plainly that the regulations do not answer this (or that a named article does not exist)."""
        missing = missing_lookups(query, self.corpus)
        text = self._abstention(query, missing, [] if missing else hits)
        see_also = () if missing else tuple(h.article.citation for h in hits[:3])
        return Answer(text=text, citations=(), language=query.language, abstained=True, retrieved=tuple(hits),
                      mode=mode, see_also=see_also)

    def _abstention(self, query: Query, missing: list[MissingArticle], hits: Sequence[Hit]) -> str:
        language = query.language
        if missing:
            # Worded so that it is not itself a citation of the missing article.
            if language == "zh":
                return "；".join(f"《{m.regulation.name('zh')}》共{len(m.regulation.articles)}条，"
                                f"没有编号为{m.shown}的条文" for m in missing) + "。"
            return "; ".join(f"{m.regulation.name('en')} has {len(m.regulation.articles)} articles; there is no "
                             f"article numbered {m.shown}" for m in missing) + "."
        loaded = self._loaded(language)
        if query.other_instruments and not query.regulations:
            named = "、".join(f"《{n}》" for n in query.other_instruments) if language == "zh" else \
                " and ".join(query.other_instruments)
            return {"zh": f"{named}不在已载入的法规中{loaded}，无法据此回答；可以用 lawqa add 添加后再问。",
                    "en": f"{named} is not among the loaded regulations{loaded}, so this cannot be answered from "
                          "them; add it with lawqa add and ask again."}[language]
        text = {"zh": f"在已载入的法规中没有找到关于这个问题的规定{loaded}。如需具体答复，请咨询相关主管部门或专业律师。",
                "en": f"Not found in these regulations: none of the loaded regulations{loaded} addresses this "
                      "question. For an answer, ask the competent authority or a lawyer."}[language]
        if hits:
            names = [self._see_also_name(h.article, language) for h in hits[:3]]
            text += "\n\n" + SEE_ALSO[language] + ("；" if language == "zh" else "; ").join(names)
        return text

    def _loaded(self, language: Language) -> str:
        """"（已载入：上海、深圳）" / " (Shanghai; Shenzhen)" for a few regulations; nothing for many."""
        if len(self.corpus.regulations) > 3:
            return ""
        names = [short_name(r, language) for r in self.corpus.regulations]
        return f"（已载入：{'、'.join(names)}）" if language == "zh" else f" ({'; '.join(names)})"

    def _see_also_name(self, article: Article, language: Language) -> str:
        # Deliberately not written like a citation: the abstaining answer cites nothing.
        regulation = self.corpus.regulation(article.regulation)
        short = regulation.short_name.get(language) or regulation.name(language)
        return f"{short} · {article.id}"

    def _block(self, query: Query, article: Article, *, whole: bool, comparison: bool) -> str:
        language = query.language
        regulation = self.corpus.regulation(article.regulation)
        text = article.text(language)
        foreign = text is None
        text = text or article.best_text(language)
        lines = [p.render() for p in text.paragraphs] if whole else self._select(query, text.paragraphs,
                                                                                  foreign=foreign)
        cited = cite_label(regulation, article, language)
        chapter = ""
        if article.chapter is not None:
            # A chapter title only in the other language would put that language into the answer's framing.
            title = article.chapter.titles.get(language)
            label = division_label("chapter", article.chapter.number, language)
            if language == "zh":
                chapter = f"（{label} {title}）" if title else f"（{label}）"
            else:
                chapter = f" ({label}, {title})" if title else f" ({label})"
        if language == "zh":
            lead = f"{short_name(regulation, 'zh')}：" if comparison else ""
            head = f"{lead}{cited}{chapter}规定："
            if foreign:
                kind = "原文为英文，以下为英文原文摘录" if text.original else "只有英文译本，以下为英文译文摘录"
                head = f"{lead}{cited}{chapter}（{kind}）规定："
        else:
            lead = f"{short_name(regulation, 'en')}: " if comparison else ""
            head = f"{lead}{cited}{chapter} provides:"
            if foreign:
                kind = "the original is Chinese; quoted in Chinese" if text.original else \
                    "only a Chinese translation is loaded; quoted in Chinese"
                head = f"{lead}{cited}{chapter} ({kind}) provides:"
        return head + "\n" + "\n".join(f"> {line}" for line in lines)

    def _select(self, query: Query, paragraphs: Sequence, *, foreign: bool) -> list[str]:
        """The sentences and items that bear on the question, in article order (at least one)."""
        tokens = set(tokenize(query.standalone))
        if foreign:
            tokens |= set(self.terms.translate(tokenize(query.standalone), query.language))
        units: list[tuple[int, str, bool]] = []  # (paragraph index, sentence, is_item)
        for index, paragraph in enumerate(paragraphs):
            if paragraph.label:
                units.append((index, paragraph.render(), True))
            else:
                units.extend((index, s.strip(), False) for s in _SENTENCE.findall(paragraph.text) if s.strip())
        if len(units) <= MAX_SENTENCES:
            return [p.render() for p in paragraphs]
        idf = self._idf()
        scores = [sum(idf.get(t, 1.0) for t in sorted(set(tokenize(u)) & tokens)) for _, u, _ in units]
        best = max(scores)
        keep = {i for i, s in enumerate(scores) if best > 0 and s >= 0.5 * best}
        keep = set(sorted(keep, key=lambda i: -scores[i])[:MAX_SENTENCES]) or {0}
        whole_list = bool(_ASKS_FOR_LIST.search(query.question))
        for i in list(keep):
            lead_in = i if not units[i][2] else next((j for j in range(i - 1, -1, -1) if not units[j][2]), None)
            if lead_in is None or lead_in + 1 >= len(units) or not units[lead_in + 1][2]:
                continue
            keep.add(lead_in)  # a selected item needs its lead-in ("…perform the following duties:")
            items = range(lead_in + 1, next((j for j in range(lead_in + 1, len(units)) if not units[j][2]),
                                            len(units)))
            if whole_list or not any(j in keep for j in items):
                keep.update(items)  # the question asks for the list, or only its lead-in matched
        return [units[i][1] for i in sorted(keep)]
