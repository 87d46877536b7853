"""Translator's footnotes: found where a page ended, continued onto the next page, and their markers stripped."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.corpus.footnotes import extract_footnotes, strip_marker


@dataclass
class L:
    number: int
    text: str
    indented: bool = False


def lines(*rows: str) -> list[L]:
    return [L(i, row.strip(), row.startswith(" ")) for i, row in enumerate(rows, start=1)]


def test_footnote_is_removed_and_continued_on_the_next_page():
    page = lines("Article 1 Support social capital1 for the", "",
                 "1 Translator's note: social capital means funding from outside the budget and",
                 " public. Article 1 goes on here.", "", "Article 2 More rules here.",
                 "", "also includes state-owned banks.", " Article 3 The end.")
    kept, notes = extract_footnotes(page, is_heading=lambda text: text.startswith("Article"))
    assert [line.text for line in kept] == ["Article 1 Support social capital1 for the", "",
                                            "public. Article 1 goes on here.", "", "Article 2 More rules here.",
                                            "", "Article 3 The end."]
    assert notes == {"1": (("Translator's note: social capital means funding from outside the budget and also "
                            "includes state-owned banks."), 3)}


def test_a_numbered_line_without_a_glued_marker_is_not_a_footnote():
    page = lines("Article 1 There are 2 kinds of rules.", "2 kinds of support exist.")
    kept, notes = extract_footnotes(page, is_heading=lambda text: False)
    assert notes == {} and len(kept) == 2


def test_strip_marker():
    assert strip_marker("support social capital1 to set up", "1") == "support social capital to set up"
    assert strip_marker("5G networks and 1 plan", "1") is None
