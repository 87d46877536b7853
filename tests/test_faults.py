"""Faults a careful operator tries before trusting the service (issue 13): kill -9 during `lawqa index`, damaged
build files, parallel `lawqa add`s, a full disk, a server that outlives two builds, and hostile command-line input.

Everything runs on the hash embedder, against copies of one index built per session; servers are the
in-process AssistantService behind the REST app.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from fastapi.testclient import TestClient

from assistant.cli import main
from assistant.corpus.sources import load_corpus
from assistant.errors import IndexStateError
from assistant.index.builds import index_root, read_meta
from assistant.serving.api import create_api
from assistant.serving.service import AssistantService
from assistant.settings import Settings

DRONES = "Article 1 {name} drone pilots shall register each drone.\nArticle 2 These {name} rules take effect on 1 May.\n"


@pytest.fixture()
def data_dir(tmp_path, hash_data_dir, monkeypatch):
    """A copy of the session's hash-embedder index, which the CLI (LAWQA_* variables) and servers use."""
    copy = tmp_path / "data"
    shutil.copytree(hash_data_dir, copy)
    monkeypatch.setenv("LAWQA_DATA_DIR", str(copy))
    monkeypatch.setenv("LAWQA_EMBEDDER", "hash")
    return copy


def _builds(data_dir) -> set[str]:
    return {p.name for p in (index_root(data_dir) / "builds").iterdir()}


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _add(capsys, tmp_path, name: str) -> None:
    source = tmp_path / f"{name}.txt"
    source.write_text(DRONES.format(name=name), encoding="utf-8")
    status, _, err = _cli(capsys, "add", str(source), "--id", f"{name.lower()}-drones-2023", "--title",
                          f"{name} Drone Rules")
    assert status == 0, err


def _env(data_dir) -> dict[str, str]:
    return {**os.environ, "LAWQA_DATA_DIR": str(data_dir), "LAWQA_EMBEDDER": "hash"}


def test_kill_9_during_lawqa_index_leaves_the_old_build_serving_and_the_next_index_completes(data_dir, capsys):
    old = read_meta(data_dir).build_id
    child = subprocess.Popen([sys.executable, "-m", "assistant", "index", "--rebuild"], env=_env(data_dir),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(_builds(data_dir)) < 2 and time.monotonic() < deadline:  # the new build has started writing
        assert child.poll() is None, "the build ended before it could be killed"
        time.sleep(0.02)
    time.sleep(0.3)
    assert child.poll() is None, "the build ended before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=10) == -signal.SIGKILL
    assert read_meta(data_dir).build_id == old and len(_builds(data_dir)) == 2  # a half-written build is left
    status, out, _ = _cli(capsys, "ask", "深圳条例第七十一条规定了什么？", "--json")
    assert status == 0 and json.loads(out)["citations"] == [{"regulation": "shenzhen-ai-2022", "article": 71}]
    status, out, _ = _cli(capsys, "index")
    assert status == 0 and out.startswith("Index is up to date") and _builds(data_dir) == {old}  # and cleaned up
    status, out, _ = _cli(capsys, "index", "--rebuild")  # the lock died with the child
    assert status == 0 and out.startswith("Indexed 145 articles") and len(_builds(data_dir)) == 2


def _empty(path):
    path.write_bytes(b"")


def _garble(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 3: len(data) // 3 + 8] = b"\x00garble\x00"
    path.write_bytes(bytes(data))


def _truncate(path):
    path.write_bytes(path.read_bytes()[:1000])


@pytest.mark.parametrize("name, damage, serves", [
    ("passages.jsonl", _empty, False),
    ("tokens.json", _garble, False),
    ("vectors.npz", _truncate, True),  # a copy of the vector store's contents: the store answers instead
])
def test_damaged_build_files_are_named_and_lawqa_index_repairs_them(data_dir, capsys, name, damage, serves):
    build_dir = index_root(data_dir) / "builds" / read_meta(data_dir).build_id
    damage(build_dir / name)
    status, out, err = _cli(capsys, "ask", "深圳条例第七十一条规定了什么？", "--json")
    if serves:
        assert status == 0 and json.loads(out)["citations"] == [{"regulation": "shenzhen-ai-2022", "article": 71}]
    else:
        assert status == 1 and out == "" and err.count("\n") == 1
        assert err.startswith(f"lawqa: error: index file {build_dir / name} is damaged") and \
            "run `lawqa index` to repair it" in err
    status, out, _ = _cli(capsys, "index")
    assert status == 0 and f"The previous index was damaged ({name}); built it again." in out and "608 reused" in out
    status, out, _ = _cli(capsys, "ask", "深圳条例第七十一条规定了什么？", "--json")
    assert status == 0 and json.loads(out)["citations"] == [{"regulation": "shenzhen-ai-2022", "article": 71}]


@pytest.mark.slow
def test_parallel_adds_while_a_server_answers_all_land_and_a_taken_id_is_refused(data_dir, tmp_path, capsys):
    service = AssistantService(Settings(data_dir=data_dir, embedder="hash")).start()
    service.get(timeout=60)
    env = _env(data_dir)
    files = []
    for i in range(8):
        files.append(tmp_path / f"r{i}.txt")
        files[-1].write_text(DRONES.format(name=f"Rule{i}"), encoding="utf-8")
    command = [sys.executable, "-m", "assistant", "add"]
    distinct = [subprocess.Popen([*command, str(f), "--id", f"reg-{i}-2023", "--title", f"Rules {i}"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i, f in enumerate(files)]
    same = [subprocess.Popen([*command, str(f), "--id", "same-id-2023", "--title", "Same"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for f in files[:3]]
    assert [p.wait(timeout=180) for p in distinct] == [0] * 8
    codes = [p.wait(timeout=180) for p in same]
    refusals = [p.stderr.read().decode() for p in same if p.returncode]
    assert sorted(codes) == [0, 1, 1]
    assert all(r.count("\n") == 1 and "already taken" in r and "Traceback" not in r for r in refusals)
    added = {f"reg-{i}-2023" for i in range(8)} | {"same-id-2023"}
    assert added <= set(load_corpus(data_dir).ids)
    assert service.get().corpus.ids == ("shanghai-ai-2022", "shenzhen-ai-2022")  # until `lawqa index`
    status, _, _ = _cli(capsys, "index")
    assert status == 0 and added <= set(service.get().corpus.ids)  # the server follows the new build


def test_a_server_outlives_two_builds(data_dir, tmp_path, capsys):
    service = AssistantService(Settings(data_dir=data_dir, embedder="hash")).start()
    client = TestClient(create_api(service, Settings(data_dir=data_dir, embedder="hash")))
    first = read_meta(data_dir).build_id
    assert client.post("/v1/ask", json={"question": "What does Article 66 of the Shanghai regulation say?"}) \
        .status_code == 200
    for name in ("Alpha", "Beta"):
        _add(capsys, tmp_path, name)
        status, _, err = _cli(capsys, "index")
        assert status == 0, err
        answer = client.post("/v1/ask", json={"question": f"Must {name} drone pilots register each drone?",
                                              "regulation": f"{name.lower()}-drones-2023"})
        assert answer.status_code == 200
        assert answer.json()["citations"] == [{"regulation": f"{name.lower()}-drones-2023", "article": 1}]
        health = client.get("/healthz").json()
        assert health["status"] == "ok" and health["index"] == read_meta(data_dir).build_id
    gc.collect()  # the first assistant, no longer referenced, lets go of its build ...
    status, _, _ = _cli(capsys, "index", "--rebuild")
    assert status == 0 and first not in _builds(data_dir) and len(_builds(data_dir)) == 2  # ... which goes


HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from assistant.index.embedding import HashEmbedder
    from assistant.index.search_index import open_index
    index = open_index(Path(sys.argv[1]), HashEmbedder())
    print(index.meta.build_id, flush=True)
    time.sleep(120)
""")


@pytest.mark.slow
def test_a_build_a_live_process_reads_is_kept_and_goes_after_kill_9(data_dir, capsys):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(data_dir)], stdout=subprocess.PIPE, text=True)
    try:
        held = holder.stdout.readline().strip()
        for _ in range(2):
            assert _cli(capsys, "index", "--rebuild")[0] == 0
        assert held in _builds(data_dir) and len(_builds(data_dir)) == 3  # kept beyond the previous build
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert _cli(capsys, "index", "--rebuild")[0] == 0
    assert held not in _builds(data_dir) and len(_builds(data_dir)) == 2


def test_a_server_starting_on_a_full_disk_answers_from_the_last_index_and_retries(data_dir, tmp_path, capsys,
                                                                                 monkeypatch):
    import assistant.index.build as build_module

    _add(capsys, tmp_path, "Gamma")  # the server must build at start, and the disk is full
    old = _builds(data_dir)
    real = build_module.save_term_table

    def disk_full(path, table):
        path.write_text("{")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(build_module, "save_term_table", disk_full)
    settings = Settings(data_dir=data_dir, embedder="hash")
    service = AssistantService(settings, retry_after=0.5).start()
    client = TestClient(create_api(service, settings))
    assert service.get(timeout=60).stale and _builds(data_dir) == old  # the partial build is gone
    health = client.get("/healthz").json()
    assert health["status"] == "degraded" and health["state"] == "ready"
    assert "No space left on device" in health["note"] and "answering from the last complete index" in health["note"]
    answer = client.post("/v1/ask", json={"question": "深圳条例第七十一条规定了什么？"})
    assert answer.status_code == 200 and answer.json()["citations"] == [{"regulation": "shenzhen-ai-2022",
                                                                          "article": 71}]
    monkeypatch.setattr(build_module, "save_term_table", real)  # space freed
    time.sleep(0.6)
    client.get("/healthz")  # the retry is due: it starts in the background
    service._thread.join(60)
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and "note" not in health
    assert "gamma-drones-2023" in service.get().corpus.ids


def test_a_damaged_index_makes_the_server_degraded_with_the_fix_until_lawqa_index(data_dir, capsys):
    build_dir = index_root(data_dir) / "builds" / read_meta(data_dir).build_id
    (build_dir / "passages.jsonl").write_text("")
    settings = Settings(data_dir=data_dir, embedder="hash")
    service = AssistantService(settings).start()
    client = TestClient(create_api(service, settings))
    with pytest.raises(IndexStateError, match=r"passages\.jsonl is damaged"):
        service.get(timeout=60)
    health = client.get("/healthz").json()
    assert health["status"] == "degraded" and "passages.jsonl is damaged" in health["error"]
    answer = client.post("/v1/ask", json={"question": "深圳条例第七十一条规定了什么？"})
    assert answer.status_code == 503
    assert "passages.jsonl is damaged" in answer.json()["detail"] and "run `lawqa index`" in answer.json()["detail"]
    assert _cli(capsys, "index")[0] == 0
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.post("/v1/ask", json={"question": "深圳条例第七十一条规定了什么？"}).status_code == 200


@pytest.fixture()
def hostile(tmp_path):
    """Files a careless or hostile user might pass: lone surrogates, deep nesting, a directory, a FIFO."""
    (tmp_path / "surrogate.json").write_text('[{"role": "user", "content": "AI \\ud800 ethics"}]')
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "a-file").write_text("not a directory")
    return tmp_path


@pytest.mark.parametrize("argv, variables, message", [
    (["ask", "AI?", "--history", "{dir}/surrogate.json"], {}, "message 0 holds a lone surrogate ('\\ud800'"),
    (["ask", "AI?", "--history", "{dir}/deep.json"], {}, "is nested too deeply to be a history"),
    (["ask", "AI?", "--history", "{dir}/folder"], {}, "folder is a directory; give a file"),
    (["ask", "AI?", "--history", "{dir}/fifo"], {}, "fifo is not a regular file (a pipe or device)"),
    (["add", "{dir}/fifo", "--id", "x-2023", "--title", "X"], {}, "is not a regular file (a pipe or device)"),
    (["show", "shanghai", "9" * 5000], {}, "(5,000 characters) is not an article number"),
    (["articles"], {"LAWQA_DATA_DIR": "{dir}/a-file"}, "a-file is a file, not a directory"),
    (["index"], {"LAWQA_DATA_DIR": "{dir}/a-file/data"}, "Not a directory"),
])
def test_hostile_command_line_input_gets_one_line_and_status_1(data_dir, hostile, argv, variables, message):
    # A subprocess, so that a FIFO that blocked, or a traceback, could not hide in this process.
    argv = [a.format(dir=hostile) for a in argv]
    env = {**_env(data_dir), **{k: v.format(dir=hostile) for k, v in variables.items()}}
    result = subprocess.run([sys.executable, "-m", "assistant", *argv], env=env, capture_output=True, text=True, check=False,
                            timeout=60)
    assert result.returncode == 1 and result.stdout == "", result.stderr
    assert result.stderr.startswith("lawqa: error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr


def test_a_lone_surrogate_in_argv_is_one_line(data_dir):
    # Bytes that are not UTF-8 reach Python as lone surrogates (surrogateescape), e.g. from a Latin-1 terminal.
    result = subprocess.run([sys.executable, "-m", "assistant", "ask", b"\xe9t\xe9 \x80?"], env=_env(data_dir), check=False,
                            capture_output=True, timeout=60)
    assert result.returncode == 1 and result.stdout == b""
    assert result.stderr.decode() == ("lawqa: error: argument 2 (b'\\xe9t\\xe9 \\x80?') is not UTF-8 text; pass UTF-8 "
                                      "(check the terminal's and the shell's locale)\n")
    status = main(["ask", "AI \udc80?"])
    assert status == 1
