"""The Gradio chat UI: streamed answers, a sources panel with every cited article in full, a regulation filter.

Everything that comes from an article or a model is escaped before it reaches HTML, so markup inside a
regulation file or an answer is shown as text, never run. Citations in an answer are links that scroll the
sources panel to the cited article (a small script in HEAD, because Gradio opens plain links in a new tab).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from ..answering.answer import Answer
from ..corpus.labels import cite_label, division_label, label_of
from ..corpus.model import Article, Corpus
from ..errors import LawqaError
from ..settings import Settings
from ..text.language import detect_language
from .service import AssistantService

EXAMPLES = [
    "我在深圳做一个低风险的人工智能产品，还没有国家标准，可以先试点吗？",
    "上海市人工智能伦理专家委员会有哪些职责？",
    "深圳条例第七十一条规定了什么？",
    "Can I pilot a low-risk AI product in Shenzhen without a national standard?",
    "How do Shanghai and Shenzhen differ on AI ethics committees?",
    "What does Article 66 of the Shanghai regulation say?",
]
UI_CONCURRENCY = 4  # answers computed at once; the embedder serialises its own calls
NOTICE = ("本工具提供法规信息，不构成法律意见。Information about the regulations, not legal advice — "
          "check the official text before relying on it.")
TEXT = {
    "zh": {"sources": "引用的条文", "none": "提问后，回答引用的条文会完整显示在这里。", "effective": "施行日期",
           "notes": "译者注", "not_found": "条例中没有找到相关规定。", "see_also": "相关但未直接涉及的条文",
           "mode": {"extractive": "回答方式：摘录（离线，逐字引用条文）", "llm": "回答方式：大模型（引用已核验）"},
           "fallback": "大模型不可用，已改用摘录方式：", "dropped": "已删除无依据的引用："},
    "en": {"sources": "Cited articles", "none": "Ask a question; the articles the answer cites appear here in full.",
           "effective": "Effective", "notes": "Translator's notes", "not_found": "Nothing in the regulations "
           "addresses this.", "see_also": "Related, but not on point",
           "mode": {"extractive": "Mode: extractive (offline, quotes the articles verbatim)",
                    "llm": "Mode: LLM (citations verified)"},
           "fallback": "LLM unavailable, fell back to extractive: ", "dropped": "Removed unsupported citations: "},
}
HEAD = """
<style>
.lawqa-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  margin-bottom: 12px; }
.lawqa-source:target, .lawqa-source.lawqa-flash { outline: 3px solid #f59e0b; }
.lawqa-cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
.lawqa-cols p { margin: 0 0 6px 0; white-space: pre-wrap; }
.lawqa-meta { color: var(--body-text-color-subdued); font-size: 0.9em; }
</style>
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#lawqa-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const target = document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  target.scrollIntoView({behavior: "smooth", block: "start"});
  target.classList.add("lawqa-flash");
  setTimeout(() => target.classList.remove("lawqa-flash"), 2000);
}, true);
</script>
"""


def anchor(article_id: str) -> str:
    """The HTML id of an article's card in the sources panel."""
    return "lawqa-" + re.sub(r"[^a-z0-9-]", "-", article_id.lower())


_MARKDOWN_ACTIVE = re.compile(r"([\[\]!`])")


def escape_markdown_html(text: str) -> str:
    """Neutralise HTML, links and images in Markdown (">" stays, so blockquotes still work)."""
    return _MARKDOWN_ACTIVE.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))


def unescape_markdown_html(text: str) -> str:
    """Undo `escape_markdown_html` (what the user typed, for the conversation history)."""
    return re.sub(r"\\([\[\]!`])", r"\1", text).replace("&lt;", "<").replace("&amp;", "&")


def render_answer(answer: Answer, corpus: Corpus) -> str:
    """The answer as chat Markdown: escaped, with each citation label a link to its card."""
    text = escape_markdown_html(answer.text)
    for article in answer.cited_articles:
        label = escape_markdown_html(cite_label(corpus.regulation(article.regulation), article, answer.language))
        text = text.replace(label, f"[{label}](#{anchor(article.id)})", 1)
    return text


def _paragraphs(article: Article, language: str) -> str:
    version = article.text(language)
    if version is None:
        return ""
    return "".join(f"<p>{html.escape(p.render())}</p>" for p in version.paragraphs)


def article_card(corpus: Corpus, article: Article, language: str) -> str:
    """One cited article: title, effective date, chapter, Chinese and English side by side, notes."""
    text = TEXT[language]
    regulation = corpus.regulation(article.regulation)
    number = label_of(article, language)
    chapter = ""
    if article.chapter is not None:
        titles = sorted(article.chapter.titles.items(), key=lambda item: item[0] != language)
        chapter = " · ".join(html.escape(t) for _, t in titles)
        label = division_label("chapter", article.chapter.number, language)
        chapter = (f"{label} " if language == "zh" else f"{label}: ") + chapter
    effective = regulation.effective.isoformat() if regulation.effective else "—"
    columns = "".join(f'<div lang="{lang}">{_paragraphs(article, lang)}</div>' for lang in article.languages)
    notes = ""
    if article.notes:
        notes = f"<details><summary>{text['notes']}</summary>" + "".join(
            f"<p>[{html.escape(n.marker)}] {html.escape(n.text)}</p>" for n in article.notes) + "</details>"
    return (f'<section class="lawqa-source" id="{anchor(article.id)}">'
            f"<h3>{html.escape(regulation.name(language))} · {number}</h3>"
            f'<div class="lawqa-meta">{chapter}<br>{text["effective"]}: {effective} · {html.escape(article.id)}</div>'
            f'<div class="lawqa-cols">{columns}</div>{notes}</section>')


def render_sources(answer: Answer | None, corpus: Corpus | None, language: str) -> str:
    """The sources panel for an answer (every cited article in full), in the question's language."""
    text = TEXT[language]
    if answer is None:
        return f"<h3>{text['sources']}</h3><p>{text['none']}</p>"
    parts = [f"<h3>{text['sources']}</h3>"]
    if answer.abstained:
        parts.append(f"<p>{text['not_found']}</p>")
        if answer.see_also:
            items = "".join(f"<li>{html.escape(corpus.regulation(c.regulation).name(language))} · "
                            f"{html.escape(c.id)}</li>" for c in answer.see_also)
            parts.append(f"<p>{text['see_also']}:</p><ul>{items}</ul>")
    parts += [article_card(corpus, article, language) for article in answer.cited_articles]
    return "".join(parts)


def mode_line(answer: Answer | None, language: str) -> str:
    """Which mode answered, and why it fell back if it did."""
    text = TEXT[language]
    if answer is None:
        return ""
    line = text["mode"][answer.mode if answer.mode in text["mode"] else "extractive"]
    if answer.note:
        line = text["fallback"] + html.escape(answer.note)
    if answer.dropped_citations:
        dropped = ", ".join(f"{d.regulation}:{d.article} ({d.reason})" for d in answer.dropped_citations)
        line += f"<br>{text['dropped']}{html.escape(dropped)}"
    return line


def _plain(content: object) -> str:
    """Gradio 6 hands chat history content as a list of parts; the assistant wants text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    if isinstance(content, dict):
        return str(content.get("text", ""))
    return str(content)


def build_ui(service: AssistantService, settings: Settings):
    """The Blocks app: chat, filter, mode, examples, sources panel, index status."""
    import gradio as gr

    def wait(progress) -> object:
        while True:
            try:
                return service.get(timeout=0.5)
            except LawqaError:
                status = service.status
                if status.state == "failed":
                    raise
                progress((status.done, status.total or 1), desc=status.describe())

    def respond(message: str, history: list, regulation: str, mode: str,
                progress=gr.Progress()) -> Iterator[tuple]:
        message = (message or "").strip()
        language = detect_language(message) if message else "en"
        if not message:
            yield history, gr.skip(), gr.skip(), ""
            return
        turns = [{"role": m["role"], "content": unescape_markdown_html(_plain(m["content"]))} for m in history or []
                 if m.get("role") in ("user", "assistant")]
        shown = [*(history or []), {"role": "user", "content": escape_markdown_html(message)},
                 {"role": "assistant", "content": "…"}]
        try:
            assistant = wait(progress)
            partial = ""
            for piece in assistant.stream(message, history=turns, regulation=None if regulation == "all" else regulation,
                                          mode=mode):
                if isinstance(piece, Answer):
                    shown[-1] = {"role": "assistant", "content": render_answer(piece, assistant.corpus)}
                    yield shown, render_sources(piece, assistant.corpus, language), mode_line(piece, language), ""
                else:
                    partial += piece
                    shown[-1] = {"role": "assistant", "content": escape_markdown_html(partial)}
                    yield shown, gr.skip(), gr.skip(), ""
        except LawqaError as exc:
            shown[-1] = {"role": "assistant", "content": escape_markdown_html(f"⚠️ {exc}")}
            yield shown, gr.skip(), gr.skip(), ""

    def ask_json(question: str, regulation: str = "all", mode: str = "extractive") -> dict:
        """The `lawqa ask --json` object, for API clients (gradio_client: api_name="/ask")."""
        assistant = service.get(timeout=300)
        return assistant.ask(question, regulation=None if regulation == "all" else regulation,
                             mode=mode).to_json()

    def refresh():
        status = service.status
        done = status.state in ("ready", "failed")
        return status.describe("zh") + " / " + status.describe("en"), gr.Timer(active=not done)

    regulations = [("全部 All", "all")]
    for regulation_id, names in _regulation_names(settings):
        regulations.append((names, regulation_id))

    with gr.Blocks(title="lawqa · 法规问答 · regulation Q&A", analytics_enabled=False) as demo:
        gr.Markdown("## lawqa · 人工智能产业法规问答 · AI-industry regulation Q&A\n"
                    "用中文或英文提问，回答会引用所依据的具体条文。Ask in Chinese or English; every answer cites "
                    "the articles it rests on.")
        gr.Markdown(f"*{NOTICE}*", elem_id="lawqa-notice")
        status = gr.Markdown(service.status.describe("zh") + " / " + service.status.describe("en"),
                             elem_id="lawqa-status")
        timer = gr.Timer(1.0)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="对话 · Conversation", height=520, sanitize_html=True, elem_id="lawqa-chat",
                                     buttons=["copy"])
                with gr.Row():
                    box = gr.Textbox(placeholder="输入问题 · Type a question", show_label=False, scale=5,
                                     elem_id="lawqa-question", max_length=2000)
                    send = gr.Button("提问 · Ask", variant="primary", scale=1, elem_id="lawqa-send")
                with gr.Row():
                    regulation = gr.Dropdown(choices=regulations, value="all", label="法规 · Regulation",
                                             elem_id="lawqa-regulation")
                    mode = gr.Radio(["extractive", "llm"], value=settings.mode, label="回答方式 · Mode",
                                    info="llm needs LAWQA_LLM_BASE_URL / LAWQA_LLM_MODEL")
                    clear = gr.Button("清空对话 · Clear chat", elem_id="lawqa-clear")
                mode_info = gr.Markdown("", elem_id="lawqa-mode")
                gr.Examples(EXAMPLES, inputs=box, label="示例 · Examples")
            with gr.Column(scale=3):
                sources = gr.HTML(render_sources(None, None, "zh"), elem_id="lawqa-sources")
        inputs, outputs = [box, chatbot, regulation, mode], [chatbot, sources, mode_info, box]
        box.submit(respond, inputs, outputs, api_name="chat", concurrency_limit=UI_CONCURRENCY)
        send.click(respond, inputs, outputs, api_visibility="private", concurrency_limit=UI_CONCURRENCY)
        clear.click(lambda: ([], render_sources(None, None, "zh"), "", ""), None, outputs,
                    api_visibility="private")
        timer.tick(refresh, None, [status, timer], api_visibility="private")
        demo.load(refresh, None, [status, timer], api_visibility="private")
        gr.api(ask_json, api_name="ask")
    return demo


def _regulation_names(settings: Settings) -> list[tuple[str, str]]:
    from ..corpus.sources import load_corpus

    try:
        corpus = load_corpus(settings.data_dir)
    except LawqaError:
        return []
    return [(r.id, f"{r.short_name.get('zh', '')} {r.short_name.get('en', r.id)}".strip()) for r in corpus.regulations]
