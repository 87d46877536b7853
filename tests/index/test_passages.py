from __future__ import annotations

from assistant.corpus.manifest import RegulationEntry, SourceEntry
from assistant.corpus.sources import build_regulation
from assistant.index.passages import MAX_PASSAGE_TOKENS, build_passages, estimate_tokens


def test_passages_carry_title_and_chapter_path(corpus):
    passages = {p.id: p for p in build_passages(corpus)}
    zh = passages["shanghai-ai-2022:13/zh"]
    assert zh.text.startswith("上海市促进人工智能产业发展条例 · 第二章 基本要素与科技创新 · 第一节 基本要素 · 第十三条\n")
    assert passages["shenzhen-ai-2022:71/en"].text.startswith(
        "Regulations of Shenzhen Special Economic Zone on Promoting the Artificial Intelligence Industry · "
        "Chapter 6 Governance Principles and Measures · Article 71\n")
    assert passages["shanghai-ai-2022:13/en.1"].embedded is False  # the second translation: keywords only
    articles = [p for p in passages.values() if not p.paragraph]
    assert len(articles) == 289 and sum(p.embedded for p in articles) == 217


def test_every_embedded_text_also_gives_one_passage_per_paragraph(corpus):
    passages = build_passages(corpus)
    article = corpus.article("shanghai-ai-2022", 13)
    mine = [p for p in passages if p.article_id == article.id and p.paragraph]
    zh, en = article.text("zh").paragraphs, article.text("en").paragraphs
    assert [p.id for p in mine] == [*(f"{article.id}/zh/p{n}" for n in range(1, len(zh) + 1)),
                                    *(f"{article.id}/en/p{n}" for n in range(1, len(en) + 1))]
    assert mine[0].text == f"上海 第十三条\n{zh[0].render()}"
    assert mine[len(zh)].text == f"Shanghai Article 13\n{en[0].render()}"
    # Embedded for the paragraph search only: BM25 keeps whole articles, so keyword scores stay per article.
    assert all(p.embedded and not p.keyword and p.part == 0 for p in mine)
    # One per paragraph of each shown text; none for the keyword-only second translation.
    assert sum(p.paragraph > 0 for p in passages) == sum(
        len(a.text(lang).paragraphs) for a in corpus.articles() for lang in a.languages)


def test_long_articles_are_embedded_in_parts(tmp_path):
    body = "\n\n".join(f"Paragraph {i}: " + "the municipal authority shall support data and computing. " * 12
                       for i in range(6))
    source = tmp_path / "long.txt"
    source.write_text(f"Article 1 Short.\n\nArticle 2 Long.\n\n{body}\n", encoding="utf-8")
    entry = RegulationEntry(id="test-long-2024", title={"en": "Long Rules"},
                            source=[SourceEntry(file=str(source), languages=["en"])])
    from assistant.corpus.model import Corpus

    passages = build_passages(Corpus(regulations=(build_regulation(entry, tmp_path),)))
    long_ones = [p for p in passages if p.article == 2]
    assert long_ones[0].part == 0 and not long_ones[0].embedded  # the whole stays keyword-searchable
    assert len(long_ones) > 2 and all(p.embedded and estimate_tokens(p.text) <= MAX_PASSAGE_TOKENS * 1.2
                                      for p in long_ones[1:])
