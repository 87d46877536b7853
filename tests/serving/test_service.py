"""The server's service: its build status as the UI shows it, following CURRENT to each new build, a damaged index
reported with its fix, and a failed build answered from the last intact index while it is retried."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from assistant.errors import DamagedIndexError, IndexStateError
from assistant.files import write_atomically
from assistant.index.progress import BuildStep
from assistant.serving.service import AssistantService, ServiceStatus, clean_history, clean_text
from assistant.settings import Settings


def test_build_progress_is_one_overall_figure_in_the_question_language():
    step = BuildStep(stage="precedents", done=1210, total=1514, embedded=600, work_done=37.0, work_total=100.0)
    status = ServiceStatus(state="building", stage=step.stage, done=step.done, total=step.total, step=step,
                           elapsed=30.0)
    assert status.describe("en") == ("First run: indexing 37% · 1,210/1,514 texts (610 cached) · 20.0/s · ETA 0:51 · "
                                     "embedding labelled questions")
    assert status.describe("zh").startswith("首次运行：建立索引 37% · 1,210/1,514 条文本") and "嵌入已标注的问题" in \
        status.describe("zh")
    assert status.fraction == pytest.approx(0.37) and status.eta == pytest.approx(30.0 * 0.63 / 0.37)
    assert ServiceStatus(state="ready").fraction == 1.0 and ServiceStatus(state="starting").eta is None


def test_other_states():
    assert ServiceStatus(state="ready").describe("zh") == "索引已就绪。"
    assert "boom" in ServiceStatus(state="failed", error="boom").describe()
    assert ServiceStatus(state="starting").describe() == "Loading…"


# --- Following the serving build, damaged indexes, failed builds (issue 13, defects 5-7) -----------------------

def _fake(build_id: str, *, stale: bool = False, embedder=None):
    """What the service reads of an Assistant: its index's metadata, its embedder, whether it is stale."""
    meta = SimpleNamespace(build_id=build_id, built_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC), articles=145)
    return SimpleNamespace(index=SimpleNamespace(meta=meta), embedder=embedder or SimpleNamespace(name="hash"),
                           stale=stale)


class Factory:
    """Opens a fake assistant on whatever CURRENT names, or fails as told; records how it was called."""

    def __init__(self, data_dir):
        self.current = data_dir / "index" / "CURRENT"
        self.calls: list[dict] = []
        self.fail_build: Exception | None = None  # raised when asked to build (the first opening, retries)
        self.fail_open: Exception | None = None  # raised when asked to open what is built

    def switch(self, build_id: str) -> None:
        self.current.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.current, build_id)

    def __call__(self, _settings, **kwargs):
        self.calls.append(kwargs)
        opening_only = kwargs.get("build") is False
        if not opening_only and self.fail_build is not None:
            raise self.fail_build
        if opening_only and self.fail_open is not None:
            raise self.fail_open
        return _fake(self.current.read_text().strip(), stale=opening_only and self.fail_build is not None,
                     embedder=kwargs.get("embedder"))


@pytest.fixture()
def factory(tmp_path):
    made = Factory(tmp_path)
    made.switch("build-1")
    return made


def _service(tmp_path, factory, **kwargs) -> AssistantService:
    return AssistantService(Settings(data_dir=tmp_path, embedder="hash"), factory=factory, **kwargs).start()


def test_a_server_follows_current_to_each_new_build(tmp_path, factory):
    service = _service(tmp_path, factory)
    first = service.get(timeout=10)
    assert first.index.meta.build_id == "build-1" and service.status.health == "ok"
    for build_id in ("build-2", "build-3"):
        factory.switch(build_id)
        assert service.get(timeout=10).index.meta.build_id == build_id
    # Reopened without building, keeping the embedder (no second model load), and only when CURRENT changed.
    assert [(c["build"], c["stale"]) for c in factory.calls[1:]] == [(False, True)] * 2
    assert all(c["embedder"] is first.embedder for c in factory.calls[1:])
    service.get(timeout=10)
    factory.switch("build-3")  # rewritten with the build that serves: nothing to reopen
    service.get(timeout=10)
    assert len(factory.calls) == 3


def test_a_damaged_index_is_reported_degraded_with_the_fix_until_current_changes(tmp_path, factory):
    damaged = DamagedIndexError("index file /x/passages.jsonl is damaged: 0 bytes where the build wrote 9; run "
                                "`lawqa index` to repair it", path="/x/passages.jsonl")
    factory.fail_build = factory.fail_open = damaged
    service = _service(tmp_path, factory)
    with pytest.raises(IndexStateError, match=r"The index is damaged: index file /x/passages.jsonl .* run `lawqa index`"):
        service.get(timeout=10)
    assert (service.status.state, service.status.health, service.status.damaged) == ("failed", "degraded", True)
    calls = len(factory.calls)
    with pytest.raises(IndexStateError):
        service.get(timeout=10)  # not retried: building again would find the damaged build up to date
    assert len(factory.calls) == calls
    factory.fail_build = factory.fail_open = None
    factory.switch("build-2")  # what `lawqa index` does when it repairs the build
    assert service.get(timeout=10).index.meta.build_id == "build-2" and service.status.health == "ok"


def test_a_damaged_newer_build_leaves_the_older_one_answering(tmp_path, factory):
    service = _service(tmp_path, factory)
    service.get(timeout=10)
    factory.fail_open = DamagedIndexError("index file /b2/tokens.json is damaged: …; run `lawqa index` to repair it",
                                          path="/b2/tokens.json")
    factory.switch("build-2")
    assert service.get(timeout=10).index.meta.build_id == "build-1"
    assert service.status.health == "degraded" and "tokens.json is damaged" in service.status.note


def test_a_failed_build_serves_the_last_intact_index_and_retries_with_a_growing_pause(tmp_path, factory):
    factory.fail_build = IndexStateError("cannot write the index in /d/index: No space left on device (/d); free "
                                         "some space …")
    service = _service(tmp_path, factory, retry_after=0.2)
    answering = service.get(timeout=10)
    assert answering.stale and service.status.state == "ready" and service.status.health == "degraded"
    assert "No space left on device" in service.status.note and "retrying in 0 s" in service.status.note
    builds = sum(c.get("build") is not False for c in factory.calls)
    service.get(timeout=10)
    assert sum(c.get("build") is not False for c in factory.calls) == builds  # not before the pause is over
    time.sleep(0.25)
    service.get(timeout=10)  # due: one retry starts in the background, the old index answers meanwhile
    service._thread.join(10)
    assert sum(c.get("build") is not False for c in factory.calls) == builds + 1
    assert service.get(timeout=10).stale and service._retry_at - time.monotonic() > 0.3  # the pause doubled
    factory.fail_build = None
    time.sleep(0.45)
    service.get(timeout=10)
    service._thread.join(10)
    assert not service.get(timeout=10).stale and service.status.health == "ok" and service.status.note is None


def test_a_failed_first_build_with_nothing_to_fall_back_on_fails_clearly(tmp_path, factory):
    factory.fail_build = RuntimeError("simulated crash")
    factory.fail_open = IndexStateError("no index in /d/index; run `lawqa index` to build it")
    service = _service(tmp_path, factory, retry_after=60)
    with pytest.raises(IndexStateError, match=r"Building the index failed: RuntimeError: simulated crash \(retrying "
                                              r"in 60 s\)"):
        service.get(timeout=10)
    assert service.status.health == "failed"


def test_progress_of_a_retry_does_not_hide_the_answering_index(tmp_path, factory):
    release = threading.Event()

    def slow(settings, **kwargs):
        if kwargs.get("build") is not False and factory.calls:
            kwargs["progress"](SimpleNamespace(stage="embedding", done=1, total=2, fraction=0.5))
            release.wait(10)
        return factory(settings, **kwargs)

    factory.fail_build = IndexStateError("read-only file system")
    service = _service(tmp_path, slow, retry_after=0.01)
    service.get(timeout=10)
    factory.fail_build = None
    time.sleep(0.02)
    service.get(timeout=10)  # starts the retry, which reports progress
    assert service.status.state == "ready" and "retrying now" in service.status.note
    release.set()
    service._thread.join(10)


def test_lone_surrogates_are_cleaned_before_they_reach_the_assistant():
    assert clean_text("AI \udc80 ethics\ud800?") == "AI \ufffd ethics\ufffd?"
    assert clean_text("上海 😀") == "上海 😀"  # a real astral character is one code point, untouched
    assert clean_history([{"role": "user", "content": "x\ud800"}]) == [{"role": "user", "content": "x\ufffd"}]
    clean_text("AI \udc80").encode("utf-8")  # encodable now
