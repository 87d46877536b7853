"""The article browser: regulation → chapter → article, and a number box, down to the bilingual card."""

from __future__ import annotations

from assistant.corpus.labels import heading_line, label_of
from assistant.serving.ui_browse import ALL_CHAPTERS, browse, chapters


def test_a_regulation_opens_on_its_first_article_with_its_chapters_listed(corpus):
    regulation = corpus.regulation("shenzhen-ai-2022")
    view = browse(corpus, "en", regulation=regulation.id)
    headings = list(dict.fromkeys(heading_line(a.chapter, "en") for a in regulation.articles if a.chapter))
    assert [label for label, _ in view.chapters] == ["All chapters", *headings]
    assert view.chapter == ALL_CHAPTERS and len(view.articles) == len(regulation.articles)
    assert view.article == regulation.articles[0].id and view.number == regulation.articles[0].number
    assert view.articles[0][0].startswith("Article 1 ") and f"· {label_of(regulation.articles[0], 'en')}" in view.card


def test_a_chapter_lists_only_its_articles(corpus):
    regulation = corpus.regulation("shanghai-ai-2022")
    label, key = chapters(regulation, "zh")[5]
    view = browse(corpus, "zh", regulation=regulation.id, chapter=key)
    inside = [a for a in regulation.articles if a.chapter is not None and heading_line(a.chapter, "zh") == label]
    assert [value for _, value in view.articles] == [a.id for a in inside]
    assert view.article == inside[0].id and view.chapter == key


def test_a_number_shows_the_article_in_both_languages_and_selects_its_chapter(corpus):
    article = corpus.get("shanghai-ai-2022:66")
    view = browse(corpus, "zh", regulation="shanghai-ai-2022", chapter=ALL_CHAPTERS, number=66.0)
    assert view.article == article.id and view.number == 66
    assert dict((key, label) for label, key in view.chapters)[view.chapter] == heading_line(article.chapter, "zh")
    assert '<div lang="zh"><p>本市设立人工智能伦理专家委员会' in view.card and '<div lang="en"><p>The Municipality' in view.card
    assert 'id="lawqa-' not in view.card  # the sources panel's cards own the link targets


def test_a_missing_number_says_what_numbers_exist(corpus):
    view = browse(corpus, "en", regulation="shenzhen-ai-2022", number=999)
    assert view.article is None and "has no article 999 (it has 73 articles, 1-73)" in view.card


def test_an_article_of_another_chapter_moves_the_chapter_with_it(corpus):
    regulation = corpus.regulation("shenzhen-ai-2022")
    first_chapter = chapters(regulation, "en")[1][1]
    last = regulation.articles[-1]
    view = browse(corpus, "en", regulation=regulation.id, chapter=first_chapter, article=last.id)
    assert view.article == last.id and view.chapter != first_chapter
    assert last.id in [value for _, value in view.articles]
