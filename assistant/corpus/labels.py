"""Labels: how an article, a chapter or section and a regulation are written, in Chinese and in English.

Every "第六十六条 / Article 66", "第一章 总则 / Chapter 1 General Provisions" and "《…》第六十六条 /
Shanghai Regulations, Article 66" the product shows or embeds is written here, once.
"""

from __future__ import annotations

from typing import Literal

from ..text.language import Language
from ..text.numbering import format_chinese_number
from .model import Article, Heading, Regulation

Division = Literal["part", "subpart", "chapter", "section"]
_ZH_DIVISION = {"part": "编", "subpart": "分编", "chapter": "章", "section": "节"}
_EN_DIVISION = {"part": "Part", "subpart": "Subpart", "chapter": "Chapter", "section": "Section"}


def article_label(number: int, language: Language, suffix: int = 0) -> str:
    """第六十六条 / Article 66; an inserted article 第二百五十三条之一 / Article 253a."""
    if language == "zh":
        return f"第{format_chinese_number(number)}条" + (f"之{format_chinese_number(suffix)}" if suffix else "")
    return f"Article {number}" + (chr(ord("a") + suffix - 1) if suffix else "")


def label_of(article: Article, language: Language) -> str:
    """The article's own label: 第六十六条 / Article 66 (inserted ones included)."""
    return article_label(article.number, language, article.suffix)


def division_label(kind: Division, number: int, language: Language) -> str:
    """第一章 / Chapter 1, 第二节 / Section 2, 第一编 / Part 1; "" for a division named without a number."""
    if number <= 0:
        return ""
    if language == "zh":
        return f"第{format_chinese_number(number)}{_ZH_DIVISION[kind]}"
    return f"{_EN_DIVISION[kind]} {number}"


def heading_line(heading: Heading, language: Language) -> str:
    """第一章 总则 / Chapter 1 General Provisions (the title in the other language when this one has none)."""
    return f"{division_label(heading.kind, heading.number, language)} {heading.title(language)}".strip()


def short_name(regulation: Regulation, language: Language) -> str:
    """The regulation's short name in `language` (上海 / Shanghai), else its title."""
    return regulation.short_name.get(language) or regulation.name(language)


def cite_label(regulation: Regulation, article: Article, language: Language) -> str:
    """How an answer names an article: 《…》第六十六条 / Shanghai Regulations, Article 66 / General Data
    Protection Regulation, Article 6 / 《中华人民共和国数据安全法》 Article 13 (no English name loaded)."""
    if language == "zh":
        return f"《{regulation.name('zh')}》{label_of(article, 'zh')}"
    english_title, english_short = regulation.title.get("en"), regulation.short_name.get("en")
    if english_short and english_title and "Regulations" in english_title and english_short in english_title:
        return f"{english_short} Regulations, {label_of(article, 'en')}"
    if english_title or english_short:
        return f"{english_title or english_short}, {label_of(article, 'en')}"
    return f"《{regulation.name('zh')}》 {label_of(article, 'en')}"
