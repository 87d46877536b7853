"""The extractive answer's shape: a lead sentence from a cited article, quotes with their omissions marked, the
paragraph a "preceding paragraph" points at, and comparison tables — on the real bundled articles."""

from __future__ import annotations

import re

import pytest

from assistant.answering.answer import choose_citations
from assistant.answering.citations import verify_citations
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.lead import grounded, lead_pieces
from assistant.corpus.evalset import load_cases
from assistant.corpus.model import Citation
from assistant.corpus.references import find_citations
from assistant.evaluation.metrics import answer_language
from assistant.question.understand import understand
from assistant.resources import bundled_path
from assistant.retrieval.calibration import Calibration
from assistant.retrieval.searcher import Hit

CALIBRATION = Calibration(weights={}, abstain=0.5, cite_margin=0.3)
SH, SZ = "shanghai-ai-2022", "shenzhen-ai-2022"


@pytest.fixture(scope="module")
def composer(corpus):
    return ExtractiveAnswerer(corpus)


def ask(corpus, composer, question, *ids, lookup=False, history=()):
    """Answer `question` from these articles as the assistant does: choose, compose, verify."""
    query = understand(question, corpus, history=history)
    hits = [Hit(article=corpus.get(a), score=5.0 - i, probability=0.9, lookup=lookup) for i, a in enumerate(ids)]
    answer = composer.answer(query, hits, choose_citations(query, hits, CALIBRATION) or hits)
    text, kept, dropped = verify_citations(answer.text, corpus, retrieved=list(ids), extra=answer.citations)
    assert text == answer.text and not dropped  # verification accepts every sentence, the lead included
    assert set(kept) == set(answer.citations)
    assert answer_language(answer.text) == query.language
    assert grounded(answer.text, answer.cited_articles)
    return answer


def block_of(answer, article_label):
    """The quoted lines of one article's block (without the "> ")."""
    block = next(b for b in answer.text.split("\n\n") if b.split("\n")[0].startswith(article_label) or
                 b.split("\n")[0].split("：", 1)[-1].startswith(article_label))
    return [line[2:] for line in block.split("\n")[1:]]


def test_shenzhen_65_quotes_intro_item_4_and_last_paragraph_with_elisions(corpus, composer):
    answer = ask(corpus, composer, "Who does the daily work of Shenzhen's AI ethics committee, and does it publish "
                                   "guidelines for ethical practices?", f"{SZ}:65")
    paragraphs = [p.render() for p in corpus.get(f"{SZ}:65").text("en").paragraphs]
    assert block_of(answer, "Shenzhen Regulations, Article 65") == [paragraphs[0], "…", paragraphs[4], "…",
                                                                   paragraphs[-1]]


@pytest.mark.parametrize("question", ["上海的人工智能伦理专家委员会会评估医疗人工智能应用的风险吗？",
                                      "Does Shanghai's AI ethics committee assess the risks of AI used in health care?"])
def test_medical_ethics_question_quotes_item_4_of_shanghai_66(corpus, composer, question):
    answer = ask(corpus, composer, question, f"{SH}:66")
    lead = answer.text.split("\n\n")[0]
    zh = answer.language == "zh"
    item_4, item_1 = ("(四)", "(一)") if zh else ("(4)", "(1)")
    assert item_4 in lead and item_1 not in lead
    lines = block_of(answer, "《上海市促进人工智能产业发展条例》第六十六条" if zh else "Shanghai Regulations, Article 66")
    mark = "……" if zh else "…"
    assert [line[:3] for line in lines[1:]] == [mark[:3], item_4, mark[:3]]


def test_a_preceding_paragraph_comes_with_the_paragraph_referring_to_it(corpus, composer):
    answer = ask(corpus, composer, "What happens to those who violate the prohibitions in the Shenzhen regulation?",
                 f"{SZ}:72")
    paragraphs = [p.render() for p in corpus.get(f"{SZ}:72").text("en").paragraphs]
    assert paragraphs[-1].startswith("Those who violate the provisions in the preceding paragraph")
    lines = block_of(answer, "Shenzhen Regulations, Article 72")
    assert lines[-1] == paragraphs[-1]  # the paragraph that answers…
    assert paragraphs[1] in lines and all(p in lines for p in paragraphs[2:9])  # …and the one it refers to, items too
    assert lines[0] == "…"  # the first paragraph is left out, and says so
    assert answer.text.startswith("Under Article 72 of the Shenzhen Regulations, “Those who violate")


def test_chinese_lead_says_yes_only_from_a_permission_in_the_text(corpus, composer):
    answer = ask(corpus, composer, "我们公司是做自动驾驶的，想在上海的高速公路上跑路测，这个允许吗？", f"{SH}:43")
    assert answer.text.startswith("可以：根据《上海市促进人工智能产业发展条例》第四十三条，“本市支持相关主体根据有关规定")
    neutral = ask(corpus, composer, "上海的人工智能伦理专家委员会会评估医疗人工智能应用的风险吗？", f"{SH}:66")
    assert neutral.text.startswith("根据《上海市促进人工智能产业发展条例》第六十六条，“")  # "评估" grants nothing


def test_english_leads_yes_no_and_neutral(corpus, composer):
    pilot = ask(corpus, composer, "Can I pilot a low-risk AI product in Shenzhen without a national standard?",
                f"{SZ}:44")
    # "shall be allowed", but "Except for areas involving national security…": a hedged yes.
    assert pilot.text.startswith("Yes, with conditions or exceptions — under Article 44 of the Shenzhen Regulations, "
                                 "“Except for areas involving national security")
    harm = ask(corpus, composer, "Are AI products allowed to harm people's mental health in Shenzhen?", f"{SZ}:72")
    assert harm.text.startswith("No — under Article 72 of the Shenzhen Regulations, “When carrying out AI research")
    assert "(3) Providing products and services that endanger physical and mental health" in harm.text.split("\n")[0]
    who = ask(corpus, composer, "Which Shanghai department handles metrology and product quality supervision for AI?",
              f"{SH}:6")
    assert who.text.startswith("Under Article 6 of the Shanghai Regulations, “The municipal market regulation "
                               "department is responsible for metrology")


def test_chinese_question_on_an_english_only_article_keeps_the_lead_chinese(corpus, composer):
    answer = ask(corpus, composer, "深圳违反人工智能伦理禁止性规定的，依据什么追责？", f"{SZ}:72")
    lead = answer.text.split("\n\n")[0]
    assert lead.startswith("根据《深圳经济特区人工智能产业促进条例》第七十二条（只有英文译本），最相关的一句是：\n> Those who violate")
    assert answer_language(lead) == "zh"


ZH_HEAD = ("> | 方面 | 上海（《上海市促进人工智能产业发展条例》第六十六条） | "
           "深圳（《深圳经济特区人工智能产业促进条例》第六十五条） |")
EN_HEAD = "> | Aspect | Shanghai (Shanghai Regulations, Article 66) | Shenzhen (Shenzhen Regulations, Article 65) |"


@pytest.mark.parametrize("question, head, row", [
    ("上海和深圳在设立人工智能伦理委员会方面有什么不同？", ZH_HEAD, "> | 规定 | 本市设立人工智能伦理专家委员会"),
    ("How do Shanghai and Shenzhen differ on the AI ethics committee?", EN_HEAD,
     "> | What it provides | The Municipality shall establish an Expert Committee on AI Ethics"),
])
def test_comparison_is_a_table_with_a_line_on_what_differs(corpus, composer, question, head, row):
    answer = ask(corpus, composer, question, f"{SH}:66", f"{SZ}:65")
    parts = answer.text.split("\n\n")
    table = parts[1].split("\n")
    assert table[0] == head and table[1] == "> |---|---|---|"
    assert any(line.startswith(row) for line in table)
    cells = [re.split(r"(?<!\\)\|", line.removeprefix("> "))[1:-1] for line in table[2:]]
    assert all(len(row) == 3 for row in cells)  # one column per regulation beside the aspect
    assert re.search(r"〔第六十六条[^〕]*〕|〔Art\. 66[^〕]*〕", parts[1]) and re.search(r"〔第六十五条[^〕]*〕|〔Art\. 65[^〕]*〕",
                                                                                   parts[1])
    differs = parts[2]
    assert differs.startswith(("区别（上海第六十六条、深圳第六十五条）：",
                               "What differs between Shanghai Article 66 and Shenzhen Article 65: "))
    assert find_citations(differs, corpus)[:2] == [Citation(SH, 66), Citation(SZ, 65)]
    assert answer.citations == (Citation(SH, 66), Citation(SZ, 65))


def test_comparison_names_a_provision_only_one_side_has(corpus, composer):
    answer = ask(corpus, composer, "How do Shanghai and Shenzhen differ on the AI ethics committee?", f"{SH}:66",
                 f"{SZ}:65")
    also = next(line for line in answer.text.split("\n") if line.startswith("> | Also provides |"))
    assert "| — |" in also and "The daily work of the municipal AI ethics committee" in also
    assert "Shenzhen Article 65 has a further relevant provision" in answer.text


def test_comparison_of_dates_reads_a_translation_when_the_shown_text_lost_them(corpus, composer):
    answer = ask(corpus, composer, "上海和深圳这两部人工智能条例分别是哪天开始施行的？", f"{SH}:72", f"{SZ}:73")
    assert "数字或日期不同" in answer.text  # 2022-10-01 (from Shanghai's English) against 2022-11-01


def test_grounding_check_refuses_words_no_cited_article_has(corpus):
    article = corpus.get(f"{SH}:43")
    honest = "根据《上海市促进人工智能产业发展条例》第四十三条，“本市支持相关主体根据有关规定……开展智能网联汽车测试。”"
    invented = "可以：根据《上海市促进人工智能产业发展条例》第四十三条，“本市免费提供测试道路。”"
    assert lead_pieces(honest) == ["本市支持相关主体根据有关规定", "开展智能网联汽车测试。"]
    assert grounded(honest, [article]) and not grounded(invented, [article])
    assert not grounded("根据《上海市促进人工智能产业发展条例》第四十三条的规定。", [article])  # restates nothing


def _answered_cases(step: int):
    cases = [c for c in load_cases(bundled_path("eval", "cases.jsonl")) if c.answerable]
    return cases[::step]


def _check_leads(corpus, composer, cases):
    for case in cases:
        query = understand(case.question, corpus, history=case.history)
        ids = sorted(case.expected_ids)
        hits = [Hit(article=corpus.get(a), score=5.0, probability=0.9, lookup=bool(query.article_refs)) for a in ids]
        answer = composer.answer(query, hits, choose_citations(query, hits, CALIBRATION) or hits)
        text, _, dropped = verify_citations(answer.text, corpus, retrieved=ids, extra=answer.citations)
        assert (text, dropped) == (answer.text, []), case.id
        assert grounded(answer.text, answer.cited_articles), case.id
        opening = answer.text.split("\n\n")[0 if not answer.text.startswith(("两部", "The regulations")) else 2]
        cited = set(answer.citations)
        assert set(find_citations(opening, corpus, default_regulations=[c.regulation for c in cited])) & cited, case.id
        assert answer_language(answer.text) == case.lang, case.id


def test_every_fourth_answered_eval_case_leads_with_a_cited_articles_words(corpus, composer):
    """Retrieval faked by the expected articles: the lead restates only cited text, names a cited article, passes
    verification whole and stays in the question's language."""
    _check_leads(corpus, composer, _answered_cases(4))


@pytest.mark.slow
def test_every_answered_eval_case_leads_with_a_cited_articles_words(corpus, composer):
    _check_leads(corpus, composer, _answered_cases(1))
