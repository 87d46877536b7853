from __future__ import annotations

from assistant.index.terms import (
    build_term_table,
    english_vocabulary,
    mine_parenthesised_terms,
    translate_tokens,
)


def test_pairs_the_translators_put_in_parentheses(corpus):
    mined = mine_parenthesised_terms(corpus)
    assert mined["以人为本"] == ["people-cent"]
    assert "supervis" in mined["分类分级监管"]


def test_dictionary_translations_are_limited_to_corpus_words(corpus):
    vocabulary = english_vocabulary(corpus)
    table = build_term_table(corpus, vocabulary)
    assert table["无人机"][0] == "drone" and table["伦理"] == ["ethic"]
    assert all(t in vocabulary for tokens in table.values() for t in tokens if t.isascii())
    assert translate_tokens(["融资", "担保", "未知词"], table) == ["financ", "guarante"]
