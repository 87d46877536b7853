"""Systems under evaluation: what any system (lawqa or a baseline) returns for a case, and lawqa as one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..answering.answer import Answer
from ..corpus.evalset import Case


@dataclass(frozen=True)
class SystemOutput:
    """What any evaluated system (ours or a baseline) returns for one case."""

    text: str
    citations: tuple[str, ...]  # article ids, from the structured list
    retrieved: tuple[str, ...]  # article ids, ranked
    abstained: bool
    language: str | None = None


System = Callable[[Case], SystemOutput]


@dataclass(frozen=True)
class CaseResult:
    """One case's output and verdicts."""

    case: Case
    output: SystemOutput
    parsed: tuple[str, ...]
    latency_ms: float
    scores: dict[str, float] = field(default_factory=dict)


def output_from_answer(answer: Answer) -> SystemOutput:
    """Our Answer as a SystemOutput."""
    return SystemOutput(text=answer.text, citations=tuple(c.id for c in answer.citations),
                        retrieved=tuple(h.article.id for h in answer.retrieved), abstained=answer.abstained,
                        language=answer.language)


def assistant_system(assistant, *, mode: str = "extractive") -> System:
    """Our assistant as an evaluated system."""
    def run(case: Case) -> SystemOutput:
        history = case.history
        return output_from_answer(assistant.ask(case.question, history=history, mode=mode))
    return run
