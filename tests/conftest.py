"""Shared fixtures: the real corpus, a fast deterministic embedder, and real servers where tests need them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.corpus.sources import load_corpus
from assistant.index.build import build_index
from assistant.index.embedding import HashEmbedder

# Nothing in the test run may reach the internet (model hubs, telemetry).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def corpus():
    return load_corpus()


@pytest.fixture(scope="session")
def hash_embedder():
    return HashEmbedder()


@pytest.fixture(scope="session")
def hash_data_dir(tmp_path_factory, corpus, hash_embedder) -> Path:
    """A data directory with an index of the bundled corpus built with the hash embedder (fast)."""
    data_dir = tmp_path_factory.mktemp("hash-data")
    build_index(corpus, hash_embedder, data_dir=data_dir)
    return data_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, *, timeout: float = 60.0) -> None:
    """Poll `url` until it answers 200, failing early if the server process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode} before answering {url}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@pytest.fixture()
def chroma_server(tmp_path):
    """A real Chroma server on 127.0.0.1, stopped after the test."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path / "chroma-server"), "--host",
                                "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def hash_assistant(hash_data_dir):
    """The full chain over the hash-embedder index: fast, deterministic, for plumbing tests."""
    from assistant.answering.assistant import Assistant
    from assistant.settings import Settings

    return Assistant(Settings(data_dir=hash_data_dir, embedder="hash"))


@pytest.fixture(scope="session")
def e5_assistant(tmp_path_factory):
    """The real thing: multilingual-e5-small index of the bundled corpus (built once per session, ~20 s)."""
    from assistant.answering.assistant import Assistant
    from assistant.settings import Settings

    return Assistant(Settings(data_dir=tmp_path_factory.mktemp("e5-data")))


@pytest.fixture(autouse=True)
def _no_developer_settings(monkeypatch):
    """A developer's LAWQA_* variables (or .env) must not change what the tests see."""
    from assistant.settings import Settings

    for name in list(os.environ):
        if name.startswith("LAWQA_"):
            monkeypatch.delenv(name)
    monkeypatch.setitem(Settings.model_config, "env_file", None)
