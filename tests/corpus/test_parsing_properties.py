"""Properties of the parser, over generated files: any text in → articles out or one clear SourceError, and a
well-formed regulation never comes out shorter than it went in (no article and no body line lost)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.corpus.labels import article_label
from assistant.corpus.parsing import parse_source
from assistant.errors import SourceError

# Body lines that have fooled article parsers: a footer-like or appendix-like start, a cross-reference that
# starts a line, separators, list items, Markdown furniture. (A line "第N条 规定的…" with N the next number
# after the last article is refused, naming the line, since the file may then be one article short.)
TRAPS = ["版权所有人应当依法行使权利。", "Copyright holders shall exercise their rights.", "附件所列事项由主管部门规定。",
         "第一条 规定的情形除外。", "（一）取得许可；", "(1) obtain a licence;", "Annex I lists the cases.",
         "依照本条例第十条处理。", "See Article 2 of this Regulation."]
WORDS = st.text(alphabet="人工智能数据安全企业应当可以监督管理促进发展产业部门规定", min_size=2, max_size=30)
SENTENCES = st.one_of(WORDS.map(lambda w: w + "。"), st.sampled_from(TRAPS))
# A body starts with words, and not with words that read as a cross-reference: "第三条 规定…" and a heading
# followed at once by "(1) …" are refused, saying why (tested in test_parsing).
BODIES = st.tuples(WORDS.map(lambda w: "本" + w + "。"), st.lists(SENTENCES, max_size=3)).map(
    lambda t: [t[0], *t[1]])


def _parse(text: str, suffix: str = ".md"):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, f"generated{suffix}")
        path.write_text(text, encoding="utf-8")
        return parse_source(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(BODIES, min_size=1, max_size=8), st.sampled_from(["zh", "en"]), st.booleans(),
       st.sampled_from(["", "---", "***"]))
def test_a_well_formed_regulation_keeps_every_article_and_every_line(bodies, language, chapters, separator):
    lines = []
    for number, body in enumerate(bodies, start=1):
        if chapters and number in (1, len(bodies) // 2 + 1):
            lines.append("第一章 总则" if language == "zh" and number == 1 else
                         "第二章 分则" if language == "zh" else f"Chapter {1 if number == 1 else 2} Part")
        heading = article_label(number, language)
        lines.append(f"{heading} {body[0]}")
        lines.extend(body[1:])
        if separator:
            lines.append(separator)
        lines.append("")
    parsed = _parse("\n".join(lines))
    articles = parsed.articles[language]
    assert [a.number for a in articles] == list(range(1, len(bodies) + 1))
    for article, body in zip(articles, bodies, strict=True):
        text = "\n".join(p.text if not p.label else f"{p.label}{p.gap}{p.text}" for p in article.paragraphs)
        for sentence in body:
            assert _letters(sentence) in _letters(text), (sentence, text)
        assert separator == "" or separator not in text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400), st.sampled_from([".md", ".txt"]))
def test_any_text_gives_articles_or_one_clear_error(text, suffix):
    try:
        parsed = _parse(text, suffix)
    except SourceError as error:
        message = str(error)
        assert message and "\n" not in message.strip() and "Traceback" not in message
        return
    assert any(parsed.articles.values())


def _letters(text: str) -> str:
    """The words of a text without spacing and punctuation (the parser may re-space list items)."""
    return re.sub(r"[\W_]+", "", text)
