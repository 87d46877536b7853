"""Build progress: one overall figure across every stage of an index build, for the CLI line and the server.

An index build reports a `BuildStep` after each piece of work: the stage it is in, how many texts (passages
and labelled questions) have their vectors so far — from the bundled vector cache, the previous build or the
embedder — and how much of the whole build's work is done. Work is counted in estimated seconds (`COSTS`),
so one fraction spans stages of very different speed: embedding a passage takes ~50 ms, the keyword index a
few seconds in all. The ETA scales the work left by how fast this build has actually gone, so only the
ratios of the estimates matter, not this machine's speed. Nothing here prints: `describe` gives the line,
the CLI and the server draw it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Stage = Literal["embedding", "precedents", "keywords", "saving"]
STAGES: dict[str, dict[str, str]] = {  # what each build stage is called, for progress displays
    "embedding": {"zh": "嵌入条文段落", "en": "embedding passages"},
    "precedents": {"zh": "嵌入已标注的问题", "en": "embedding labelled questions"},
    "keywords": {"zh": "建立关键词索引", "en": "building the keyword index"},
    "saving": {"zh": "保存", "en": "saving"},
}

# Seconds each kind of work took on the 2-core reference machine (multilingual-e5-small, bundled corpus).
COSTS: dict[str, float] = {
    "embed_passage": 0.055,  # one passage through the embedder (~19 passages/s)
    "embed_question": 0.02,  # one labelled question (short, so faster)
    "condense": 0.0015,  # understanding one labelled question, the tokeniser's start-up spread over them
    "store": 0.8,  # opening the vector store (once)
    "store_passage": 0.0003,  # adding one vector to it
    "keyword_passage": 0.001,  # tokenising one passage for BM25
    "term_table": 2.5,  # the bilingual term table (reading the dictionary; once)
    "save": 0.1,  # writing passages, tokens and metadata (once)
}
# No ETA before this much of the work is done and this many seconds have passed (too little to go on).
_ETA_AFTER_FRACTION, _ETA_AFTER_SECONDS = 0.01, 0.5


@dataclass(frozen=True)
class BuildStep:
    """Where a build is: its stage, texts with vectors over the whole build, and work done over all stages."""

    stage: Stage
    done: int  # texts (passages and labelled questions) that have their vectors, all stages together
    total: int  # texts the build needs vectors for
    embedded: int  # of those, embedded by this build (the rest came from the cache or the previous build)
    work_done: float  # estimated seconds of work done (every stage, keyword index and saving included)
    work_total: float  # estimated seconds of work in the whole build
    finished: bool = False

    @property
    def fraction(self) -> float:
        """Share of the build's work done, 0..1."""
        if self.finished:
            return 1.0
        return min(1.0, self.work_done / self.work_total) if self.work_total > 0 else 0.0


BuildProgress = Callable[[BuildStep], None]


class BuildTracker:
    """Adds up a build's work as it is done and reports a `BuildStep` after each update.

    `plan` says how much of each kind of work (a `COSTS` key) and how many texts per stage the build
    expects; it may be revised as the build learns more (e.g. how many texts the cache holds). Updates are
    absolute ("this much of this kind is done"), and what is done never goes down.
    """

    def __init__(self, report: BuildProgress | None):
        self._report = report
        self._planned: dict[str, float] = {}
        self._done: dict[str, float] = {}
        self._texts_planned: dict[str, int] = {}
        self._texts_done: dict[str, int] = {}
        self._stage: Stage = "embedding"

    def plan(self, *, texts: dict[str, int] | None = None, **work: float) -> None:
        """Expect this much work of each kind, and this many texts in each stage (never below what is done)."""
        for stage, count in (texts or {}).items():
            self._texts_planned[stage] = max(count, self._texts_done.get(stage, 0))
        for kind, amount in work.items():
            self._planned[kind] = max(amount, self._done.get(kind, 0.0))

    def update(self, stage: Stage, *, texts: int | None = None, **work: float) -> None:
        """Record that `stage` has `texts` texts with vectors and this much work of each kind done; report."""
        self._stage = stage
        if texts is not None:
            self._texts_done[stage] = max(texts, self._texts_done.get(stage, 0))
            self._texts_planned[stage] = max(self._texts_planned.get(stage, 0), self._texts_done[stage])
        for kind, amount in work.items():
            self._done[kind] = max(amount, self._done.get(kind, 0.0))
            self._planned[kind] = max(self._planned.get(kind, 0.0), self._done[kind])
        if self._report is not None:
            self._report(self.step())

    def finish(self) -> None:
        """Report the build complete."""
        if self._report is not None:
            self._report(self.step(finished=True))

    def step(self, *, finished: bool = False) -> BuildStep:
        """The build's state now."""
        return BuildStep(stage=self._stage, done=sum(self._texts_done.values()),
                         total=sum(self._texts_planned.values()),
                         embedded=int(self._done.get("embed_passage", 0) + self._done.get("embed_question", 0)),
                         work_done=sum(COSTS[k] * v for k, v in self._done.items()),
                         work_total=sum(COSTS[k] * v for k, v in self._planned.items()), finished=finished)


def eta_seconds(step: BuildStep, elapsed: float) -> float | None:
    """Seconds left, from the work left and how fast the work so far went; None while there is too little to go on."""
    if step.finished:
        return 0.0
    fraction = step.fraction
    if fraction < _ETA_AFTER_FRACTION or elapsed < _ETA_AFTER_SECONDS:
        return None
    return elapsed * (1.0 - fraction) / fraction


def format_duration(seconds: float) -> str:
    """0:07, 2:05, 1:02:03."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def describe(step: BuildStep, elapsed: float, language: str = "en") -> str:
    """One line: overall share, texts with vectors, embedding rate, ETA, and the stage, e.g.

    `indexing 37% · 1,210/1,514 texts (608 cached) · 19.1/s · ETA 0:42 · embedding labelled questions`
    """
    zh = language == "zh"
    eta = eta_seconds(step, elapsed)
    parts = [f"{'建立索引' if zh else 'indexing'} {step.fraction:.0%}"]
    if step.total:
        cached = step.done - step.embedded
        texts = f"{step.done:,}/{step.total:,} {'条文本' if zh else 'texts'}"
        if cached:
            texts += f"（{cached:,} 条来自缓存）" if zh else f" ({cached:,} cached)"
        parts.append(texts)
    if step.embedded and elapsed > 0:
        parts.append(f"{step.embedded / elapsed:.1f}{'/秒' if zh else '/s'}")
    if step.finished:
        parts.append(f"{'用时' if zh else 'took'} {format_duration(elapsed)}")
    else:
        left = "…" if eta is None else format_duration(eta)
        parts.append(f"{'预计还需' if zh else 'ETA'} {left}")
        parts.append(STAGES[step.stage]["zh" if zh else "en"])
    return " · ".join(parts)
