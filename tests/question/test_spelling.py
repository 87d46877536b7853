"""Spelling: slips in English words are corrected to the regulations' own words; right words are left alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.question.spelling import correct_spelling
from assistant.question.understand import understand
from assistant.text.conversation import conversation_key


@pytest.mark.parametrize("typed, meant", [
    ("framwork softwear support in shanghai", "framework software support in shanghai"),
    ("Who runs the ethics commitee?", "Who runs the ethics committee?"),
    ("Does the regualtion cover chips?", "Does the regulation cover chips?"),
    ("Framwork?", "Framework?"),  # a capital stays a capital
])
def test_slips_are_corrected_to_corpus_words(corpus, typed, meant):
    assert correct_spelling(typed, corpus) == meant


@pytest.mark.parametrize("text", [
    "hello, can I pilot a low-risk AI product in Shenzhen?",  # all known (pilot: the corpus; hello: the dictionary)
    "Will it rain tomorrow? What about the weather?",  # everyday words the corpus never uses
    "What is Huawei doing?",  # no corpus word within one edit
    "Are pilots allowed?",  # an inflection of a corpus word
    "Which firms get perks? A shop keeps emailing me.",  # inflections of dictionary words
    "Who organises the data centres that specialised agencies use?",  # British spelling
    "Are the rules stricter, safer or easier for bigger firms?",  # comparatives
    "深圳条例第七十一条规定了什么？",  # Chinese is not touched
    "Are bots OK?",  # words under five letters are never touched
])
def test_right_words_are_left_alone(corpus, text):
    assert correct_spelling(text, corpus) == text


def test_understand_searches_with_the_corrected_question_but_keys_the_typed_one(corpus):
    query = understand("framwork softwear support in shanghai", corpus)
    assert query.standalone == "framework software support in shanghai"
    assert query.regulations == ("shanghai-ai-2022",)
    assert query.key == conversation_key("framwork softwear support in shanghai", ())


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=60))
def test_correction_keeps_everything_but_the_letters_of_replaced_words(corpus, text):
    corrected = correct_spelling(text, corpus)
    # Only whole ASCII words change; every other character (spaces, punctuation, Chinese) stays where it was.
    strip = lambda s: "".join(c for c in s if not ("a" <= c.lower() <= "z"))  # noqa: E731
    assert strip(corrected) == strip(text)
    assert correct_spelling(corrected, corpus) == corrected  # a corrected word is a corpus word
