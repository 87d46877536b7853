"""Precedents: which labelled questions serve, how they are condensed, searched, stored and reused."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.corpus.evalset import load_cases
from assistant.corpus.model import Corpus
from assistant.index.build import build_index
from assistant.index.embedding import HashEmbedder
from assistant.index.precedents import (
    Neighbours,
    Precedent,
    PrecedentTable,
    default_precedents_path,
    load_precedents,
)
from assistant.index.search_index import open_index
from assistant.question.understand import understand
from assistant.retrieval.searcher import Searcher
from assistant.text.conversation import Turn


def test_only_dev_cases_serve_and_follow_ups_are_condensed(corpus):
    cases = load_cases(default_precedents_path(), corpus=corpus)
    dev = [c for c in cases if c.split == "dev"]
    precedents = load_precedents(corpus)
    assert len(precedents) == len(dev)
    questions = {p.question for p in precedents}
    assert not any(c.question in questions for c in cases if c.split == "test" and not c.history)
    condensed = {c.id: understand(c.question, corpus, history=[Turn(role=m.role, content=m.content)
                                                                for m in c.history]).standalone
                 for c in dev if c.history}
    changed = [c for c in dev if c.id in condensed and condensed[c.id] != c.question]
    assert changed, "the dev split has follow-ups that need their history"
    # Stored as the standalone question a live follow-up becomes, not in its own few words.
    assert all(condensed[c.id] in questions for c in changed)
    unanswerable = [p for p in precedents if not p.articles]
    assert len(unanswerable) == sum(not c.answerable for c in dev) > 0
    assert all(corpus.get(a) is not None for p in precedents for a in p.articles)


def test_another_corpus_keeps_its_own_articles_and_the_no_answer_judgements(corpus):
    # "Not addressed" precedents stay whatever is loaded (the answerability model weighs them against the
    # loaded regulations' own evidence), so adding a regulation does not switch abstention off.
    shenzhen_only = Corpus(regulations=(corpus.regulation("shenzhen-ai-2022"),))
    precedents = load_precedents(shenzhen_only)
    assert all(a.startswith("shenzhen-ai-2022:") for p in precedents for a in p.articles)
    assert {p.key for p in precedents if not p.articles} == {p.key for p in load_precedents(corpus) if not p.articles}


def _table() -> PrecedentTable:
    embedder = HashEmbedder()
    precedents = [Precedent("ethics committee duties", ("shanghai-ai-2022:66",), "k-duties"),
                  Precedent("ethics committee members", ("shenzhen-ai-2022:66", "shanghai-ai-2022:66"), "k-members"),
                  Precedent("income tax rate", (), "k-tax")]
    return PrecedentTable(precedents, embedder.embed_queries([p.question for p in precedents]))


def test_neighbours_skip_the_question_itself_and_respect_scope():
    table, embedder = _table(), HashEmbedder()
    question = "ethics committee duties"
    near = table.neighbours("k-duties", embedder.embed_query(question), scope={"shanghai-ai-2022"})
    # The identical precedent is skipped; the second one still points at Shanghai 66 but not (out of scope) Shenzhen.
    assert set(near.articles) == {"shanghai-ai-2022:66"}
    assert near.articles["shanghai-ai-2022:66"] < 0.99
    assert near.unanswerable is not None and near.unanswerable < near.answerable
    tax = table.neighbours("tax rate", embedder.embed_query("tax rate"), scope={"shanghai-ai-2022"})
    assert tax.unanswerable > tax.answerable


def test_table_round_trip(tmp_path):
    table = _table()
    table.save(tmp_path)
    again = PrecedentTable.load(tmp_path)
    assert again.precedents == table.precedents
    np.testing.assert_array_equal(again.vectors, table.vectors)
    assert json.loads((tmp_path / "precedents.json").read_text(encoding="utf-8"))[2]["articles"] == []
    assert len(PrecedentTable.load(tmp_path / "missing")) == 0


class QueryCounter(HashEmbedder):
    """Counts questions embedded in batches (precedents), apart from passages."""

    def __init__(self):
        super().__init__()
        self.queries = 0

    def embed_queries(self, texts):
        self.queries += len(texts)
        return super().embed_queries(texts)


def test_build_embeds_precedents_once_and_reuses_them(tmp_path, corpus):
    embedder = QueryCounter()
    build_index(corpus, embedder, data_dir=tmp_path)
    distinct = len({p.question for p in load_precedents(corpus)})
    assert embedder.queries == distinct
    build_index(corpus, embedder, data_dir=tmp_path, rebuild=False)  # up to date: nothing embedded
    assert embedder.queries == distinct
    index = open_index(tmp_path, embedder)
    assert len(index.precedents) == len(load_precedents(corpus))


def test_a_question_worded_like_a_precedent_is_near_it_as_answerability_evidence(hash_data_dir, corpus,
                                                                                  hash_embedder):
    # Precedents are answerability evidence (not ranking evidence: that did not carry over to other corpora).
    index = open_index(hash_data_dir, hash_embedder)
    searcher = Searcher(corpus, index, hash_embedder)
    precedent = next(p for p in index.precedents.precedents if len(p.articles) == 1)
    reworded = understand(precedent.question + "？", corpus)  # not identical, so it may serve
    (article,) = precedent.articles
    assert searcher.neighbours(reworded).articles[article] > 0.9
    evidence = searcher.answerability(reworded, searcher.search(reworded))
    assert {"precedent_unanswerable", "precedent_top"} <= set(evidence)
    assert all(not name.startswith("precedent") for name in searcher.candidates(reworded)[article])


def test_precedents_are_no_evidence_where_none_cites_the_scope(hash_data_dir, corpus, hash_embedder, monkeypatch):
    # A question about a regulation the precedents never cite (one a user added): near an unanswerable precedent
    # or not, the difference would measure the scope, not the question, so the evidence is neutral.
    searcher = Searcher(corpus, open_index(hash_data_dir, hash_embedder), hash_embedder)
    query = understand("What does the regulation say about robots?", corpus)
    monkeypatch.setattr(searcher, "neighbours", lambda _: Neighbours({}, -1.0, 0.9))
    evidence = searcher.answerability(query, searcher.search(query))
    assert (evidence["precedent_unanswerable"], evidence["precedents_apply"]) == (-1.0, 0.0)
    monkeypatch.setattr(searcher, "neighbours", lambda _: Neighbours({"shanghai-ai-2022:1": 0.8}, 0.8, 0.9))
    evidence = searcher.answerability(query, searcher.search(query))
    assert evidence["precedent_unanswerable"] == pytest.approx(1.0) and evidence["precedents_apply"] == 1.0


def test_neighbours_match_a_plain_loop_over_the_precedents():
    rng = np.random.default_rng(7)
    precedents = [Precedent("q0", ("a-1:1",), "q0"), Precedent("q1", (), "q1"), Precedent("q2", ("a-1:1", "b-2:3"), "q2"),
                  Precedent("q3", ("b-2:3",), "q3"), Precedent("q4", (), "q4"), Precedent("q0", ("b-2:4",), "q0")]
    vectors = rng.normal(size=(len(precedents), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)  # question vectors are unit length
    table = PrecedentTable(precedents, vectors)
    for question, scope in (("q0", {"a-1", "b-2"}), ("q1", {"b-2"}), ("new", {"a-1"}), ("q4", set())):
        vector = rng.normal(size=8).astype(np.float32)
        vector /= np.linalg.norm(vector)
        articles, answerable, unanswerable = {}, -1.0, None
        for precedent, similarity in zip(precedents, (vectors @ vector).tolist()):
            if precedent.key == question:
                continue
            if not precedent.articles:
                unanswerable = max(similarity, unanswerable if unanswerable is not None else -1.0)
                continue
            for article in (a for a in precedent.articles if a.rpartition(":")[0] in scope):
                answerable = max(answerable, similarity)
                articles[article] = max(similarity, articles.get(article, -1.0))
        found = table.neighbours(question, vector, scope=scope)
        assert found.articles == pytest.approx(articles) and found.answerable == pytest.approx(answerable)
        assert found.unanswerable == (None if unanswerable is None else pytest.approx(unanswerable))


def test_a_case_is_never_its_own_precedent_whatever_condensation_gives(corpus):
    # Precedents are stored condensed; if condensation changed since the build, the stored text differs from
    # what the live question condenses to. The question is still recognised by its raw words and history.
    case = next(c for c in load_cases(default_precedents_path()) if c.split == "dev" and c.history and c.expected)
    query = understand(case.question, corpus, history=case.history)
    stale = Precedent("condensed differently by an older lawqa", tuple(sorted(case.expected_ids)), query.key)
    vector = HashEmbedder().embed_query(query.standalone)
    table = PrecedentTable([stale], vector[None, :])
    assert table.neighbours(query.key, vector, scope=corpus.ids).articles == {}
    other = understand(case.question, corpus)  # the same words without the conversation are another question
    assert other.key != query.key and table.neighbours(other.key, vector, scope=corpus.ids).articles
