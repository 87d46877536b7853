from __future__ import annotations

from assistant.corpus import build_regulation
from assistant.manifest import RegulationEntry, SourceEntry
from assistant.passages import MAX_PASSAGE_TOKENS, build_passages, estimate_tokens


def test_passages_carry_title_and_chapter_path(corpus):
    passages = {p.id: p for p in build_passages(corpus)}
    zh = passages["shanghai-ai-2022:13/zh"]
    assert zh.text.startswith("上海市促进人工智能产业发展条例 · 第二章 基本要素与科技创新 · 第一节 基本要素 · 第十三条\n")
    assert passages["shenzhen-ai-2022:71/en"].text.startswith(
        "Regulations of Shenzhen Special Economic Zone on Promoting the Artificial Intelligence Industry · "
        "Chapter 6 Governance Principles and Measures · Article 71\n")
    assert passages["shanghai-ai-2022:13/en.1"].embedded is False  # the second translation: keywords only
    assert len(passages) == 289 and sum(p.embedded for p in passages.values()) == 217


def test_long_articles_are_embedded_in_parts(tmp_path):
    body = "\n\n".join(f"Paragraph {i}: " + "the municipal authority shall support data and computing. " * 12
                       for i in range(6))
    source = tmp_path / "long.txt"
    source.write_text(f"Article 1 Short.\n\nArticle 2 Long.\n\n{body}\n", encoding="utf-8")
    entry = RegulationEntry(id="test-long-2024", title={"en": "Long Rules"},
                            source=[SourceEntry(file=str(source), languages=["en"])])
    from assistant.corpus import Corpus

    passages = build_passages(Corpus(regulations=(build_regulation(entry, tmp_path),)))
    long_ones = [p for p in passages if p.article == 2]
    assert long_ones[0].part == 0 and not long_ones[0].embedded  # the whole stays keyword-searchable
    assert len(long_ones) > 2 and all(p.embedded and estimate_tokens(p.text) <= MAX_PASSAGE_TOKENS * 1.2
                                      for p in long_ones[1:])
