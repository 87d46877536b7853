"""The web app in a real server: the named API works through gradio_client, and a real browser chats.

Screenshots are written where tests may write (LAWQA_SCREENSHOTS, else a temporary folder), never over a
tracked file. The README's copies (tests/screenshots/ui.png and ui-phone.png) are updated deliberately:
`LAWQA_SCREENSHOTS=tests/screenshots pytest tests/serving/test_ui.py -k two_turn`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from assistant.corpus.adding import add_regulation
from assistant.serving.ui_render import anchor
from tests.conftest import free_port, wait_for_http

SCREENSHOTS = Path(os.environ.get("LAWQA_SCREENSHOTS") or tempfile.mkdtemp(prefix="lawqa-screenshots-"))
EVIL = ("第一条 本规定用于测试 <script>window.__pwned = true</script> 和 "
        "<img src=x onerror=\"window.__pwned = true\"> 的显示。\n第二条 本规定自发布之日起施行。\n")
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANSWER_WAIT = 60_000  # ms: the first answer of a fresh server also loads the embedder


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
        deadline = time.monotonic() + 180
        while httpx.get(f"{url}/healthz").json()["state"] != "ready" and time.monotonic() < deadline:
            time.sleep(1)
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
    chat, panel, _mode, box = client.predict(question, [], "all", "extractive", "en", api_name="/chat")
    assert chat[-1]["role"] == "assistant" and f"#{anchor(article)}" in str(chat[-1]["content"])
    assert f'id="{anchor(article)}"' in panel and box == ""
    contract = client.predict(question, "all", "extractive", api_name="/ask")
    regulation, number = article.split(":")
    assert {"regulation": regulation, "article": int(number)} in contract["citations"]


def _install(package: str) -> None:
    """A Debian package the browser tests need, installed only where the test may (root with apt-get)."""
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", package], capture_output=True, timeout=900, check=False)


def _chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        _install("chromium")
        if not os.path.exists(path):
            pytest.skip("Chromium is not installed and cannot be installed here (needs root and apt-get)")
    # Without a Chinese font the screenshots show boxes for every Chinese character (the tests pass anyway).
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout \
        if shutil.which("fc-list") else "unknown"
    if not fonts.strip():
        _install("fonts-wqy-microhei")
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=BROWSER_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


TWO_TURNS = {
    # name: viewport, browser language, two questions, the article each cites, the screenshot
    "desktop": ({"width": 1280, "height": 800}, "zh-CN",
                ["上海市人工智能伦理专家委员会有哪些职责？", "深圳条例第七十一条规定了什么？"],
                ["shanghai-ai-2022:66", "shenzhen-ai-2022:71"], "ui.png"),
    "phone": ({"width": 390, "height": 844}, "en-US",
              ["What does Article 66 of the Shanghai regulation say?",
               "What does Article 71 of the Shenzhen regulation say?"],
              ["shanghai-ai-2022:66", "shenzhen-ai-2022:71"], "ui-phone.png"),
}


@pytest.mark.slow
@pytest.mark.parametrize("width", list(TWO_TURNS))
def test_two_turn_conversation_keeps_the_first_turns_citation_working(served, browser, width):
    from playwright.sync_api import expect

    viewport, locale, questions, articles, screenshot = TWO_TURNS[width]
    phone = width == "phone"
    context = browser.new_context(viewport=viewport, locale=locale, is_mobile=phone, has_touch=phone,
                                  device_scale_factor=2 if phone else 1)
    try:
        page = context.new_page()
        page.goto(served + "/")
        expect(page.locator("#lawqa-send")).to_have_text("提问" if locale.startswith("zh") else "Ask")
        box = page.locator("#lawqa-question textarea")
        if phone:  # the question box is above the fold
            assert box.bounding_box()["y"] + box.bounding_box()["height"] <= viewport["height"]
        panel = page.locator("#lawqa-sources")
        for question, article in zip(questions, articles):
            box.fill(question)
            box.press("Enter")
            expect(panel.locator(f"section#{anchor(article)}")).to_be_attached(timeout=ANSWER_WAIT)
        first = articles[0]
        expect(panel.locator(f"details#{anchor(first)}")).to_be_attached()  # kept, folded, from the first turn
        expect(page.locator("#lawqa-chat")).to_contain_text(questions[0])
        if phone:  # the sources come right under the chat, before the filter and examples
            page.evaluate("window.scrollTo(0, 0)")
            chat, sources = page.locator("#lawqa-chat").bounding_box(), panel.bounding_box()
            controls = page.locator("#lawqa-regulation").bounding_box()
            assert chat["y"] + chat["height"] <= sources["y"] < controls["y"]
            assert box.bounding_box()["y"] + box.bounding_box()["height"] <= viewport["height"]
        page.locator(f'#lawqa-chat a[href="#{anchor(first)}"]').first.click()
        card = page.locator(f"#{anchor(first)}")
        expect(card).to_have_attribute("open", "")
        expect(card).to_be_in_viewport()
        page.wait_for_timeout(800)  # the smooth scroll and the highlight
        if phone:  # the picture shows the phone's first screen: the conversation, the box, the sources below
            page.evaluate("window.scrollTo(0, 0)")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / screenshot))
    finally:
        context.close()
    assert (SCREENSHOTS / screenshot).stat().st_size > 10_000


@pytest.mark.slow
def test_language_examples_browser_sessions_and_escaping(served, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    try:
        page = context.new_page()
        page.goto(served + "/")
        send = page.locator("#lawqa-send")
        expect(send).to_have_text("Ask")
        expect(page.locator("#lawqa-mode-choice")).to_be_hidden()  # no LLM configured
        page.locator("#lawqa-language").get_by_text("中文").click()
        expect(send).to_have_text("提问")
        expect(page.locator("#lawqa-regulation")).to_contain_text("法规")
        page.reload()
        expect(send).to_have_text("提问")  # the choice is remembered by this browser

        page.locator("#lawqa-examples").get_by_text("深圳条例第七十一条规定了什么？").click()  # asks at once
        panel = page.locator("#lawqa-sources")
        expect(panel.locator(f"section#{anchor('shenzhen-ai-2022:71')}")).to_be_attached(timeout=ANSWER_WAIT)
        mode_line = page.locator("#lawqa-mode")
        expect(mode_line).to_contain_text("回答方式")
        page.locator("#lawqa-language").get_by_text("English").click()  # the mode line follows at once
        expect(mode_line).to_contain_text("Mode: extractive")
        page.locator("#lawqa-language").get_by_text("中文").click()
        expect(mode_line).to_contain_text("回答方式")

        page.locator("#lawqa-browser").get_by_text("浏览条文").click()
        page.locator("#lawqa-browse-regulation input").click()
        page.get_by_role("option", name="深圳经济特区人工智能产业促进条例").click()
        page.locator("#lawqa-browse-number input").fill("44")
        card = page.locator("#lawqa-browse-card")
        expect(card).to_contain_text("shenzhen-ai-2022:44")
        expect(card.locator('div[lang="en"]')).not_to_be_empty()

        other = context.browser.new_context().new_page()  # a second visitor sees none of the first one's chat
        other.goto(served + "/")
        expect(other.locator("#lawqa-question textarea")).to_be_visible()
        expect(other.locator("#lawqa-chat")).not_to_contain_text("第七十一条")
        other.context.close()

        box = page.locator("#lawqa-question textarea")
        box.fill("测试规定第一条规定了什么？")
        box.press("Enter")
        expect(panel).to_contain_text("<script>window.__pwned = true</script>", timeout=ANSWER_WAIT)
        assert page.evaluate("window.__pwned === undefined")  # shown as text, never run
        page.locator("#lawqa-clear").click()
        expect(page.locator("#lawqa-chat")).not_to_contain_text("第七十一条")
        expect(panel).not_to_contain_text("shenzhen-ai-2022:71")
    finally:
        context.close()
