"""The extractive composer: what it cites, how it quotes, and how it abstains, in each language."""

from __future__ import annotations

import pytest

from assistant.answering.answer import choose_citations
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.corpus.model import Citation
from assistant.corpus.references import find_citations
from assistant.evaluation.metrics import answer_language
from assistant.question.understand import understand
from assistant.retrieval.calibration import Calibration
from assistant.retrieval.searcher import Hit

CALIBRATION = Calibration(weights={}, abstain=0.5, cite_margin=0.3)


def hits(corpus, *ids_scores):
    return [Hit(article=corpus.get(a), score=s, probability=p) for a, s, p in ids_scores]


class Composer:
    """The extractive composer with the citation decision the assistant makes before it (`choose_citations`)."""

    def __init__(self, corpus):
        self.composer = ExtractiveAnswerer(corpus)

    def answer(self, query, found, *, answerable=1.0):
        return self.composer.answer(query, found, choose_citations(query, found, CALIBRATION, answerable=answerable))


@pytest.fixture()
def answerer(corpus):
    return Composer(corpus)


def test_one_article_quoted_in_chinese_with_its_chapter(corpus, answerer):
    query = understand("上海市人工智能伦理专家委员会有哪些职责？", corpus)
    answer = answerer.answer(query, hits(corpus, ("shanghai-ai-2022:66", 5.0, 0.9), ("shanghai-ai-2022:7", 3.0, 0.4)))
    assert answer.citations == (Citation("shanghai-ai-2022", 66),) and not answer.abstained
    assert answer.text.startswith("根据《上海市促进人工智能产业发展条例》第六十六条，“")  # the lead (test_extractive)
    assert "\n\n《上海市促进人工智能产业发展条例》第六十六条（第五章 产业治理与安全）规定：\n> " in answer.text
    assert "> (六)开展人工智能领域伦理安全教育和宣传" in answer.text  # the lead-in brings its items (spaced as the source)
    assert answer_language(answer.text) == "zh"
    assert find_citations(answer.text, corpus) == list(answer.citations)


def test_chinese_question_on_english_only_article_says_so(corpus, answerer):
    query = understand("深圳对公共决策中的算法有什么要求？", corpus)
    answer = answerer.answer(query, hits(corpus, ("shenzhen-ai-2022:71", 5.0, 0.9)))
    assert "只有英文译本" in answer.text and "> For algorithms in the field of public decision-making" in answer.text
    assert answer_language(answer.text) == "zh"  # the English is quoted, the framing is Chinese


def test_english_answer_uses_english_label(corpus, answerer):
    query = understand("Can I pilot a low-risk AI product in Shenzhen without a national standard?", corpus)
    answer = answerer.answer(query, hits(corpus, ("shenzhen-ai-2022:44", 5.0, 0.9)))
    assert "\n\nShenzhen Regulations, Article 44 (Chapter 4, Application Scenario Expansion) provides:" in answer.text
    assert answer_language(answer.text) == "en"


def test_comparison_is_side_by_side(corpus, answerer):
    query = understand("上海和深圳在设立人工智能伦理委员会方面有什么不同？", corpus)
    answer = answerer.answer(query, hits(corpus, ("shanghai-ai-2022:66", 5.0, 0.9),
                                         ("shanghai-ai-2022:7", 4.5, 0.6), ("shenzhen-ai-2022:65", 4.0, 0.7)))
    assert [c.id for c in answer.citations] == ["shanghai-ai-2022:66", "shenzhen-ai-2022:65"]
    assert answer.text.startswith("两部条例对此分别规定如下：")
    assert "\n\n上海：《上海市促进人工智能产业发展条例》第六十六条" in answer.text
    assert "\n\n深圳：《深圳经济特区人工智能产业促进条例》第六十五条" in answer.text


def test_citation_margin(corpus):
    query = understand("人工智能伦理", corpus)
    close = hits(corpus, ("shanghai-ai-2022:66", 5.0, 0.9), ("shanghai-ai-2022:67", 4.8, 0.8),
                 ("shanghai-ai-2022:7", 3.0, 0.5))
    assert [h.article.number for h in choose_citations(query, close, CALIBRATION)] == [66, 67]
    assert choose_citations(query, close, CALIBRATION, answerable=0.2) == []


@pytest.mark.parametrize("question, start", [
    ("企业所得税税率是多少？", "在已载入的法规中没有找到关于这个问题的规定（已载入：上海、深圳）。"),
    ("What is the corporate income tax rate?", ("Not found in these regulations: none of the loaded regulations "
                                               "(Shanghai; Shenzhen) addresses this question.")),
])
def test_abstention_in_the_question_language_cites_nothing(corpus, answerer, question, start):
    query = understand(question, corpus)
    answer = answerer.answer(query, hits(corpus, ("shanghai-ai-2022:31", 2.0, 0.3)), answerable=0.1)
    assert answer.abstained and answer.citations == () and answer.text.startswith(start)
    assert answer.see_also == (Citation("shanghai-ai-2022", 31),)
    assert find_citations(answer.text, corpus) == []  # the see-also line is not a citation
    assert answer_language(answer.text) == query.language


@pytest.mark.parametrize("question, text", [
    ("上海条例第九十九条规定了什么？", "《上海市促进人工智能产业发展条例》共72条，没有编号为99的条文。"),
    ("What does Article 90 of the Shenzhen regulation say?",
     ("Regulations of Shenzhen Special Economic Zone on Promoting the Artificial Intelligence Industry has 73 "
     "articles; there is no article numbered 90.")),
])
def test_missing_article_is_said_plainly(corpus, answerer, question, text):
    query = understand(question, corpus)
    answer = answerer.answer(query, hits(corpus, ("shanghai-ai-2022:9", 2.0, 0.9)))
    assert answer.abstained and answer.text == text and answer.citations == ()
    assert find_citations(answer.text, corpus) == []


def test_lookup_shows_the_whole_article(corpus, answerer):
    query = understand("深圳条例第七十二条", corpus)
    hit = Hit(article=corpus.get("shenzhen-ai-2022:72"), score=9.0, probability=1.0, lookup=True)
    answer = answerer.answer(query, [hit])
    block = answer.text.split("\n\n")[-1]  # the article's block, under the lead
    assert block.count("\n> ") == len(corpus.get("shenzhen-ai-2022:72").text("en").paragraphs)


def test_json_contract(corpus, answerer):
    query = understand("深圳条例第七十一条", corpus)
    answer = answerer.answer(query, [Hit(article=corpus.get("shenzhen-ai-2022:71"), score=9.0, probability=1.0,
                                         lookup=True)])
    data = answer.to_json()
    assert list(data) == ["answer", "citations", "language", "abstained", "retrieved", "dropped_citations", "mode",
                          "see_also", "note"]
    assert data["citations"] == [{"regulation": "shenzhen-ai-2022", "article": 71}]
    assert data["retrieved"] == [{"regulation": "shenzhen-ai-2022", "article": 71, "score": 1.0}]
    assert data["language"] == "zh" and data["abstained"] is False and data["dropped_citations"] == []
