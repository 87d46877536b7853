"""The assistant behind a server: built in the background on first run, shared by the UI and the REST API.

Building the index on a first run takes tens of seconds; the server answers at once and shows progress
instead of a frozen page, and requests that need the assistant wait for it (or report the build state).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from ..answering.assistant import Assistant
from ..errors import IndexStateError, LawqaError
from ..index.build import STAGES
from ..settings import Settings


@dataclass(frozen=True)
class ServiceStatus:
    """Where the background build is."""

    state: str  # "starting", "building", "ready" or "failed"
    stage: str = ""
    done: int = 0
    total: int = 0
    error: str | None = None

    def describe(self, language: str = "en") -> str:
        """A one-line description for the UI."""
        if self.state == "ready":
            return "索引已就绪。" if language == "zh" else "Index ready."
        if self.state == "failed":
            return (f"索引建立失败：{self.error}" if language == "zh" else f"Building the index failed: {self.error}")
        if self.total:
            stage = STAGES.get(self.stage, {}).get(language, self.stage)
            return (f"正在建立索引（首次运行）：{stage} {self.done}/{self.total}" if language == "zh"
                    else f"Building the index (first run): {stage} {self.done}/{self.total}")
        return "正在加载……" if language == "zh" else "Loading…"


class AssistantService:
    """Holds the one Assistant of a server process."""

    def __init__(self, settings: Settings, *, factory: Callable[..., Assistant] = Assistant):
        self.settings = settings
        self._factory = factory
        self._assistant: Assistant | None = None
        self._status = ServiceStatus(state="starting")
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> AssistantService:
        """Start building (once, or again after a failed build); returns immediately."""
        with self._lock:
            if self._thread is None or (self._status.state == "failed" and not self._thread.is_alive()):
                self._ready.clear()
                self._status = ServiceStatus(state="starting")
                self._thread = threading.Thread(target=self._build, name="lawqa-build", daemon=True)
                self._thread.start()
        return self

    def _progress(self, stage: str, done: int, total: int) -> None:
        self._status = ServiceStatus(state="building", stage=stage, done=done, total=total)

    def _build(self) -> None:
        try:
            self._assistant = self._factory(self.settings, progress=self._progress)
            self._status = ServiceStatus(state="ready")
        except LawqaError as exc:
            self._status = ServiceStatus(state="failed", error=str(exc))
        except Exception as exc:  # noqa: BLE001 - a server must report, not die, when the build breaks
            self._status = ServiceStatus(state="failed", error=f"{type(exc).__name__}: {exc}")
        finally:
            self._ready.set()

    @property
    def status(self) -> ServiceStatus:
        """The current build state."""
        return self._status

    def get(self, *, timeout: float | None = None) -> Assistant:
        """The assistant, waiting up to `timeout` seconds for the build; IndexStateError if it is not there."""
        self.start()
        if self._assistant is not None:  # set before the status says "ready", so never a false "still building"
            return self._assistant
        if not self._ready.wait(timeout):
            raise IndexStateError(f"the index is still being built ({self._status.describe()}); try again shortly")
        if self._assistant is None:
            raise IndexStateError(self._status.error or "the assistant could not be started")
        return self._assistant
