"""Regulations named in the other language than their title, and by Chinese short forms."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.corpus.model import Corpus
from assistant.corpus.references import find_regulations, name_matches
from assistant.question.understand import understand


@pytest.fixture(scope="module")
def mixed(corpus) -> Corpus:
    """The bundled regulations plus four titled in one language only, as `lawqa add` makes them (the articles
    are borrowed: only the names matter here)."""
    shanghai, shenzhen = corpus.regulations
    one_language = [
        replace(shanghai, id="data-security-law", title={"zh": "中华人民共和国数据安全法"}, short_name={}, aliases=()),
        replace(shanghai, id="e-commerce-law", title={"zh": "中华人民共和国电子商务法"}, short_name={}, aliases=()),
        replace(shanghai, id="shanghai-data", title={"zh": "上海市数据条例"}, short_name={}, aliases=()),
        replace(shenzhen, id="gdpr", title={"en": "General Data Protection Regulation"}, short_name={}, aliases=()),
        replace(shanghai, id="cybersecurity-law", title={"zh": "中华人民共和国网络安全法"}, short_name={}, aliases=()),
    ]
    return Corpus(regulations=(shanghai, shenzhen, *one_language))


@pytest.mark.parametrize(("text", "regulation"), [
    ("What does the PRC Data Security Law say about exporting data?", "data-security-law"),
    ("Does the DSL require a risk assessment?", "data-security-law"),
    ("Under China's E-Commerce Law, can a platform delete reviews?", "e-commerce-law"),
    ("Shanghai Data Regulations art 5", "shanghai-data"),
    ("通用数据保护条例第十七条讲了什么？", "gdpr"),
    ("按电商法这种做法合法吗？", "e-commerce-law"),
    ("数安法对重要数据怎么规定？", "data-security-law"),
    # A compound English word: 网络 is "cyber" in the dictionary's 网络空间 "cyberspace".
    ("Under China's Cybersecurity Law, what is the maximum fine?", "cybersecurity-law"),
    ("What does the Cyber Security Law say about logs?", "cybersecurity-law"),
    ("How does the CSL define personal information?", "cybersecurity-law"),
])
def test_a_regulation_is_named_in_the_other_language_or_by_a_short_form(mixed, text, regulation):
    assert [r for r, _ in find_regulations(text, mixed, fuzzy=False)] == [regulation]


def test_a_chinese_name_finds_an_english_compound_title(corpus):
    shanghai, shenzhen = corpus.regulations
    act = replace(shenzhen, id="cyber-act", title={"en": "Cybersecurity Act"}, short_name={}, aliases=())
    loaded = Corpus(regulations=(shanghai, act))
    assert [r for r, _ in find_regulations("按照网络安全法，运营者要做什么？", loaded, fuzzy=False)] == ["cyber-act"]


def test_a_plural_title_word_is_not_cut_as_a_compound(corpus):
    # "Interfaces" is a known word by its stem: it stays whole (not inter + faces), so 数据接口规定 names it.
    shanghai, shenzhen = corpus.regulations
    rules = replace(shenzhen, id="data-interfaces", title={"en": "Provisions on Data Interfaces"}, short_name={},
                    aliases=())
    loaded = Corpus(regulations=(shanghai, rules))
    assert [r for r, _ in find_regulations("数据接口规定第五条", loaded, fuzzy=False)] == ["data-interfaces"]


@pytest.mark.parametrize("text", [
    "What does the Copyright Law say about AI art?",  # a law that is not loaded
    "Is the ABC Act relevant?",
    "NASA guidelines on data",  # an acronym that spells nothing loaded
    "Data regulations in general",  # one word of 上海数据 is not two thirds of it
    "安全法怎么规定的？",  # a short form must begin with the title's first word
])
def test_look_alikes_name_nothing(mixed, text):
    assert [r for r, *_ in name_matches(text, mixed) if r not in {"shanghai-ai-2022", "shenzhen-ai-2022"}] == []


def test_the_span_covers_the_whole_name(mixed):
    text = "Under the Shanghai Data Regulations, what is public data?"
    [(regulation, start, end)] = name_matches(text, mixed)
    assert (regulation, text[start:end]) == ("shanghai-data", "Shanghai Data Regulations")


def test_a_loaded_law_named_in_english_is_not_an_other_instrument(mixed):
    query = understand("What does the Data Security Law say about important data?", mixed)
    assert query.regulations == ("data-security-law",)
    assert query.other_instruments == ()


def test_the_bundled_corpus_never_reads_the_dictionary(corpus, monkeypatch):
    import assistant.corpus.crossnames as crossnames

    def refuse(text):
        raise AssertionError("the dictionary was read")
    monkeypatch.setattr(crossnames, "segment", refuse)
    assert find_regulations("What does the Data Security Law say?", corpus) == []
