"""The assistant behind a server: built in the background on first run, shared by the UI and the REST API.

Building the index on a first run takes seconds with the bundled vector cache (minutes for large added
regulations); the server answers at once and shows progress — one overall figure with an ETA — instead of a
frozen page, and requests that need the assistant wait for it (or report the build state).

A server outlives builds: each request compares the CURRENT file's stat with the one it opened and, when a
`lawqa index` elsewhere has switched it, reopens the new build (the old one stays on disk while it is open,
see `index.builds.hold_build`). When a build fails (a full disk, a read-only directory), the last intact build
keeps answering with a note, and the build is retried with a growing pause. A damaged index is reported as
such ("degraded"), with the fix, until `lawqa index` repairs it.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..answering.assistant import Assistant
from ..errors import DamagedIndexError, IndexStateError, LawqaError
from ..index.builds import index_root
from ..index.progress import BuildProgress, BuildStep, describe, eta_seconds
from ..settings import Settings


@dataclass(frozen=True)
class ServiceStatus:
    """Where the background build is."""

    state: str  # "starting", "building", "ready" (answering) or "failed" (nothing to answer from)
    stage: str = ""
    done: int = 0  # texts with vectors, over the whole build (all stages)
    total: int = 0
    error: str | None = None
    step: BuildStep | None = None  # the build's last report
    elapsed: float = 0.0  # seconds since the build started
    note: str | None = None  # what is not as it should be while answering (an older index, a retry pending)
    damaged: bool = False  # the error is a damaged index (`lawqa index` repairs it)

    @property
    def health(self) -> str:
        """What /healthz reports: "ok", "degraded" (answering with a note, or a damaged index), else the state."""
        if self.state == "ready":
            return "degraded" if self.note else "ok"
        return "degraded" if self.damaged else self.state

    @property
    def fraction(self) -> float:
        """Share of the whole build done (0..1; 1 when ready), for one progress bar."""
        return 1.0 if self.state == "ready" else self.step.fraction if self.step else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds the build still needs (None when not building or not yet known)."""
        return eta_seconds(self.step, self.elapsed) if self.step and self.state == "building" else None

    def describe(self, language: str = "en") -> str:
        """A one-line description for the UI."""
        note = f" ({self.note})" if self.note else ""
        if self.state == "ready":
            return f"索引已就绪。{note}" if language == "zh" else f"Index ready.{note}"
        if self.state == "failed" and self.damaged:
            return f"索引已损坏：{self.error}{note}" if language == "zh" else f"The index is damaged: {self.error}{note}"
        if self.state == "failed":
            return (f"索引建立失败：{self.error}{note}" if language == "zh"
                    else f"Building the index failed: {self.error}{note}")
        if self.step is not None:
            line = describe(self.step, self.elapsed, language)
            return f"首次运行：{line}" if language == "zh" else f"First run: {line}"
        return "正在加载……" if language == "zh" else "Loading…"


RETRY_AFTER = 30.0  # seconds before a failed build is tried again; doubled after each failure ...
RETRY_AT_MOST = 900.0  # ... up to this


class AssistantService:
    """Holds the one Assistant of a server process, and keeps it on the serving build."""

    def __init__(self, settings: Settings, *, factory: Callable[..., Assistant] = Assistant,
                 listener: BuildProgress | None = None, retry_after: float = RETRY_AFTER):
        """`listener` also hears each build step (e.g. `lawqa serve` draws them in its terminal)."""
        self.settings = settings
        self._factory = factory
        self._listener = listener
        self._build_started = time.monotonic()
        self._assistant: Assistant | None = None
        self._status = ServiceStatus(state="starting")
        self._ready = threading.Event()  # set once the first attempt has ended, either way
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._reopening = threading.Lock()
        self._seen: tuple[int, int, int] | None = None  # CURRENT's stat when the assistant was last opened
        self._retry_after = retry_after
        self._pause = retry_after
        self._retry_at: float | None = None  # when to try building again (None: nothing to retry)

    def start(self) -> AssistantService:
        """Start opening the assistant, building the index if needed (once); returns immediately."""
        with self._lock:
            if self._thread is None:
                self._launch()
        return self

    def _launch(self) -> None:  # with self._lock held
        self._thread = threading.Thread(target=self._build, name="lawqa-build", daemon=True)
        self._thread.start()

    def _progress(self, step: BuildStep) -> None:
        if self._assistant is None:  # a retry while an older index answers keeps that status (and its note)
            self._status = ServiceStatus(state="building", stage=step.stage, done=step.done, total=step.total,
                                         step=step, elapsed=time.monotonic() - self._build_started)
        if self._listener is not None:
            self._listener(step)

    def _build(self) -> None:
        """Open the assistant, building the index when it is missing or out of date with the regulations."""
        self._build_started = time.monotonic()
        seen = _stat(self._current_file)
        try:
            self._serve(self._factory(self.settings, progress=self._progress), seen)
            self._retry_at, self._pause = None, self._retry_after
        except Exception as exc:  # noqa: BLE001 - a server must report, not die, when the build breaks
            self._seen = seen
            if isinstance(exc, DamagedIndexError):
                self._damaged(exc)
            else:
                self._build_failed(exc)
        finally:
            self._ready.set()

    def _build_failed(self, exc: Exception) -> None:
        """Answer from the last intact build, if there is one, and try building again after a pause."""
        retry_in = self._pause
        self._retry_at = time.monotonic() + retry_in
        self._pause = min(self._pause * 2, RETRY_AT_MOST)
        fallback = self._assistant
        if fallback is None:
            try:
                fallback = self._factory(self.settings, build=False, stale=True)
            except Exception:  # noqa: BLE001 - nothing intact to fall back on: report the build's failure
                fallback = None
        note = f"building the index failed: {_message(exc)}; retrying in {retry_in:.0f} s"
        if fallback is None:
            self._status = ServiceStatus(state="failed", error=_message(exc), note=f"retrying in {retry_in:.0f} s")
            return
        self._assistant = fallback
        self._status = ServiceStatus(state="ready", note=f"answering from the last complete index ({_built(fallback)})"
                                                         f"; {note}")

    def _damaged(self, exc: DamagedIndexError) -> None:
        """A damaged build is not retried (building again would find it up to date): `lawqa index` repairs it."""
        if self._assistant is None:
            self._status = ServiceStatus(state="failed", error=_message(exc), damaged=True)
        else:
            self._status = ServiceStatus(state="ready", note=f"the newer index is damaged: {_message(exc)}; still "
                                                             f"answering from the previous one ({_built(self._assistant)})")

    def _serve(self, assistant: Assistant, seen: tuple[int, int, int] | None) -> None:
        self._assistant, self._seen = assistant, seen
        stale = getattr(assistant, "stale", False)
        self._status = ServiceStatus(state="ready", note=(
            f"answering from the index built {_built(assistant)}: regulations added or changed since are not "
            "searchable until `lawqa index` runs") if stale else None)

    @property
    def _current_file(self) -> Path:
        return index_root(self.settings.data_dir) / "CURRENT"

    def _follow_current(self) -> None:
        """Reopen the serving build when a `lawqa index` elsewhere has switched CURRENT (one stat per request)."""
        if not self._ready.is_set() or (self._thread is not None and self._thread.is_alive()):
            return  # a build or first opening is under way: it opens whatever CURRENT names by then
        seen = _stat(self._current_file)
        if seen == self._seen or not self._reopening.acquire(blocking=False):
            return  # unchanged, or another request is reopening it (this one answers from the old build)
        try:
            served = self._assistant
            if served is not None and _current_build(self._current_file) == _build_id(served):
                self._seen = seen  # rewritten with the same build (e.g. by our own build)
                return
            try:
                self._serve(self._factory(self.settings, build=False, stale=True,
                                          embedder=getattr(served, "embedder", None)), seen)
                self._retry_at, self._pause = None, self._retry_after
            except Exception as exc:  # noqa: BLE001 - keep answering from the old build, and say why
                self._seen = seen
                if isinstance(exc, DamagedIndexError):
                    self._damaged(exc)
                elif served is None:
                    self._status = ServiceStatus(state="failed", error=_message(exc))
                else:
                    self._status = replace(self._status, note=f"the new index could not be opened: {_message(exc)}; "
                                                              f"still answering from {_built(served)}")
        finally:
            self._reopening.release()

    def _retry_due(self) -> None:
        """Start another build attempt in the background once the pause after a failed one is over."""
        if self._retry_at is None or time.monotonic() < self._retry_at:
            return
        with self._lock:
            if self._retry_at is not None and not (self._thread and self._thread.is_alive()):
                self._retry_at = None
                if self._status.note:
                    self._status = replace(self._status, note=self._status.note.rsplit("; retrying", 1)[0]
                                           + "; retrying now")
                self._launch()

    @property
    def status(self) -> ServiceStatus:
        """The current build state."""
        return self._status

    @property
    def serving(self) -> Assistant | None:
        """The assistant answering now, if any (without waiting or checking for a newer build)."""
        return self._assistant

    def check(self) -> ServiceStatus:
        """Bring the service up to date (start it, follow a switched CURRENT, retry a failed build when due)."""
        self.start()
        self._follow_current()
        self._retry_due()
        return self._status

    def get(self, *, timeout: float | None = None) -> Assistant:
        """The assistant, waiting up to `timeout` seconds for the build; IndexStateError if it is not there."""
        self.check()
        if self._assistant is not None:  # set before the status says "ready", so never a false "still building"
            return self._assistant
        if not self._ready.wait(timeout):
            raise IndexStateError(f"the index is still being built ({self._status.describe()}); try again shortly")
        if self._assistant is None:
            raise IndexStateError(self._status.describe())
        return self._assistant


def _message(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, LawqaError) else f"{type(exc).__name__}: {exc}"


def _stat(path: Path) -> tuple[int, int, int] | None:
    """What tells a replaced file apart: inode, modification time and size (None when it is missing)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def _current_build(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _build_id(assistant: Assistant) -> str | None:
    index = getattr(assistant, "index", None)
    return index.meta.build_id if index is not None else None


def _built(assistant: Assistant) -> str:
    index = getattr(assistant, "index", None)
    if index is None:
        return "an earlier build"
    return f"build {index.meta.build_id}, {index.meta.built_at:%Y-%m-%d %H:%M} UTC"


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` with each lone surrogate (a broken client, a JSON "\\ud800" escape, undecodable bytes) replaced by
    U+FFFD: such text cannot be encoded as UTF-8, so it could be neither answered nor shown. Python strings
    never hold a valid surrogate pair (it is one code point), so every surrogate is a lone one."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def clean_history(history: list[dict]) -> list[dict]:
    """A conversation's messages with `clean_text` applied to each text content."""
    return [{**m, "content": clean_text(m["content"])} if isinstance(m.get("content"), str) else m for m in history]
