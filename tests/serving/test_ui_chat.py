"""One chat turn: the question shows at once, the answer replaces the "searching…" line, sources stay."""

from __future__ import annotations

import gradio as gr
import pytest

from assistant.errors import IndexStateError
from assistant.serving.service import ServiceStatus
from assistant.serving.ui_chat import chat_turn, conversation
from assistant.serving.ui_render import anchor

SKIP = gr.skip()


class ReadyService:
    """The assistant is there (the real one, over the hash-embedder index)."""

    def __init__(self, assistant):
        self.assistant, self.status, self.asked = assistant, ServiceStatus(state="ready"), 0

    def get(self, *, timeout=None):
        self.asked += 1
        return self.assistant


class BuildingService(ReadyService):
    """A first run: the index is being built for the first `waits` requests."""

    def __init__(self, assistant, waits: int):
        super().__init__(assistant)
        self.status, self.waits = ServiceStatus(state="building"), waits

    def get(self, *, timeout=None):
        if self.waits:
            self.waits -= 1
            raise IndexStateError("the index is still being built")
        self.status = ServiceStatus(state="ready")
        return self.assistant


@pytest.fixture()
def service(hash_assistant):
    return ReadyService(hash_assistant)


def _turn(service, question, *, history=None, turns=None, regulation="all", language="zh"):
    return list(chat_turn(service, question, history or [], turns or [], regulation, "extractive", language))


def test_the_question_shows_at_once_with_a_searching_line(service):
    steps = chat_turn(service, "深圳条例第七十一条规定了什么？", [], [], "all", "extractive", "en")
    chat, sources, mode, box, turns = next(steps)
    assert service.asked == 0  # shown before the assistant is even asked
    assert [m["role"] for m in chat] == ["user", "assistant"] and chat[0]["content"] == "深圳条例第七十一条规定了什么？"
    assert chat[1]["content"] == "*检索中…*"  # in the question's language
    assert box == "" and sources == mode == turns == SKIP
    *_, (chat, sources, mode, box, turns) = steps
    assert f"(#{anchor('shenzhen-ai-2022:71')})" in chat[-1]["content"]
    assert f'id="{anchor("shenzhen-ai-2022:71")}"' in sources and mode.startswith("Mode: extractive")
    assert [t.cited for t in turns] == [("shenzhen-ai-2022:71",)]


def test_an_earlier_turns_articles_stay_in_the_sources_panel(service):
    *_, (chat, _, _, _, turns) = _turn(service, "上海条例第六十六条规定了什么？")
    *_, (chat, sources, _, _, turns) = _turn(service, "深圳条例第七十一条规定了什么？", history=chat, turns=turns)
    assert len(chat) == 4 and f"(#{anchor('shanghai-ai-2022:66')})" in chat[1]["content"]
    assert f'id="{anchor("shanghai-ai-2022:66")}"' in sources and f'id="{anchor("shenzhen-ai-2022:71")}"' in sources
    assert conversation(turns)[0] == {"role": "user", "content": "上海条例第六十六条规定了什么？"}
    assert "《上海市促进人工智能产业发展条例》第六十六条" in conversation(turns)[1]["content"]


def test_a_question_about_the_other_regulation_is_not_silently_filtered(service):
    *_, (chat, sources, *_) = _turn(service, "What does Article 66 of the Shanghai regulation say?",
                                    regulation="shenzhen-ai-2022")
    answer = chat[-1]["content"]
    assert answer.startswith("*ℹ️ You asked about Shanghai but the filter is Shenzhen — searched Shanghai.*")
    assert f"(#{anchor('shanghai-ai-2022:66')})" in answer and "shenzhen-ai-2022" not in sources


def test_a_first_run_shows_the_build_while_the_question_waits(hash_assistant):
    steps = _turn(BuildingService(hash_assistant, waits=2), "深圳条例第七十一条规定了什么？")
    shown = [chat[-1]["content"] for chat, *_ in steps]
    assert shown[0] == "*检索中…*"
    assert shown[1].startswith("*正在建立索引（首次运行），完成后即回答… ") and shown[1] == shown[2]
    assert f"(#{anchor('shenzhen-ai-2022:71')})" in shown[-1]


def test_an_empty_question_changes_nothing(service):
    assert _turn(service, "   ") == [([], SKIP, SKIP, "", SKIP)] and service.asked == 0


def test_a_lone_surrogate_is_shown_and_asked_as_a_replacement_character(service):
    *_, (chat, _, _, _, turns) = _turn(service, "深圳条例第七十一条\udc80规定了什么？")
    assert chat[0]["content"] == "深圳条例第七十一条\ufffd规定了什么？"
    chat[-1]["content"].encode("utf-8")  # the answer can be sent to the browser
    assert [t.cited for t in turns] == [("shenzhen-ai-2022:71",)]
