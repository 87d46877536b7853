"""Labels: how an article, a chapter or section and a regulation are written, in Chinese and in English.

Every "第六十六条 / Article 66", "第一章 总则 / Chapter 1 General Provisions" and "《…》第六十六条 /
Shanghai Regulations, Article 66" the product shows or embeds is written here, once.
"""

from __future__ import annotations

from typing import Literal

from ..text.language import Language
from ..text.numbering import format_chinese_number
from .model import Article, Heading, Regulation

Division = Literal["chapter", "section"]
_ZH_DIVISION = {"chapter": "章", "section": "节"}


def article_label(number: int, language: Language) -> str:
    """第六十六条 / Article 66."""
    return f"第{format_chinese_number(number)}条" if language == "zh" else f"Article {number}"


def division_label(kind: Division, number: int, language: Language) -> str:
    """第一章 / Chapter 1, 第二节 / Section 2."""
    if language == "zh":
        return f"第{format_chinese_number(number)}{_ZH_DIVISION[kind]}"
    return f"{kind.title()} {number}"


def heading_line(kind: Division, heading: Heading, language: Language) -> str:
    """第一章 总则 / Chapter 1 General Provisions (the title in the other language when this one has none)."""
    return f"{division_label(kind, heading.number, language)} {heading.title(language)}".strip()


def short_name(regulation: Regulation, language: Language) -> str:
    """The regulation's short name in `language` (上海 / Shanghai), else its title."""
    return regulation.short_name.get(language) or regulation.name(language)


def cite_label(regulation: Regulation, article: Article, language: Language) -> str:
    """How an answer names an article: 《…》第六十六条 / Shanghai Regulations, Article 66."""
    if language == "zh":
        return f"《{regulation.name('zh')}》{article_label(article.number, 'zh')}"
    return f"{short_name(regulation, 'en')} Regulations, {article_label(article.number, 'en')}"
