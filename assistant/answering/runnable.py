"""The assistant as a LangChain Runnable (`Assistant.as_runnable()`), to compose, batch and stream in a chain.

    qa = Assistant(Settings()).as_runnable()
    qa.invoke({"question": "深圳条例第七十一条规定了什么？", "history": [], "regulation": None})
    # → the `lawqa ask --json` object: {"answer", "citations", "language", "abstained", "retrieved", …}

`stream` and `astream` yield the answer text in pieces, then that object as the last chunk. The input is
validated at this edge: anything but {"question": str, "history": [{"role", "content"}], "regulation": str |
None, "mode": "extractive" | "llm" | None} is an InputError that names the field and the fix.
Kept in its own module so that answering a question does not import LangChain's runnable machinery.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal, Protocol

from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import run_in_executor
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError
from ..text.conversation import Turn
from .answer import Answer

SHAPE = ('{"question": str, "history": [{"role": "user"|"assistant", "content": str}], '
         '"regulation": str | None}')


class RunnableInput(BaseModel):
    """What `as_runnable()` takes: a question with its conversation so far (the REST /v1/ask body)."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="The question, in Chinese or English.")
    history: list[Turn] = Field(default_factory=list, description="Earlier messages, oldest first.")
    regulation: str | None = Field(None, description="Only search this regulation (an id or any of its names).")
    mode: Literal["extractive", "llm"] | None = Field(None, description="Default: LAWQA_MODE.")


def parse_input(value: object) -> RunnableInput:
    """Validate a Runnable input, or raise InputError naming the bad field and the shape to send."""
    if not isinstance(value, dict):
        raise InputError(f"as_runnable() takes a dict {SHAPE}, got {type(value).__name__} {str(value)[:80]!r}; "
                         f'wrap a bare question as {{"question": ...}}')
    try:
        return RunnableInput.model_validate(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "input"
        problem = "is missing" if error["type"] == "missing" else \
            f"is {repr(error.get('input'))[:80]}: {error['msg'][0].lower()}{error['msg'][1:]}"
        raise InputError(f"as_runnable() input field {field!r} {problem}; send {SHAPE}") from None


class Streams(Protocol):
    """What the Runnable wraps: `Assistant.stream` (text pieces, then the Answer)."""

    def stream(self, question: str, *, history: list[Turn], regulation: str | None,
               mode: Literal["extractive", "llm"] | None) -> Iterator[str | Answer]: ...


class AssistantRunnable(Runnable[dict, dict]):
    """`Assistant.ask` as a Runnable: a question dict in, the `lawqa ask --json` object out."""

    def __init__(self, assistant: Streams):
        self.assistant = assistant
        self.name = "lawqa"

    @property
    def InputType(self) -> type[RunnableInput]:
        return RunnableInput

    @property
    def OutputType(self) -> type[dict]:
        return dict

    def invoke(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> dict:
        """The answer to one question, as the `lawqa ask --json` object."""
        return self._call_with_config(self._answer, input, config)

    def stream(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[str | dict]:
        """The answer text in pieces as it is produced, then the `lawqa ask --json` object."""
        yield from self._transform_stream_with_config(iter([input]), self._pieces, config)

    async def astream(self, input: dict, config: RunnableConfig | None = None,
                      **kwargs: Any) -> AsyncIterator[str | dict]:
        """`stream` for asyncio: each piece is produced in a worker thread, so the event loop stays free."""

        async def one() -> AsyncIterator[dict]:
            yield input

        async for chunk in self._atransform_stream_with_config(one(), self._apieces, config):
            yield chunk

    def _answer(self, value: dict) -> dict:
        for piece in self._stream_one(value):
            if isinstance(piece, dict):
                return piece
        raise RuntimeError("the answer stream ended without an Answer")

    def _pieces(self, inputs: Iterator[dict]) -> Iterator[str | dict]:
        for value in inputs:
            yield from self._stream_one(value)

    async def _apieces(self, inputs: AsyncIterator[dict], config: RunnableConfig) -> AsyncIterator[str | dict]:
        end = object()
        async for value in inputs:
            pieces = self._stream_one(value)
            while (piece := await run_in_executor(config, next, pieces, end)) is not end:
                yield piece

    def _stream_one(self, value: object) -> Iterator[str | dict]:
        request = parse_input(value)
        for piece in self.assistant.stream(request.question, history=request.history,
                                           regulation=request.regulation, mode=request.mode):
            yield piece.to_json() if isinstance(piece, Answer) else piece
