"""Citations: every common form is recognised, tied to its regulation, and verified against what was retrieved."""

from __future__ import annotations

import pytest

from assistant.answering.citations import verify_citations
from assistant.corpus.model import Citation
from assistant.corpus.references import find_citations

SH, SZ = "shanghai-ai-2022", "shenzhen-ai-2022"


@pytest.mark.parametrize("text, expected", [
    ("See [shanghai-ai-2022:12].", [(SH, 12)]),
    ("根据《上海市促进人工智能产业发展条例》第六十六条，……", [(SH, 66)]),
    ("《深圳经济特区人工智能产业促进条例》第12条规定", [(SZ, 12)]),
    ("Under Article 66 of the Shanghai Regulations, the city …", [(SH, 66)]),
    ("Shanghai Regulations, Article 66 provides:", [(SH, 66)]),
    ("Shenzhen: Art. 44 allows pilots.", [(SZ, 44)]),
    ("Shanghai Articles 12 and 13 cover data.", [(SH, 12), (SH, 13)]),
    ("深圳条例第七十一条和上海条例第十六条都要求解释算法。", [(SZ, 71), (SH, 16)]),
])
def test_forms_and_attribution(corpus, text, expected):
    assert [(c.regulation, c.article) for c in find_citations(text, corpus)] == expected


def test_bare_numbers_need_a_regulation(corpus):
    assert find_citations("Article 12 applies.", corpus) == []
    assert find_citations("Article 12 applies.", corpus, default_regulations=[SZ]) == [Citation(SZ, 12)]


def test_quoted_article_text_and_see_also_are_not_citations(corpus):
    text = ("《上海市促进人工智能产业发展条例》第十条规定：\n> 依照本条例第十一条的规定执行。\n\n"
            "另见（未直接涉及）：上海 · shanghai-ai-2022:66")
    assert find_citations(text, corpus) == [Citation(SH, 10)]


def test_verification_drops_unretrieved_and_nonexistent(corpus):
    text = ("Shanghai funds chips [shanghai-ai-2022:40]. It also runs a lottery [shanghai-ai-2022:99]. "
            "Shenzhen pilots low-risk products [shenzhen-ai-2022:44].")
    cleaned, kept, dropped = verify_citations(text, corpus, retrieved=[f"{SH}:40"])
    assert kept == [Citation(SH, 40)]
    assert {(d.regulation, d.article, d.reason) for d in dropped} == {
        (SH, 99, "does not exist"), (SZ, 44, "not retrieved for this question")}
    # Sentences resting only on dropped citations are removed; the supported one stays intact.
    assert cleaned == "Shanghai funds chips [shanghai-ai-2022:40]."


def test_mixed_sentence_keeps_its_good_citation(corpus):
    cleaned, kept, dropped = verify_citations(
        "上海支持芯片研发（[shanghai-ai-2022:40]、[shanghai-ai-2022:5]）。", corpus, retrieved=[f"{SH}:40"])
    assert kept == [Citation(SH, 40)] and [d.article for d in dropped] == [5]
    assert "shanghai-ai-2022:40" in cleaned and "shanghai-ai-2022:5]" not in cleaned


def test_structured_citations_are_verified_too(corpus):
    _, kept, dropped = verify_citations("", corpus, retrieved=[f"{SZ}:1"],
                                        extra=[Citation(SZ, 1), Citation(SZ, 74), Citation("nowhere-2000", 1)])
    assert kept == [Citation(SZ, 1)]
    assert {(d.article, d.reason) for d in dropped} == {(74, "does not exist"), (1, "does not exist")}


def test_ambiguous_citation_is_dropped(corpus):
    _, kept, dropped = verify_citations("Article 12 says so.", corpus, retrieved=[f"{SH}:12", f"{SZ}:12"])
    assert kept == [] and dropped[0].reason.startswith("ambiguous")


def test_removing_a_citation_keeps_sentences_apart(corpus):
    text = ("Shenzhen Article 44 allows pilots. Also Shenzhen Article 99 says more. "
            "Finally see Shenzhen Article 5 and Shenzhen Article 98 too.")
    cleaned, kept, _ = verify_citations(text, corpus, retrieved=[f"{SZ}:44", f"{SZ}:5"])
    assert cleaned.startswith("Shenzhen Article 44 allows pilots. Finally see Shenzhen Article 5")
    assert [c.article for c in kept] == [44, 5]
