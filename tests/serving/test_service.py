"""The server's build status, as the UI shows it while the first index is built."""

from __future__ import annotations

from assistant.serving.service import ServiceStatus


def test_build_stages_are_described_in_the_question_language():
    status = ServiceStatus(state="building", stage="precedents", done=64, total=426)
    assert status.describe("en") == "Building the index (first run): embedding labelled questions 64/426"
    assert status.describe("zh") == "正在建立索引（首次运行）：嵌入已标注的问题 64/426"
    assert "embedding passages" in ServiceStatus(state="building", stage="embedding", done=1, total=2).describe()


def test_other_states():
    assert ServiceStatus(state="ready").describe("zh") == "索引已就绪。"
    assert "boom" in ServiceStatus(state="failed", error="boom").describe()
    assert ServiceStatus(state="starting").describe() == "Loading…"
