"""The extractive composer: a grounded answer made of the articles' own words, no model involved.

It is the default answer mode (offline, deterministic). An answer opens with a lead sentence in the question's
language (`lead`): the article named and its most relevant sentence or item quoted, with "可以：" / "Yes — "
only when those words grant or support what was asked. Then each cited article: its label and chapter, and
the sentences and items that bear on the question (`excerpt`), omissions marked "……" / "…", and the paragraph
that a quoted "前款" / "preceding paragraph" refers to. A comparison of two regulations opens instead with a
side-by-side table and a line on what differs (`comparison`). Quoted article text is set as Markdown
blockquote lines ("> …"), so the citation parser and the language check never mistake an article's own
cross-references or language for the answer's. A "see also" line lists nearby articles when the answer
abstains; it is marked (`SEE_ALSO`) so it is not read as a citation either.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

from ..corpus.labels import cite_label, division_label, short_name
from ..corpus.model import Article, Corpus
from ..corpus.references import SEE_ALSO
from ..index.terms import TermTable
from ..question.understand import Query
from ..retrieval.provisions import ASKS_FOR_LIST
from ..retrieval.searcher import Hit
from ..text.language import Language
from ..text.tokens import tokenize
from .answer import Answer, MissingArticle, missing_lookups
from .comparison import Side, comparison_table, differences
from .excerpt import Excerpt, excerpt
from .lead import lead_sentence

# Words that ask for a comparison rather than say what about.
_COMPARING = ("compare comparison differ difference different distinction versus both each "
              "区别 不同 差异 异同 比较 对比 相比 分别 各自 两地")


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
        excerpts = [self._excerpt(query, hit.article, whole=whole) for hit in chosen]
        comparison = query.comparison and len({h.article.regulation for h in chosen}) > 1
        blocks = [self._block(query, hit.article, found, comparison=comparison)
                  for hit, found in zip(chosen, excerpts)]
        if comparison:
            intro = {"zh": "两部条例对此分别规定如下：", "en": "The regulations address this as follows, side by side:"}[
                language]
            sides = self._sides(chosen, excerpts)
            opening = [intro, comparison_table(sides, language),
                       differences(sides, language, alike=self._alike(query, sides))]
        else:
            top, found = chosen[0].article, excerpts[0]
            regulation = self.corpus.regulation(top.regulation)
            opening = [lead_sentence(query.question, language, regulation, top, found,
                                     foreign=found.text.language != language)]
        text = "\n\n".join(part for part in [*opening, *blocks] if part)
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

    @functools.cached_property
    def _set_aside(self) -> set[str]:
        """Tokens of the regulations' short names (worked out on first use: Chinese ones load jieba)."""
        return {t for r in self.corpus.regulations for name in r.short_name.values() for t in tokenize(name)}

    def _excerpt(self, query: Query, article: Article, *, whole: bool,
                 language: Language | None = None) -> Excerpt:
        """What to quote of `article`: its text in `language` (the question's by default) if it has one."""
        language = language or query.language
        text = article.text(language) or article.best_text(language)
        tokens = set(tokenize(query.standalone))
        if text.language != query.language:
            tokens |= set(self.terms.translate(tokenize(query.standalone), query.language))
        tokens -= self._set_aside  # "深圳" / "Shanghai" name the regulation, not what the question is about
        if query.comparison:
            tokens -= set(tokenize(_COMPARING))  # "differ" would match "different types of enterprises"
        whole_list = bool(ASKS_FOR_LIST.search(query.question))
        return excerpt(text, tokens, self._idf(), whole=whole, whole_list=whole_list, question=query.question)

    def _sides(self, chosen: Sequence[Hit], excerpts: Sequence[Excerpt]) -> list[Side]:
        """One column per regulation: its first cited article."""
        sides: dict[str, Side] = {}
        for hit, found in zip(chosen, excerpts):
            regulation = hit.article.regulation
            sides.setdefault(regulation, Side(self.corpus.regulation(regulation), hit.article, found))
        return list(sides.values())

    def _alike(self, query: Query, sides: list[Side]) -> list[Side]:
        """The sides read in one language, so their words can be compared (Shanghai's English translation
        beside Shenzhen's English text); as shown when they share no language."""
        shown = {side.excerpt.text.language for side in sides}
        common = set.intersection(*(set(side.article.languages) for side in sides))
        if len(shown) == 1 or not common:
            return sides
        language = query.language if query.language in common else sorted(common)[0]
        return [side if side.excerpt.text.language == language else
                Side(side.regulation, side.article, self._excerpt(query, side.article, whole=False, language=language))
                for side in sides]

    def _block(self, query: Query, article: Article, found: Excerpt, *, comparison: bool) -> str:
        language = query.language
        regulation = self.corpus.regulation(article.regulation)
        text = found.text
        foreign = text.language != language
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
        return head + "\n" + "\n".join(f"> {line}" for line in found.lines)
