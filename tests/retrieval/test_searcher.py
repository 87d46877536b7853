"""Retrieval: LangChain's standard retriever tests, documents per article, and each query kind on the real corpus."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.question.understand import understand
from assistant.retrieval.langchain import LegalRetriever
from assistant.text.conversation import Turn

SH, SZ = "shanghai-ai-2022", "shenzhen-ai-2022"


@pytest.fixture(scope="module")
def searcher(hash_assistant):
    return hash_assistant.searcher


class TestLegalRetrieverStandard(RetrieversIntegrationTests):
    """langchain-tests' RetrieversIntegrationTests: k as field and as invoke argument, sync and async."""

    @pytest.fixture(autouse=True)
    def _searcher(self, searcher):
        type(self)._shared = searcher

    @property
    def retriever_constructor(self) -> type[LegalRetriever]:
        return LegalRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"searcher": type(self)._shared}

    @property
    def retriever_query_example(self) -> str:
        return "人工智能伦理委员会"


def test_one_document_per_article_with_metadata(searcher):
    documents = LegalRetriever(searcher=searcher, k=5).invoke("深圳条例第七十一条")
    assert len(documents) == 5 and len({d.metadata["article_id"] for d in documents}) == 5
    first = documents[0]
    assert isinstance(first, Document) and first.id == f"{SZ}:71"
    assert first.metadata == {"regulation": SZ, "article": 71, "article_id": f"{SZ}:71",
                              "chapter": "Chapter 6 Governance Principles and Measures",
                              "title": "Regulations of Shenzhen Special Economic Zone on Promoting the Artificial "
                                       "Intelligence Industry", "score": 1.0, "languages": ["en"], "language": "en"}
    assert first.page_content.startswith("For algorithms in the field of public decision-making")


def test_query_language_picks_the_text(searcher):
    zh = LegalRetriever(searcher=searcher, k=1).invoke("上海条例第六十六条")[0]
    en = LegalRetriever(searcher=searcher, k=1).invoke("Article 66 of the Shanghai regulation")[0]
    assert zh.page_content.startswith("本市设立人工智能伦理专家委员会") and zh.metadata["chapter"] == "第五章 产业治理与安全"
    assert en.page_content.startswith("The Municipality shall establish an Expert Committee on AI Ethics")


def test_regulation_filter_and_k_as_invoke_arguments(searcher):
    retriever = LegalRetriever(searcher=searcher, k=4)
    documents = retriever.invoke("algorithm", k=7, regulation=SH)
    assert len(documents) == 7 and {d.metadata["regulation"] for d in documents} == {SH}
    assert {d.metadata["regulation"] for d in LegalRetriever(searcher=searcher, regulation=SZ).invoke("算法")} == {SZ}


def test_retriever_in_a_langchain_chain(searcher):
    from langchain_core.runnables import RunnableLambda

    chain = LegalRetriever(searcher=searcher, k=2) | RunnableLambda(
        lambda docs: [d.metadata["article_id"] for d in docs])
    assert chain.invoke("Shenzhen Article 44")[0] == f"{SZ}:44"


def top_ids(assistant, question, history=(), k=5):
    query = understand(question, assistant.corpus, history=list(history))
    return [h.article.id for h in assistant.searcher.search(query, k=k)]


@pytest.mark.slow
@pytest.mark.parametrize("question, expected", [
    ("深圳条例第七十一条规定了什么？", f"{SZ}:71"),
    ("What does Article 66 of the Shanghai regulation say?", f"{SH}:66"),
    ("Shenzhen rules, article sixty-nine?", f"{SZ}:69"),
])
def test_lookup(e5_assistant, question, expected):
    assert top_ids(e5_assistant, question)[0] == expected


@pytest.mark.slow
@pytest.mark.parametrize("question, expected", [
    ("深圳对用于公共决策的算法有什么解释要求？", f"{SZ}:71"),  # Chinese question, English-only article
    ("深圳的人工智能伦理委员会负责什么？", f"{SZ}:65"),
    ("Which Shanghai rule covers smart courts and judicial AI?", f"{SH}:63"),  # English question, Chinese original
])
def test_cross_lingual(e5_assistant, question, expected):
    assert expected in top_ids(e5_assistant, question, k=3)


@pytest.mark.slow
def test_comparison_alternates_regulations(e5_assistant):
    ids = top_ids(e5_assistant, "上海和深圳在人工智能伦理委员会方面的规定有什么不同？", k=4)
    assert f"{SH}:66" in ids[:2] and f"{SZ}:65" in ids[:4]
    assert {ids[0].split(":")[0], ids[1].split(":")[0]} == {SH, SZ}


@pytest.mark.slow
def test_follow_up_uses_the_conversation(e5_assistant):
    history = [Turn("user", "Can I pilot a low-risk AI product in Shenzhen without a national standard?"),
               Turn("assistant", "Yes: under Article 44 of the Shenzhen Regulations, low-risk products may run "
                                 "pilot trials.")]
    assert top_ids(e5_assistant, "What about Shanghai?", history, k=5)[0].startswith(SH)


@pytest.mark.slow
@pytest.mark.parametrize("question", ["明天上海会下雨吗？", "What is a good recipe for xiaolongbao?",
                                      "How does the EU AI Act classify high-risk systems?"])
def test_abstains_when_the_regulations_do_not_address_it(e5_assistant, question):
    answer = e5_assistant.ask(question)
    assert answer.abstained and answer.citations == ()


class ReversingReranker:
    """A deterministic stand-in: prefers whatever the ranker liked least among the top candidates."""

    def __init__(self):
        self.calls = []

    def score(self, question, passages):
        self.calls.append((question, len(passages)))
        return [float(i) for i in range(len(passages))]


def test_reranker_reorders_the_top_candidates(hash_assistant):
    from assistant.retrieval.reranking import RERANK_DEPTH
    from assistant.retrieval.searcher import Searcher

    plain = hash_assistant.searcher
    reranker = ReversingReranker()
    reranked = Searcher(plain.corpus, plain.index, plain.embedder, calibration=plain.calibration, reranker=reranker)
    query = understand("人工智能伦理委员会的职责", plain.corpus)
    before = [h.article.id for h in plain.search(query, k=RERANK_DEPTH)]
    after = [h.article.id for h in reranked.search(query, k=RERANK_DEPTH)]
    assert after == before[::-1] and reranker.calls == [(query.standalone, RERANK_DEPTH)]
    lookup = understand("深圳条例第七十一条", plain.corpus)
    assert reranked.search(lookup, k=3)[0].article.id == f"{SZ}:71"  # named articles stay first


@pytest.mark.slow
def test_cross_encoder_backend_loads_a_local_model(tmp_path):
    pytest.importorskip("sentence_transformers", reason="needs the st extra (torch==2.13.0 + lawqa[st])")
    from assistant.errors import ModelError
    from assistant.index.embedding import minilm_model_dir
    from assistant.retrieval.reranking import CrossEncoderReranker

    # The bundled MiniLM is a bi-encoder, so its scoring head starts untrained: this proves the plumbing only.
    scores = CrossEncoderReranker(minilm_model_dir()).score("what is AI?", ["AI is intelligence", "rain"])
    assert len(scores) == 2 and all(isinstance(s, float) for s in scores)
    with pytest.raises(ModelError, match="could not load the reranker"):
        CrossEncoderReranker(str(tmp_path / "missing"))


def test_a_comparison_leads_with_counterpart_articles(hash_assistant):
    searcher = hash_assistant.searcher
    order = [f"{SH}:1", f"{SZ}:50", f"{SH}:66", f"{SZ}:65", f"{SH}:40", f"{SZ}:40"]
    probability = {a: 0.6 for a in order[:2]} | {a: 0.5 for a in order[2:4]} | {a: 0.3 for a in order[4:]}
    # Both set up an ethics committee: alike enough to beat a slightly likelier pair about different things.
    led = searcher._counterparts_first(order, probability, [SH, SZ])
    assert led[:2] == [f"{SH}:66", f"{SZ}:65"] and sorted(led) == sorted(order)
    assert searcher._counterparts_first(order, probability, [SH]) == order


def test_the_paragraph_path_finds_one_item_of_a_long_article(searcher):
    item = searcher.corpus.article(SH, 65).text("en").paragraphs[1].text
    _, lists = searcher.paths(item, [SH, SZ])
    assert next(iter(lists["paragraph"])) == f"{SH}:65"
    features = searcher.candidates(understand(item, searcher.corpus))[f"{SH}:65"]
    assert features["paragraph_rr"] == 1.0 and features["paragraph_gap"] == 0.0


def test_a_comparison_is_judged_answerable_side_by_side(hash_assistant):
    """Each compared regulation's evidence is its own best article and margin, averaged: not one list in which
    two relevant articles split the best probability and the alternating order makes the margin negative."""
    searcher = hash_assistant.searcher
    query = understand("上海和深圳的人工智能伦理委员会职责有什么不同？", searcher.corpus)
    hits = searcher.search(query)
    assert query.comparison and {h.article.regulation for h in hits} == {SH, SZ}
    sides = [searcher.answerability(query, [h for h in hits if h.article.regulation == r]) for r in (SH, SZ)]
    evidence = searcher.answerability(query, hits)
    assert evidence["margin"] == pytest.approx((sides[0]["margin"] + sides[1]["margin"]) / 2)
    assert evidence["top_probability"] == pytest.approx((sides[0]["top_probability"] + sides[1]["top_probability"]) / 2)
