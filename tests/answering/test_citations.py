"""Citations: every common form is recognised, tied to its regulation, and verified against what was retrieved."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answering.citations import verify_citations
from assistant.corpus.model import Citation
from assistant.corpus.references import find_citations, find_mentions

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


HOSTILE = [
    "…[shanghai-ai-2022:66].\nSee also Article 99 of the Shanghai Regulations for more.",
    "[shanghai-ai-2022:66] sets it out.\n> 上海条例第九十九条也有规定。",
    "[shanghai-ai-2022:66] applies, and so does Article\n99 of the Shanghai Regulations.",
    "[shanghai-ai-2022:66] applies; 《上海市促进人工智能产业发展条例》第九十九條也适用。",
    "[shanghai-ai-2022:66] applies, as does Article\u200b99 of the Shanghai Regulations.",
    "[shanghai-ai-2022:66] applies. [shanghai-ai-2022：99] too.",
    "[shanghai-ai-2022:66] applies. [SHANGHAI-AI-2022:99] too.",
    "[shanghai-ai-2022:66] applies. [shanghai-ai-2022:99999] too.",
    "[shanghai-ai-2022:66] applies. [beijing-ai-2023:5] too.",
    "[shanghai-ai-2022:66] applies; 上海条例第九 十九条也适用。",
    "[shanghai-ai-2022:66] applies. Section 99 says more.",
]


@pytest.mark.parametrize("reply", HOSTILE)
def test_a_models_ungrounded_references_never_survive_in_any_form(corpus, reply):
    text, kept, dropped = verify_citations(reply, corpus, retrieved=["shanghai-ai-2022:66"], trust_quotes=False)
    assert kept == [Citation("shanghai-ai-2022", 66)] and dropped
    assert "99" not in text and "beijing" not in text.lower() and "Section" not in text
    # Whatever is left reads as nothing but the grounded citation.
    left = find_mentions(text, corpus, default_regulations=["shanghai-ai-2022"], trust_quotes=False)
    assert {(m.regulation, m.article) for m in left} == {("shanghai-ai-2022", 66)}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "[shanghai-ai-2022:66]", "[shanghai-ai-2022:99]", "Article 99", "第九十九條", "Article\n", "99", "Section 7",
    "[x-y:3]", "Shanghai Regulations", "上海条例", "> ", "See also ", "\u200b", "。", ". ", "\n", "AI ", "第", "条",
    "[shenzhen-ai-2022：71]", "§ 12", "art. 5", "Art 1",
]), max_size=14))
def test_no_ungrounded_reference_comes_out_of_the_verifier(corpus, pieces):
    reply = "".join(pieces)
    retrieved = ["shanghai-ai-2022:66", "shenzhen-ai-2022:71"]
    text, kept, _ = verify_citations(reply, corpus, retrieved=retrieved, trust_quotes=False)
    for mention in find_mentions(text, corpus, default_regulations=["shanghai-ai-2022", "shenzhen-ai-2022"],
                                 trust_quotes=False):
        assert mention.regulation is not None and f"{mention.regulation}:{mention.article}" in retrieved
    assert all(c.id in retrieved for c in kept)
