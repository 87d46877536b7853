from __future__ import annotations

from assistant.index.terms import build_term_table, mine_parenthesised_terms
from assistant.text.tokens import tokenize


def test_pairs_the_translators_put_in_parentheses(corpus):
    mined = mine_parenthesised_terms(corpus)
    assert mined["以人为本"] == ["people-cent"]
    assert "supervis" in mined["分类分级监管"]


def test_dictionary_translations_both_ways_are_limited_to_corpus_words(corpus):
    table = build_term_table(corpus)
    english = {t for a in corpus.articles() for v in a.versions("en") for t in tokenize(v.text)}
    chinese = {t for a in corpus.articles() for v in a.versions("zh") for t in tokenize(v.text)}
    assert table.zh_en["无人机"][0] == "drone" and table.zh_en["伦理"] == ["ethic"]
    assert all(t in english for tokens in table.zh_en.values() for t in tokens)
    assert all(w in chinese for words in table.en_zh.values() for w in words)
    assert table.translate(["融资", "担保", "未知词"], "zh") == ["financ", "guarante"]
    # An English question about a Chinese-only text searches it with Chinese words, and the other way round.
    assert "伦理" in table.translate(["ethic"], "en")
    assert table.of("ethic") == table.en_zh["ethic"] and table.of("伦理") == ["ethic"]
