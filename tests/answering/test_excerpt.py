"""Excerpts: omissions marked where they happen, and paragraphs that others refer back to brought along."""

from __future__ import annotations

import pytest

from assistant.answering.excerpt import referred_paragraphs, render
from assistant.corpus.model import Paragraph
from assistant.retrieval.provisions import units_of

ARTICLE = (Paragraph("第一款第一句。第一款第二句。"), Paragraph("履行下列职责："), Paragraph("甲", "(一)"),
           Paragraph("乙", "(二)"), Paragraph("违反前款规定的，依法处理。"), Paragraph("前两款另有规定的除外。"),
           Paragraph("依照本条例第十条第一款执行；本条第一款适用于…"))


@pytest.mark.parametrize("index, referred", [(4, [1]), (5, [1, 4]), (6, [0]), (0, [])])
def test_referred_paragraphs_count_paragraphs_not_items(index, referred):
    assert referred_paragraphs(ARTICLE, index) == referred


def test_english_back_references():
    paragraphs = (Paragraph("First."), Paragraph("Second."),
                  Paragraph("Those who violate the provisions in the preceding two paragraphs shall be punished."))
    assert referred_paragraphs(paragraphs, 2) == [0, 1]


def test_omissions_are_marked_inside_a_paragraph_and_between_paragraphs():
    units = units_of(ARTICLE)
    keep = {1, 2, 4, 5}  # the second sentence, the lead-in, item (二), paragraph 5
    assert render(ARTICLE, units, keep, "zh") == ["……第一款第二句。", "履行下列职责：", "……", "(二) 乙",
                                                  "违反前款规定的，依法处理。", "……"]
    english = (Paragraph("One. Two. Three."), Paragraph("Four."))
    assert render(english, units_of(english), {0, 2}, "en") == ["One. … Three.", "…"]
