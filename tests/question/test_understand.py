"""Query understanding: language, regulations and articles named, comparisons, follow-up condensation."""

from __future__ import annotations

import pytest

from assistant.corpus.manifest import RegulationEntry
from assistant.corpus.model import Corpus
from assistant.corpus.sources import build_regulation
from assistant.errors import InputError
from assistant.question.understand import ArticleRef, check_question, understand
from assistant.text.conversation import Turn, parse_history

SHANGHAI, SHENZHEN = "shanghai-ai-2022", "shenzhen-ai-2022"


@pytest.mark.parametrize("question, language", [
    ("深圳条例第七十一条规定了什么？", "zh"), ("What does Article 66 say?", "en"),
    ("AI 伦理委员会是什么", "zh"), ("What is 以人为本 in the Shenzhen rules?", "en"),
])
def test_language(corpus, question, language):
    assert understand(question, corpus).language == language


@pytest.mark.parametrize("question, regulations", [
    ("上海对算法有什么规定？", (SHANGHAI,)), ("What does Shanghai say about chips?", (SHANGHAI,)),
    ("浦东新区有什么特殊政策？", (SHANGHAI,)), ("Does Pudong get pilot programmes?", (SHANGHAI,)),
    ("深圳的伦理委员会", (SHENZHEN,)), ("What about Qianhai?", (SHENZHEN,)), ("前海有什么支持？", (SHENZHEN,)),
    ("人工智能伦理委员会有哪些职责？", ()),
])
def test_regulations_named(corpus, question, regulations):
    assert understand(question, corpus).regulations == regulations


def test_explicit_filter_wins(corpus):
    query = understand("上海对算法有什么规定？", corpus, regulation=SHENZHEN)
    assert query.regulations == (SHENZHEN,)
    with pytest.raises(InputError, match="unknown regulation 'beijing'"):
        understand("算法", corpus, regulation="beijing")


@pytest.mark.parametrize("question, refs", [
    ("Article 66 of the Shanghai regulation", (ArticleRef(SHANGHAI, 66),)),
    ("深圳条例第七十一条规定了什么？", (ArticleRef(SHENZHEN, 71),)),
    ("上海条例第12条", (ArticleRef(SHANGHAI, 12),)),
    ("Art. 44", (ArticleRef(None, 44),)),
    ("Art 27 Shenzhen - what does it cover?", (ArticleRef(SHENZHEN, 27),)),
    ("Shenzhen rules, article ten?", (ArticleRef(SHENZHEN, 10),)),
    ("第十条和第十一条", (ArticleRef(None, 10), ArticleRef(None, 11))),
])
def test_article_numbers_go_to_lookup(corpus, question, refs):
    assert understand(question, corpus).article_refs == refs


@pytest.mark.parametrize("question", ["上海和深圳在伦理委员会方面有什么不同？",
                                      "How do Shanghai and Shenzhen differ on AI ethics?",
                                      "两地条例对人工智能的定义有什么差别？",
                                      "Compare the two regulations on insurance."])
def test_comparisons_search_every_regulation(corpus, question):
    query = understand(question, corpus)
    assert query.comparison and set(query.regulations) in (set(), {SHANGHAI, SHENZHEN})


def test_follow_up_switching_regulation_is_condensed(corpus):
    history = [Turn("user", "上海对人工智能伦理委员会有什么规定？"),
               Turn("assistant", "根据《上海市促进人工智能产业发展条例》第六十六条，上海设立人工智能伦理专家委员会。")]
    query = understand("那深圳呢？", corpus, history=history)
    assert query.followup and query.regulations == (SHENZHEN,)
    assert query.standalone.startswith("深圳对人工智能伦理委员会有什么规定？")


def test_english_follow_up_keeps_topic_and_regulation(corpus):
    history = [Turn("user", "Which department supervises the AI industry in Shenzhen?"),
               Turn("assistant", "Under Article 6 of the Shenzhen Regulations, the Municipal Bureau of Industry …")]
    query = understand("What are the exceptions?", corpus, history=history)
    assert query.followup and query.regulations == (SHENZHEN,)
    assert "supervises the AI industry in Shenzhen" in query.standalone
    assert query.context_articles == (f"{SHENZHEN}:6",)
    assert understand("What about Shanghai?", corpus, history=history).standalone.startswith(
        "Which department supervises the AI industry in Shanghai?")


def test_self_contained_question_is_not_a_follow_up(corpus):
    history = [Turn("user", "What does Shanghai say about drones?"), Turn("assistant", "…")]
    query = understand("How does the Shenzhen regulation define artificial intelligence?", corpus, history=history)
    assert not query.followup and query.standalone == query.question


def test_other_jurisdictions_are_noticed(corpus):
    assert understand("香港对人工智能是怎么监管的？", corpus).other_jurisdictions == ("香港",)
    assert understand("What does the EU AI Act require?", corpus).other_jurisdictions == ("EU",)
    assert understand("深圳和香港的合作区", corpus).regulations == (SHENZHEN,)


def test_a_place_a_loaded_regulation_keeps_naming_is_not_another_jurisdiction(corpus, tmp_path):
    # An EU law titled without "EU": its articles name the Union, so 欧盟 / EU questions are about it.
    body = "\n\n".join(f"Article {n}\nMember States of the European Union shall apply Union rules {n}."
                       for n in range(1, 7))
    (tmp_path / "eu.md").write_text(f"# Data Rules\n\n{body}\n", encoding="utf-8")
    entry = RegulationEntry(id="eu-data", title={"en": "Data Rules"}, source=[{"file": "eu.md", "languages": ["en"]}])
    loaded = Corpus(regulations=(*corpus.regulations, build_regulation(entry, tmp_path)))
    for question in ("What does the EU say about cookies?", "欧盟对cookie怎么规定？", "In Europe, who enforces this?"):
        assert understand(question, loaded).other_jurisdictions == ()
    assert understand("香港对数据是怎么监管的？", loaded).other_jurisdictions == ("香港",)
    assert understand("欧盟对cookie怎么规定？", corpus).other_jurisdictions == ("欧盟",)  # without it: another's rules


def test_a_rare_mention_does_not_cover_a_place(corpus, tmp_path):
    # One 香港 clause in a short regulation, a trade union in every article, a province beside another: none
    # makes 香港, the EU or the other province this regulation's own.
    lines = [f"第{n}条 工会会员 Trade Union 事项{n}。" for n in "一二三四五六七八"] + ["第九条 与香港、广东省河北的合作。"]
    (tmp_path / "rules.md").write_text("# 某办法\n\n" + "\n\n".join(lines) + "\n", encoding="utf-8")
    entry = RegulationEntry(id="some-rules", title={"zh": "某办法"}, source=[{"file": "rules.md", "languages": ["zh"]}])
    loaded = Corpus(regulations=(*corpus.regulations, build_regulation(entry, tmp_path)))
    assert understand("香港对数据是怎么监管的？", loaded).other_jurisdictions == ("香港",)
    assert understand("What does the EU say about unions?", loaded).other_jurisdictions == ("EU",)
    assert understand("河北和山西有什么不同？", loaded).other_jurisdictions == ("河北", "山西")


@pytest.mark.parametrize("question, message", [("", "the question is empty"), ("   ", "the question is empty"),
                                               ("x" * 2001, "2001 characters long")])
def test_bad_questions(question, message):
    with pytest.raises(InputError, match=message):
        check_question(question)


@pytest.mark.parametrize("history, message", [
    ({"role": "user"}, "history must be a JSON list"),
    ([{"role": "system", "content": "x"}], "history item 0 must look like"),
    ([{"role": "user", "content": 3}], "history item 0"),
])
def test_bad_history(history, message):
    with pytest.raises(InputError, match=message):
        parse_history(history)


@pytest.mark.parametrize("question, refs", [
    ("上海条例 68", [("shanghai-ai-2022", 68, 0)]),
    ("shanghai art. 66", [("shanghai-ai-2022", 66, 0)]),
    ("ART. 66 of the Shenzhen rules", [("shenzhen-ai-2022", 66, 0)]),
    ("§ 53 Shenzhen", [("shenzhen-ai-2022", 53, 0)]),
    ("深圳条例第一条到第三条", [("shenzhen-ai-2022", n, 0) for n in (1, 2, 3)]),
    ("What does the last article of the Shenzhen regulation say?", [("shenzhen-ai-2022", 73, 0)]),
    ("Show me the first article of the Shanghai regulations.", [("shanghai-ai-2022", 1, 0)]),
    ("Shanghai Article 14a", [("shanghai-ai-2022", 14, 1)]),
    ("上海条例第十四条之一", [("shanghai-ai-2022", 14, 1)]),
    ("Shanghai 2022 regulation", []),
])
def test_lookups_in_the_forms_people_type(corpus, question, refs):
    query = understand(question, corpus)
    assert [(r.regulation, r.number, r.suffix) for r in query.article_refs] == refs


@pytest.mark.parametrize("question, regulation", [
    ("what does shangai say about ethics?", "shanghai-ai-2022"),
    ("shenzen pilot rules", "shenzhen-ai-2022"),
    ("深圳人工智能产业促进条例讲了什么", "shenzhen-ai-2022"),  # derived: without 经济特区
])
def test_regulations_are_recognised_by_derived_names_and_with_one_slip(corpus, question, regulation):
    assert understand(question, corpus).regulations == (regulation,)


@pytest.mark.parametrize("question", ["hi", "hello", "????", "你好", "...", "\u200b\u200b?"])
def test_content_free_input_has_nothing_to_answer(corpus, question):
    try:
        query = understand(question, corpus)
    except InputError:
        return  # blank once invisible characters are gone: refused with a message, also fine
    assert not query.has_content


def test_a_law_that_is_not_loaded_is_noticed(corpus):
    assert understand("What does the Copyright Law say about AI art?", corpus).other_instruments == ("Copyright Law",)
