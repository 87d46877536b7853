"""One chat turn in the web UI, from the question to the answer, as a generator Gradio streams.

The question shows at once with a "searching…" line (or the index-build progress on a first run), the answer
text streams over it, and the final answer brings its linked citations, the sources panel of the whole
conversation and the mode line. What is written in the chat follows the question's language; the panel
follows the interface language.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..answering.answer import Answer
from ..errors import LawqaError
from ..text.language import Language, detect_language
from .service import AssistantService, clean_text
from .ui_render import Turn, escape_markdown_html, mode_line, pending, render_answer, render_sources
from .ui_scope import resolve_scope
from .ui_text import TEXT

WAIT_STEP = 0.5  # seconds between progress updates while the first-run build goes on


def skip() -> dict:
    """Leave an output as it is (Gradio's skip marker)."""
    import gradio as gr

    return gr.skip()


def conversation(turns: Sequence[Turn]) -> list[dict]:
    """The conversation so far, as the assistant takes it for follow-ups."""
    return [m for t in turns for m in ({"role": "user", "content": t.question},
                                       {"role": "assistant", "content": t.answer})]


def chat_turn(service: AssistantService, message: str, history: list | None, turns: Sequence[Turn] | None,
              regulation: str | None, mode: str | None, language: Language) -> Iterator[tuple]:
    """Yield (chat, sources panel, mode line, question box, turns) as the answer takes shape."""
    # A lone surrogate (a broken client) could be neither answered nor shown: it becomes U+FFFD, as in REST.
    message, history, turns = clean_text(message or "").strip(), list(history or []), list(turns or [])
    if not message:
        yield history, skip(), skip(), "", skip()
        return
    asked = detect_language(message, default=language)
    words = TEXT[asked]
    question = {"role": "user", "content": escape_markdown_html(message)}

    def chat(reply: str) -> list[dict]:  # a new list each time: Gradio may still be sending the last one
        return [*history, question, {"role": "assistant", "content": reply}]

    yield chat(pending(words["searching"])), skip(), skip(), "", skip()
    try:
        assistant = None
        while assistant is None:
            try:
                assistant = service.get(timeout=WAIT_STEP)
            except LawqaError:
                if service.status.state == "failed":
                    raise
                yield chat(pending(f"{words['building']} {service.status.describe(asked)}")), skip(), skip(), "", \
                    skip()
        scope = resolve_scope(message, regulation, assistant.corpus, asked)
        lead = f"*ℹ️ {escape_markdown_html(scope.notice)}*\n\n" if scope.notice else ""
        partial = ""
        for piece in assistant.stream(message, history=conversation(turns), regulation=scope.regulation, mode=mode):
            if isinstance(piece, Answer):
                turns = [*turns, Turn.of(message, piece)]
                yield (chat(render_answer(piece, assistant.corpus, notice=scope.notice)),
                       render_sources(turns, assistant.corpus, language), mode_line(piece, language), "", turns)
            else:
                partial += piece
                yield chat(lead + escape_markdown_html(partial)), skip(), skip(), "", skip()
    except LawqaError as exc:
        yield chat(escape_markdown_html(f"⚠️ {exc}")), skip(), skip(), "", skip()
