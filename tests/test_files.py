"""Atomic writes: the old content survives a failed write, and no temporary file is left behind."""

from __future__ import annotations

import os

import pytest

from assistant.files import write_atomically


def test_write_replaces_the_whole_file(tmp_path):
    path = tmp_path / "meta.json"
    write_atomically(path, "第一版")
    write_atomically(path, b"second")
    assert path.read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == ["meta.json"]


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "CURRENT"
    path.write_text("build-1", encoding="utf-8")

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, "build-2")
    assert path.read_text(encoding="utf-8") == "build-1"
    assert [p.name for p in tmp_path.iterdir()] == ["CURRENT"]
