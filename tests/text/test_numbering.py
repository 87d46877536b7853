from __future__ import annotations

import pytest

from assistant.text.numbering import (
    find_article_numbers,
    format_chinese_number,
    format_roman_number,
    parse_chinese_number,
    parse_heading_number,
    parse_roman_number,
)


@pytest.mark.parametrize("text, value", [
    ("一", 1), ("十", 10), ("十二", 12), ("六十六", 66), ("一百", 100), ("一百零三", 103), ("一百一十", 110),
    ("66", 66), ("６６", 66), ("一二七", None), ("abc", None), ("", None),
])
def test_parse_chinese_number(text, value):
    assert parse_chinese_number(text) == value


@pytest.mark.parametrize("number", [1, 9, 10, 11, 20, 66, 99, 100, 103, 110, 999])
def test_chinese_numbers_round_trip(number):
    assert parse_chinese_number(format_chinese_number(number)) == number


def test_roman_numbers():
    assert [parse_roman_number(s) for s in ["I", "IV", "VI", "IX", "XIV", "IIII", "IC", "V1"]] == [
        1, 4, 6, 9, 14, None, None, None]
    assert all(parse_roman_number(format_roman_number(n)) == n for n in range(1, 60))
    assert parse_heading_number("VII") == 7 and parse_heading_number("七") == 7 and parse_heading_number("7") == 7


@pytest.mark.parametrize("text, numbers", [
    ("深圳条例第七十一条规定了什么", [71]),
    ("第12条和第十三条", [12, 13]),
    ("What does Article 66 of the Shanghai regulation say?", [66]),
    ("see Art. 44 and article 45", [44, 45]),
    ("Does Shanghai support digital arts 2023 festivals?", []),
    ("Art 27 Shenzhen - what does it cover?", [27]),
    ("Is there support for the Digital Art 2023 fair?", []),
    ("Will the Modern Art 3 fair in Shenzhen get AI funding?", []),
    ("Can I sell Art 1,000 pieces made by AI?", []),
    ("what does Art 44 say, and Art. 45?", [44, 45]),
    ("martial arts 5 star gyms", []),
    ("Articles 12 and 13", [12, 13]),
    ("Articles 12, 13 and 15-17", [12, 13, 15, 16, 17]),
    ("Articles 3 to 5", [3, 4, 5]),
    ("第一二七号公告", []),
    ("article about AI", []),
    ("Shenzhen rules, article ten?", [10]),
    ("Shenzhen regulation, Article sixty-nine: what does it require", [69]),
    ("Article one hundred and three", [103]),
    ("the article and the rules", []),
])
def test_find_article_numbers(text, numbers):
    assert [m.number for m in find_article_numbers(text)] == numbers
