"""The Gradio web UI: the layout and its events.

A chat (the question shows at once, the answer streams over a "searching…" line), the sources panel of the
whole conversation, an article browser, a regulation filter, examples that ask when clicked, and one
interface language (中文 / English) taken from the browser and switchable. Words live in `ui_text`, HTML and
Markdown in `ui_render`, one chat turn in `ui_chat`, the browser in `ui_browse`, style and script in
`ui_head`.
"""

from __future__ import annotations

import gradio as gr

from ..corpus.model import Corpus
from ..errors import LawqaError
from ..settings import Settings
from ..text.language import Language
from .service import AssistantService, ServiceStatus
from .ui_browse import ALL_CHAPTERS, browse
from .ui_chat import chat_turn
from .ui_head import HEAD
from .ui_render import mode_line, render_sources, status_html
from .ui_scope import ALL
from .ui_text import (
    EXAMPLES,
    LANGUAGES,
    TEXT,
    default_mode,
    interface_language,
    mode_choices,
    show_mode_choice,
)

__all__ = ["HEAD", "build_ui"]

UI_CONCURRENCY = 4  # answers computed at once; the embedder serialises its own calls
BUILD_REFRESH, SETTLED_REFRESH = 1.0, 15.0  # seconds between status updates during a build, and after it
FIRST: Language = "zh"  # the language the page is built in, before the visitor's is known (a moment later)


def regulation_choices(corpus: Corpus | None, language: Language) -> list[tuple[str, str]]:
    """The filter's (label, value) pairs: all regulations, then each by its title."""
    regulations = corpus.regulations if corpus else ()
    return [(TEXT[language]["all"], ALL), *((r.name(language), r.id) for r in regulations)]


def build_ui(service: AssistantService, settings: Settings):
    """The Blocks app: header with the language switch, chat, sources and article browser, filter, examples."""
    corpus = _load_corpus(settings)
    words = TEXT[FIRST]

    def browse_to(language: Language, **choice) -> list:
        view, text = browse(corpus, language, **choice), TEXT[language]
        return [gr.Dropdown(choices=view.regulations, value=view.regulation, label=text["browse_regulation"]),
                gr.Dropdown(choices=view.chapters, value=view.chapter, label=text["chapter"]),
                gr.Dropdown(choices=view.articles, value=view.article, label=text["article"]),
                gr.Number(value=view.number, label=text["number"]), view.card]

    def relabel(language: Language, turns: list, regulation: str | None, chapter: str, article: str | None) -> list:
        """Every label in `language` (the outputs `labelled` lists, in its order)."""
        text = TEXT[language]
        return [gr.Radio(value=language, label=text["language"]), text["title"], f"*{text['notice']}*",
                gr.Chatbot(label=text["chat"], placeholder=text["empty_chat"]),
                gr.Textbox(placeholder=text["placeholder"]), gr.Button(text["ask"]),
                gr.Dropdown(choices=regulation_choices(corpus, language), label=text["regulation"]),
                gr.Radio(choices=mode_choices(settings, language), label=text["mode"]), gr.Button(text["clear"]),
                gr.Dataset(label=text["examples"]), render_sources(turns or [], corpus, language),
                gr.Accordion(label=text["browse"]),
                *browse_to(language, regulation=regulation, chapter=chapter or ALL_CHAPTERS, article=article),
                _status(service.status, language), mode_line(turns[-1] if turns else None, language)]

    def on_load(saved: str | None, turns: list, regulation: str | None, chapter: str, article: str | None,
                request: gr.Request) -> list:
        """The visitor's language: ?lang=, else the one this browser chose before, else Accept-Language."""
        chosen = request.query_params.get("lang") if request is not None else None
        accept = request.headers.get("accept-language") if request is not None else None
        return relabel(interface_language(accept, chosen or saved), turns, regulation, chapter, article)

    def switch(language: Language, turns: list, regulation: str | None, chapter: str, article: str | None) -> list:
        return [*relabel(language, turns, regulation, chapter, article), language]  # and remember it

    def respond(message: str, history: list, turns: list, regulation: str, mode: str, language: Language):
        yield from chat_turn(service, message, history, turns, regulation, mode, language)

    def reset(language: Language) -> tuple:
        return [], render_sources([], corpus, language), "", "", []

    def ask_json(question: str, regulation: str = ALL, mode: str = "extractive") -> dict:
        """The `lawqa ask --json` object, for API clients (gradio_client: api_name="/ask")."""
        assistant = service.get(timeout=300)
        return assistant.ask(question, regulation=None if regulation == ALL else regulation, mode=mode).to_json()

    def refresh(language: Language):
        settled = service.status.state in ("ready", "failed")  # then only a note may change: look less often
        return _status(service.status, language), gr.Timer(SETTLED_REFRESH if settled else BUILD_REFRESH)

    with gr.Blocks(title="lawqa", analytics_enabled=False) as demo:
        saved = gr.BrowserState(None, storage_key="lawqa-language")
        turns = gr.State([])
        with gr.Row(elem_id="lawqa-header"):
            title = gr.Markdown(words["title"], elem_id="lawqa-title")
            language = gr.Radio(LANGUAGES, value=FIRST, label=words["language"], elem_id="lawqa-language",
                                show_label=False, container=False, scale=0, min_width=170)
        notice = gr.Markdown(f"*{words['notice']}*", elem_id="lawqa-notice")
        status = _status(service.status, FIRST, elem_id="lawqa-status")
        timer = gr.Timer(BUILD_REFRESH)
        with gr.Row(elem_id="lawqa-main"):  # a grid (ui_head): chat | sources, controls under the chat
            with gr.Column(elem_id="lawqa-chatcol"):
                chatbot = gr.Chatbot(label=words["chat"], height=520, sanitize_html=True, elem_id="lawqa-chat",
                                     buttons=["copy"], placeholder=words["empty_chat"], feedback_options=None)
                with gr.Row(elem_id="lawqa-ask-row"):
                    box = gr.Textbox(placeholder=words["placeholder"], show_label=False, scale=5,
                                     elem_id="lawqa-question", max_length=2000)
                    send = gr.Button(words["ask"], variant="primary", scale=1, min_width=80, elem_id="lawqa-send")
            with gr.Column(elem_id="lawqa-sourcecol"):
                sources = gr.HTML(render_sources([], corpus, FIRST), elem_id="lawqa-sources")
                with gr.Accordion(words["browse"], open=False, elem_id="lawqa-browser") as browser:
                    view = browse(corpus, FIRST)
                    b_regulation = gr.Dropdown(choices=view.regulations, value=view.regulation,
                                               label=words["browse_regulation"], elem_id="lawqa-browse-regulation")
                    with gr.Row():
                        b_chapter = gr.Dropdown(choices=view.chapters, value=view.chapter, label=words["chapter"],
                                                elem_id="lawqa-browse-chapter")
                        b_number = gr.Number(value=view.number, label=words["number"], precision=0, minimum=1,
                                             elem_id="lawqa-browse-number", min_width=100)
                    b_article = gr.Dropdown(choices=view.articles, value=view.article, label=words["article"],
                                            elem_id="lawqa-browse-article")
                    b_card = gr.HTML(view.card, elem_id="lawqa-browse-card")
            with gr.Column(elem_id="lawqa-controls"):
                with gr.Row():
                    regulation = gr.Dropdown(choices=regulation_choices(corpus, FIRST), value=ALL,
                                             label=words["regulation"], elem_id="lawqa-regulation")
                    mode = gr.Radio(mode_choices(settings, FIRST), value=default_mode(settings),
                                    label=words["mode"], visible=show_mode_choice(settings),
                                    elem_id="lawqa-mode-choice")
                    clear = gr.Button(words["clear"], elem_id="lawqa-clear")
                mode_info = gr.Markdown("", elem_id="lawqa-mode")
                examples = gr.Dataset(components=[box], samples=[[e] for e in EXAMPLES], type="index",
                                      label=words["examples"], elem_id="lawqa-examples",
                                      samples_per_page=len(EXAMPLES))

        browsed = [b_regulation, b_chapter, b_article, b_number, b_card]
        labelled = [language, title, notice, chatbot, box, send, regulation, mode, clear, examples, sources,
                    browser, *browsed, status, mode_info]
        state = [turns, b_regulation, b_chapter, b_article]
        chat_inputs = [box, chatbot, turns, regulation, mode, language]
        chat_outputs = [chatbot, sources, mode_info, box, turns]
        quiet = {"api_visibility": "private", "show_progress": "hidden"}
        asking = {"concurrency_limit": UI_CONCURRENCY, "show_progress": "hidden"}
        box.submit(respond, chat_inputs, chat_outputs, api_name="chat", **asking)
        send.click(respond, chat_inputs, chat_outputs, api_visibility="private", **asking)
        examples.click(lambda index: EXAMPLES[index], examples, box, **quiet).then(
            respond, chat_inputs, chat_outputs, api_visibility="private", **asking)
        clear.click(reset, language, chat_outputs, **quiet)
        chatbot.clear(reset, language, chat_outputs, **quiet)  # the chat's own bin icon
        language.input(switch, [language, *state], [*labelled, saved], **quiet)
        demo.load(on_load, [saved, *state], labelled, **quiet)
        b_regulation.input(lambda lang, reg: browse_to(lang, regulation=reg), [language, b_regulation], browsed,
                           **quiet)
        b_chapter.input(lambda lang, reg, ch: browse_to(lang, regulation=reg, chapter=ch),
                        [language, b_regulation, b_chapter], browsed, **quiet)
        b_article.input(lambda lang, reg, ch, a: browse_to(lang, regulation=reg, chapter=ch, article=a),
                        [language, b_regulation, b_chapter, b_article], browsed, **quiet)
        b_number.input(lambda lang, reg, ch, n: browse_to(lang, regulation=reg, chapter=ch, number=n),
                       [language, b_regulation, b_chapter, b_number], browsed, **quiet)
        timer.tick(refresh, language, [status, timer], **quiet)
        gr.api(ask_json, api_name="ask")
    return demo


def _status(status: ServiceStatus, language: Language, **layout) -> gr.HTML:
    """The index-build bar, hidden when there is nothing to say."""
    shown = status_html(status, language)
    return gr.HTML(shown, visible=bool(shown), **layout)


def _load_corpus(settings: Settings) -> Corpus | None:
    """The regulations, for the filter and the browser (which work while a first-run index is still built)."""
    from ..corpus.sources import load_corpus

    try:
        return load_corpus(settings.data_dir)
    except LawqaError:
        return None
