"""The parser on the three real sources and on adversarial inputs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.corpus.parsing import parse_source
from assistant.errors import SourceError
from assistant.resources import bundled_path

SOURCES = bundled_path("index", "sources")
SHANGHAI_EN = SOURCES / "000_52bdc98a05a39b49.txt"
SHANGHAI_BILINGUAL = SOURCES / "001_9264baadea2f384a.txt"
SHENZHEN = SOURCES / "003_ccaf28c075bd87b1.txt"


@pytest.fixture(scope="module")
def shenzhen():
    return parse_source(SHENZHEN)


@pytest.fixture(scope="module")
def bilingual():
    return parse_source(SHANGHAI_BILINGUAL)


def text_of(article) -> str:
    return "\n".join(p.render() for p in article.paragraphs)


def test_article_counts_in_every_source(shenzhen, bilingual):
    assert {lang: len(arts) for lang, arts in parse_source(SHANGHAI_EN).articles.items()} == {"en": 72}
    assert {lang: len(arts) for lang, arts in bilingual.articles.items()} == {"zh": 72, "en": 72}
    assert {lang: len(arts) for lang, arts in shenzhen.articles.items()} == {"en": 73}


def test_shanghai_66_keeps_its_six_items_in_both_languages(bilingual):
    zh = bilingual.articles["zh"][65]
    en = bilingual.articles["en"][65]
    assert zh.paragraphs[0].text == "本市设立人工智能伦理专家委员会,履行下列职责"
    assert [p.label for p in zh.paragraphs[1:]] == ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)"]
    assert zh.paragraphs[1].text == "组织制定人工智能领域伦理规范指南"
    assert en.paragraphs[0].text.startswith("This municipality shall establish an Expert Committee")
    assert [p.label for p in en.paragraphs[1:]] == [f"({i})" for i in range(1, 7)]
    assert en.paragraphs[6].text == "Carrying out ethics and safety education and publicity in the field of AI."
    assert (zh.chapter.number, zh.chapter.title) == (5, "产业治理与安全")
    assert (en.chapter.number, en.chapter.title) == (5, "Industrial Governance and Security")


def test_shanghai_one_line_translation_items(bilingual):
    en = parse_source(SHANGHAI_EN).articles["en"][65]
    assert len(en.paragraphs) == 7
    assert en.paragraphs[1].render() == "(1) Organize the formulation of ethical guidelines for the AI sector;"


def test_shanghai_sections_in_both_languages(bilingual):
    article = bilingual.articles["zh"][12]  # 第十三条
    assert (article.chapter.number, article.section.number, article.section.title) == (2, 1, "基本要素")
    assert bilingual.articles["en"][12].section.title == "Basic elements"
    assert bilingual.articles["zh"][63].section is None  # chapter 5 has no sections


def test_bilingual_header_and_footer_stay_out(bilingual):
    last_zh, last_en = bilingual.articles["zh"][-1], bilingual.articles["en"][-1]
    assert text_of(last_zh) == "本条例2022101日起施行"  # characters lost in extraction are kept as they are
    assert text_of(last_en) == "This Regulation shall come into force on October 1, 2022."
    first = bilingual.articles["zh"][0]
    assert "公告" not in text_of(first) and first.paragraphs[0].text.startswith("为了促进人工智能产业高质量发展")


def test_shenzhen_25_joined_across_a_footnote_and_page_break(shenzhen):
    article = shenzhen.articles["en"][24]
    assert text_of(article) == (
        "We shall empower AI innovation teams and leading talents with the authority to make decisions about "
        "technical routes and the authority to use funds. We shall adopt a flexible compensation system and "
        "incentive measures for scientific researchers who undertake major S&T research tasks.")
    assert "Translator" not in text_of(article)


def test_shenzhen_footnote_markers_removed_and_notes_kept_apart(shenzhen):
    art24, art38 = shenzhen.articles["en"][23], shenzhen.articles["en"][37]
    assert "social capital to set up" in text_of(art24) and "capital1" not in text_of(art24)
    assert [n.marker for n in art24.notes] == ["1"]
    assert art24.notes[0].text.startswith("Translator's note: The Chinese term社会资本")
    assert "public institutions shall take the lead in using AI products" in text_of(art38)
    assert "Translator" not in text_of(art38)
    # Footnote 2 breaks off at a page end and continues at the bottom of the next page (inside Article 41).
    assert art38.notes[0].text.endswith("culture, health, and sanitation.")
    assert "do not create material products" in art38.notes[0].text
    art41 = shenzhen.articles["en"][40]
    assert "material products" not in text_of(art41) and art41.notes == ()


@pytest.mark.parametrize("number", [36, 46, 62])
def test_shenzhen_chapter_headings_never_inside_an_article(shenzhen, number):
    article = shenzhen.articles["en"][number - 1]
    assert "Chapter" not in text_of(article)
    assert shenzhen.articles["en"][number].chapter.number == article.chapter.number + 1


def test_shenzhen_73_is_one_sentence_and_interpretation_is_apart(shenzhen):
    article = shenzhen.articles["en"][72]
    assert text_of(article) == "These regulations shall come into force on November 1, 2022."
    (appendix,) = shenzhen.appendices
    assert appendix.heading == "Interpretation"
    assert appendix.title.startswith("Regulations for the Promotion of the Artificial Intelligence Industry")
    assert appendix.paragraphs[0].text.startswith("On August 30, 2022")
    assert [n.marker for n in appendix.notes] == ["3"]


def test_shenzhen_page_break_paragraphs(shenzhen):
    article = shenzhen.articles["en"][32]  # a new paragraph starts a page with no blank line before it
    assert [p.text[:20] for p in article.paragraphs] == ["We shall promote the", "Organizations and in"]
    assert "(信息化)" in text_of(shenzhen.articles["en"][37])  # no space where a Chinese term wrapped


def write(tmp_path: Path, text: str | bytes, name: str = "reg.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_cross_references_are_never_headings(tmp_path):
    source = write(tmp_path, "第一章 总则\n第一条 为了规范管理，制定本条例。\n第二条 依照本条例第一条规定执行。\n"
                             "第一条规定的事项，由市政府负责。\n第三条 本条例自公布之日起施行。\n")
    articles = parse_source(source).articles["zh"]
    assert [a.number for a in articles] == [1, 2, 3]
    assert articles[1].paragraphs[1].text == "第一条规定的事项，由市政府负责。"


def test_english_cross_reference_wrapped_to_line_start(tmp_path):
    source = write(tmp_path, "Article 1 These rules apply to drones.\n\nArticle 2 Operators shall register as "
                             "provided in\nArticle 1 of these rules and shall keep records.\n\nArticle 3 "
                             "These rules take effect on 1 May.\n")
    articles = parse_source(source).articles["en"]
    assert [a.number for a in articles] == [1, 2, 3]
    assert "provided in Article 1 of these rules" in articles[1].paragraphs[0].text


def test_mixed_heading_styles_and_big_chinese_numbers(tmp_path):
    english = "\n".join(f"Article {n}{sep} Text {n}." for n, sep in zip(range(1, 5), ["", ":", ".", ""]))
    assert [a.number for a in parse_source(write(tmp_path, english)).articles["en"]] == [1, 2, 3, 4]
    hundreds = "\n".join(f"第{n}条 内容。" for n in range(1, 104)).replace("第103条", "第一百零三条")
    articles = parse_source(write(tmp_path, hundreds, "big.txt")).articles["zh"]
    assert articles[-1].number == 103


def test_bilingual_paragraphs_are_sorted_by_language(tmp_path):
    source = write(tmp_path, "第一章 总则\n\nChapter I General Provisions\n\n第一条 为了测试，制定本条例。\n\n"
                             "Article 1 This Regulation is made for testing.\n\n第二条 本条例自公布之日起施行。\n\n"
                             "Article 2: This Regulation takes effect on promulgation.\n")
    parsed = parse_source(source)
    assert [(a.number, a.chapter.title) for a in parsed.articles["zh"]] == [(1, "总则"), (2, "总则")]
    assert [a.paragraphs[0].text for a in parsed.articles["en"]] == [
        "This Regulation is made for testing.", "This Regulation takes effect on promulgation."]


def test_heading_decides_the_language_of_its_paragraph(tmp_path):
    source = write(tmp_path, "第一条 本规定适用于 OpenAI-compatible API endpoints and Python SDKs。\n第二条 自发布之日起施行。\n")
    assert [a.number for a in parse_source(source).articles["zh"]] == [1, 2]


def test_markdown_headings_and_bold(tmp_path):
    source = write(tmp_path, "# 示例条例\n\n## 第一章 总则\n\n**第一条** 为了测试，制定本条例。\n\n"
                             "### 第二条\n\n本条例自公布之日起施行。\n", "reg.md")
    articles = parse_source(source).articles["zh"]
    assert [(a.number, a.chapter.title, a.paragraphs[0].text) for a in articles] == [
        (1, "总则", "为了测试，制定本条例。"), (2, "总则", "本条例自公布之日起施行。")]


def test_crlf_and_bom_are_accepted(tmp_path):
    source = write(tmp_path, "\ufeffArticle 1 First rule.\r\nArticle 2 Second rule.\r\n".encode("utf-8"))
    articles = parse_source(source).articles["en"]
    assert [a.paragraphs[0].text for a in articles] == ["First rule.", "Second rule."]


@pytest.mark.parametrize("content, message", [
    ("Article 1 One.\nArticle 2 Two.\nArticle 4 Four.\n", "line 3: found Article 4 but expected Article 3"),
    ("第一条 一。\n第二条 二。\n第二条 又一个二。\n", "line 3: 第二条 appears twice (first at line 2)"),
    ("Article 2 Two.\nArticle 3 Three.\n", "line 1: found Article 2 but expected Article 1"),
    ("Article 1 One.\nArticle 2\n\nArticle 3 Three.\n", "line 2: Article 2 has no text"),
    ("Just some notes about AI.\nNothing numbered here.\n", "no article headings found"),
    ("   \n\n", "is empty"),
])
def test_bad_sources_are_refused_with_the_line(tmp_path, content, message):
    with pytest.raises(SourceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_source(write(tmp_path, content))


def test_binary_and_non_utf8_files_are_refused(tmp_path):
    with pytest.raises(SourceError, match="binary file"):
        parse_source(write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "x.png"))
    with pytest.raises(SourceError, match=r"line 2: is not UTF-8 text \(byte 0xb5 at offset 15\)"):
        parse_source(write(tmp_path, b"Article 1 One.\n" + "第二条 二。".encode("gb18030")))
    with pytest.raises(SourceError, match="cannot be read"):
        parse_source(tmp_path / "missing.txt")


def _parse(tmp_path, content: str, name: str = "reg.md"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return parse_source(path)


def test_trap_lines_never_cut_the_text_short(tmp_path):
    content = ("# 测试条例\n\n第一条 为了测试，制定本条例。\n\n版权所有人享有的权利，依照有关法律规定。\n\n"
               "第二条 著作权人应当登记。\n\nCopyright holders may register.\n\n附件\n\n"
               "第三条 经营者应当依法经营。\n\n第三条 规定的经营者，不包括个人。\n\n"
               "第四条 主管部门负责监督。\n\n第五条 本条例自公布之日起施行。\n")
    parsed = _parse(tmp_path, content)
    articles = parsed.articles["zh"]
    assert [a.number for a in articles] == [1, 2, 3, 4, 5]
    assert text_of(articles[0]).endswith("版权所有人享有的权利，依照有关法律规定。")
    # An English line in a Chinese-only file is still article text (it used to vanish into an English stream
    # that had no articles).
    assert text_of(articles[1]).endswith("Copyright holders may register.\n附件")
    assert text_of(articles[2]).endswith("第三条 规定的经营者，不包括个人。")
    assert [s.kind for s in parsed.set_aside] == ["preamble"] and parsed.set_aside[0].first_line == 1


def test_separators_are_dropped_and_item_spacing_kept(tmp_path):
    content = ("## Article 1\n\nThe first article.\n\n---\n\n## Article 2\n\nThe second article.\n\n***\n")
    parsed = _parse(tmp_path, content)
    assert [text_of(a) for a in parsed.articles["en"]] == ["The first article.", "The second article."]
    zh = _parse(tmp_path, "第一条 经营者应当：\n（一）取得许可；\n（二） 依法纳税。\n", name="items.txt")
    assert text_of(zh.articles["zh"][0]).splitlines()[1:] == ["（一）取得许可；", "（二） 依法纳税。"]


def test_bare_chapter_titles_between_articles_are_chapters(tmp_path):
    content = ("## 第一章 总 则\n\n第一条 为了测试，制定本条例。\n\n第二条 本条例适用于本市。\n\n法律责任\n\n"
               "第三条 违反本条例的，依法处理。\n\n附 则\n\n第四条 本条例自公布之日起施行。\n")
    parsed = _parse(tmp_path, content)
    articles = parsed.articles["zh"]
    assert [(a.chapter.number, a.chapter.title) for a in articles] == [
        (1, "总 则"), (1, "总 则"), (2, "法律责任"), (3, "附 则")]
    assert text_of(articles[1]) == "本条例适用于本市。" and parsed.divisions == {"chapter": 3}


def test_annex_and_footer_after_the_last_article_are_set_aside_with_their_lines(tmp_path):
    content = ("第一条 为了测试，制定本条例。\n\n第二条 本条例自公布之日起施行。\n\n附件\n\n"
               "一、许可目录\n\n二、申请材料\n\n版权所有 © 某出版社\n")
    parsed = _parse(tmp_path, content)
    assert text_of(parsed.articles["zh"][1]) == "本条例自公布之日起施行。"
    assert [(s.kind, s.first_line, s.last_line) for s in parsed.set_aside] == [("appendix", 5, 9), ("footer", 11, 11)]


def test_inserted_articles_and_a_heading_without_its_space(tmp_path):
    content = ("第一条 总则。\n\n第一条之一 插入的条文。\n\n第二条 第二条。\n\n第三 条第三条的文字。\n")
    parsed = _parse(tmp_path, content)
    assert [(a.number, a.suffix) for a in parsed.articles["zh"]] == [(1, 0), (1, 1), (2, 0), (3, 0)]
    english = _parse(tmp_path, "Article 1\nText.\n\nArticle 1a\nInserted.\n\nArticle 1b\nAnother.\n\n"
                               "Article 2\nMore.\n", name="e.txt")
    assert [(a.number, a.suffix) for a in english.articles["en"]] == [(1, 0), (1, 1), (1, 2), (2, 0)]


@pytest.mark.parametrize("content, message", [
    ("第〇条 零。\n第一条 一。\n", "numbered 0; articles are numbered from 第一条"),
    ("Article 1\nFirst.\n\nArticle 2 continues in lower case\n\nArticle 3\nThird.\n",
     "line 4 starts with Article 2 but continues in lower case"),
    ("第一条 一。\n第二条 二。\n第一条 又一个一。\n", r"第一条 appears twice \(first at line 1\)"),
])
def test_misleading_errors_now_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError, match=message):
        parse_source(path)


def test_utf16_and_oversized_and_non_files_are_refused_clearly(tmp_path):
    utf16 = tmp_path / "utf16.txt"
    utf16.write_text("第一条 一。", encoding="utf-16")
    with pytest.raises(SourceError, match=r"is UTF-16 .* save it as UTF-8"):
        parse_source(utf16)
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"Article 1 " + b"x" * 6_000_000)
    with pytest.raises(SourceError, match="over the 5,000,000-byte limit"):
        parse_source(huge)
    with pytest.raises(SourceError, match="is a directory"):
        parse_source(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="not a regular file"):
        parse_source(fifo)  # refused without blocking on the pipe
