"""The web UI's rendering: escaped, citations and "see also" as links, sources kept for the whole conversation."""

from __future__ import annotations

from assistant.answering.answer import Answer
from assistant.answering.citations import DroppedCitation
from assistant.corpus.adding import add_regulation
from assistant.corpus.labels import cite_label
from assistant.corpus.model import Citation
from assistant.corpus.references import SEE_ALSO
from assistant.index.progress import BuildStep
from assistant.serving.service import ServiceStatus
from assistant.serving.ui_render import (
    Turn,
    anchor,
    escape_markdown_html,
    mode_line,
    render_answer,
    render_sources,
    status_html,
)

EVIL = ("第一条 本规定用于测试 <script>window.__pwned = true</script> 和 "
        "<img src=x onerror=\"window.__pwned = true\"> 的显示。\n第二条 本规定自发布之日起施行。\n")


def _answer(corpus, *ids: str, language: str = "zh", text: str | None = None) -> Answer:
    articles = tuple(corpus.get(i) for i in ids)
    labels = [cite_label(corpus.regulation(a.regulation), a, language) for a in articles]
    return Answer(text=text if text is not None else "\n\n".join(f"{label}规定：\n> …" for label in labels),
                  citations=tuple(a.citation for a in articles), language=language, abstained=False, retrieved=(),
                  cited_articles=articles)


def test_answer_markdown_is_escaped_and_links_citations(corpus):
    article = corpus.get("shanghai-ai-2022:66")
    answer = Answer(text="《上海市促进人工智能产业发展条例》第六十六条规定：\n> <b>x</b> & <script>y</script>",
                    citations=(Citation("shanghai-ai-2022", 66),), language="zh", abstained=False, retrieved=(),
                    cited_articles=(article,))
    markdown = render_answer(answer, corpus)
    assert "<script>" not in markdown and "&lt;script>" in markdown and "&amp;" in markdown
    assert markdown.startswith("[《上海市促进人工智能产业发展条例》第六十六条](#lawqa-shanghai-ai-2022-66)规定：")


def test_copied_answer_ends_with_its_citation_labels(corpus):
    # The chat's copy button copies the message's Markdown: the cited labels are listed at its end.
    answer = _answer(corpus, "shanghai-ai-2022:66", "shenzhen-ai-2022:71", language="en", text="Both say so.")
    markdown = render_answer(answer, corpus)
    last = markdown.splitlines()[-1]
    assert last.startswith("**Cited**: ")
    for article in answer.cited_articles:
        label = cite_label(corpus.regulation(article.regulation), article, "en")
        assert f"[{label}](#{anchor(article.id)})" in last


def test_see_also_ids_become_links_named_by_regulation_and_article(corpus):
    text = f"没有找到。\n\n{SEE_ALSO['zh']}深圳 · shenzhen-ai-2022:34；上海 · shanghai-ai-2022:3"
    answer = Answer(text=text, citations=(), language="zh", abstained=True, retrieved=(),
                    see_also=(Citation("shenzhen-ai-2022", 34), Citation("shanghai-ai-2022", 3)))
    markdown = render_answer(answer, corpus)
    assert "shenzhen-ai-2022:34" not in markdown and "shanghai-ai-2022:3" not in markdown
    assert "[深圳 第三十四条](#lawqa-shenzhen-ai-2022-34)" in markdown
    assert "[上海 第三条](#lawqa-shanghai-ai-2022-3)" in markdown
    panel = render_sources([Turn.of("?", answer)], corpus, "en")
    assert 'href="#lawqa-shenzhen-ai-2022-34">Shenzhen, Article 34</a>' in panel  # a titled link ...
    assert f'id="{anchor("shenzhen-ai-2022:34")}"' in panel  # ... to a card that is there
    assert "Chapter" in panel.split('href="#lawqa-shenzhen-ai-2022-34"')[1].split("</li>")[0]


def test_notice_comes_first_and_is_escaped(corpus):
    answer = _answer(corpus, "shanghai-ai-2022:66")
    markdown = render_answer(answer, corpus, notice="asked about <Shanghai> [x]")
    assert markdown.startswith("*ℹ️ asked about &lt;Shanghai> \\[x\\]*\n\n")


def test_sources_panel_shows_both_languages_and_metadata(corpus):
    panel = render_sources([Turn.of("?", _answer(corpus, "shanghai-ai-2022:66", language="en"))], corpus, "en")
    assert f'id="{anchor("shanghai-ai-2022:66")}"' in panel
    assert '<div lang="zh"><p>本市设立人工智能伦理专家委员会' in panel and '<div lang="en"><p>The Municipality' in panel
    assert "Effective: 2022-10-01" in panel and "Chapter 5 " in panel


def test_sources_panel_keeps_every_article_the_conversation_cited(corpus):
    first = Turn.of("q1", _answer(corpus, "shanghai-ai-2022:66"))
    second = Turn.of("q2", _answer(corpus, "shenzhen-ai-2022:71"))
    panel = render_sources([first, second], corpus, "zh")
    latest, earlier = panel.split("本次对话中较早引用的条文")
    assert f'<section class="lawqa-source" id="{anchor("shenzhen-ai-2022:71")}"' in latest  # shown in full
    assert f'<details class="lawqa-source" id="{anchor("shanghai-ai-2022:66")}"' in earlier  # one click away
    again = render_sources([first, second, Turn.of("q3", _answer(corpus, "shanghai-ai-2022:66"))], corpus, "zh")
    assert again.count(f'id="{anchor("shanghai-ai-2022:66")}"') == 1  # one card per article, ids stay unique
    assert render_sources([], corpus, "en").endswith("<p>Ask a question; the articles the answer cites appear "
                                                     "here in full.</p>")


def test_sources_panel_escapes_article_text(tmp_path):
    from assistant.corpus.sources import load_corpus

    source = tmp_path / "evil.txt"
    source.write_text(EVIL, encoding="utf-8")
    add_regulation(tmp_path, source, regulation_id="test-evil-2024", title="<b>Evil</b> 规定")
    corpus = load_corpus(tmp_path)
    panel = render_sources([Turn.of("?", _answer(corpus, "test-evil-2024:1", text="…"))], corpus, "zh")
    assert "<script>" not in panel and "<img" not in panel
    assert "&lt;script&gt;window.__pwned = true&lt;/script&gt;" in panel and "&lt;b&gt;Evil&lt;/b&gt;" in panel


def test_links_and_images_in_answers_are_not_live(corpus):
    hostile = "See ![x](https://evil.example/?q=secret) and [official text](https://evil.example) `code`"
    answer = Answer(text=hostile, citations=(), language="en", abstained=False, retrieved=())
    markdown = render_answer(answer, corpus)
    assert "![" not in markdown and "](" not in markdown.replace("\\](", "")
    assert markdown.startswith("See \\!\\[x\\](https://evil.example/?q=secret)")
    assert escape_markdown_html("a < b & [c]!") == "a &lt; b &amp; \\[c\\]\\!"


def test_mode_line_says_why_it_fell_back():
    answer = Answer(text="…", citations=(), language="en", abstained=False, retrieved=(), mode="extractive",
                    note="fell back to extractive: ConnectError: refused",
                    dropped_citations=(DroppedCitation("shanghai-ai-2022", 99, "does not exist"),))
    line = mode_line(answer, "en")
    assert line.startswith("LLM unavailable, fell back to extractive: fell back to extractive: ConnectError")
    assert "shanghai-ai-2022:99 (does not exist)" in line
    assert mode_line(Answer(text="…", citations=(), language="zh", abstained=False, retrieved=()), "zh") == \
        "回答方式：摘录（离线，逐字引用条文）"


def test_mode_line_is_redrawn_from_the_last_turn_in_another_language():
    # After a language switch the UI redraws the mode line from the conversation's last turn.
    answer = Answer(text="…", citations=(), language="en", abstained=False, retrieved=(), mode="extractive",
                    dropped_citations=(DroppedCitation("shanghai-ai-2022", 99, "does not exist"),))
    turn = Turn.of("Q?", answer)
    assert mode_line(turn, "en") == mode_line(answer, "en")
    assert mode_line(turn, "zh") == mode_line(answer, "zh") != mode_line(answer, "en")
    assert mode_line(turn, "zh").startswith("回答方式：摘录")


def test_status_is_one_bar_while_building_and_nothing_when_ready():
    assert status_html(ServiceStatus(state="ready"), "en") == ""
    building = status_html(ServiceStatus(state="building"), "zh")
    assert building.count("<progress") == 1 and "正在加载" in building
    step = BuildStep(stage="precedents", done=700, total=1514, embedded=700, work_done=30.0, work_total=40.0)
    halfway = status_html(ServiceStatus(state="building", step=step, elapsed=20.0), "en")
    assert halfway.count("<progress") == 1 and 'value="0.750"' in halfway  # the whole build, not a stage
    assert "First run: indexing 75%" in halfway and "ETA" in halfway
    noted = status_html(ServiceStatus(state="ready", note="answering from an <older> index"), "en")
    assert "<progress" not in noted and "&lt;older&gt;" in noted
    assert "Building the index failed: boom" in status_html(ServiceStatus(state="failed", error="boom"), "en")


def test_a_damaged_index_shows_its_fix_in_the_status_line():
    status = ServiceStatus(state="failed", damaged=True,
                           error="index file passages.jsonl is damaged (size 0, expected 91234); run `lawqa index`")
    assert status.health == "degraded"
    shown = status_html(status, "en")
    assert "⚠️" in shown and "passages.jsonl is damaged" in shown and "lawqa index" in shown
