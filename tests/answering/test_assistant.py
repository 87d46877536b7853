"""The Assistant end to end, and the `lawqa ask --json` contract that outside tools rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant.answering.answer import Answer
from assistant.answering.assistant import Assistant
from assistant.errors import IndexStateError, InputError
from assistant.settings import Settings

CONTRACT_KEYS = ["answer", "citations", "language", "abstained", "retrieved", "dropped_citations", "mode", "see_also", "note"]


def test_ask_returns_a_verified_answer(hash_assistant):
    answer = hash_assistant.ask("深圳条例第七十一条规定了什么？")
    assert answer.citations[0].id == "shenzhen-ai-2022:71" and answer.language == "zh"
    assert {c.id for c in answer.citations} <= {h.article.id for h in answer.retrieved}


def test_stream_yields_text_then_the_answer(hash_assistant):
    pieces = list(hash_assistant.stream("What does Article 44 of the Shenzhen regulation say?"))
    assert isinstance(pieces[-1], Answer) and "".join(pieces[:-1]) == pieces[-1].text


def test_history_as_dicts(hash_assistant):
    history = [{"role": "user", "content": "上海对人工智能伦理委员会有什么规定？"},
               {"role": "assistant", "content": "根据《上海市促进人工智能产业发展条例》第六十六条……"}]
    answer = hash_assistant.ask("那深圳呢？", history=history)
    assert all(h.article.regulation == "shenzhen-ai-2022" for h in answer.retrieved)
    with pytest.raises(InputError, match="history item 0"):
        hash_assistant.ask("那深圳呢？", history=[{"role": "bot", "content": "x"}])


def test_bad_mode_and_regulation(hash_assistant):
    with pytest.raises(InputError, match="mode 'poetry' is not known"):
        hash_assistant.ask("算法", mode="poetry")
    with pytest.raises(InputError, match="unknown regulation 'beijing-ai-2023'"):
        hash_assistant.ask("算法", regulation="beijing-ai-2023")


def test_first_use_builds_the_index_and_reports_progress(tmp_path):
    seen = []
    assistant = Assistant(Settings(data_dir=tmp_path, embedder="hash"), progress=seen.append)
    assert assistant.index.meta.articles == 145  # 217 article + 391 paragraph passages, then 906 questions
    assert any(s.stage == "embedding" and s.done == 608 for s in seen) and seen[-1].finished
    with pytest.raises(IndexStateError, match="no index"):
        Assistant(Settings(data_dir=tmp_path / "empty", embedder="hash"), build=False)


def test_other_embedder_is_refused_not_rebuilt(hash_data_dir):
    with pytest.raises(IndexStateError, match=r"Index built with hash .* run `lawqa index --rebuild`"):
        Assistant(Settings(data_dir=hash_data_dir, embedder="multilingual-e5-small"))


def run_cli(data_dir, *args, embedder="hash"):
    env = {**os.environ, "LAWQA_DATA_DIR": str(data_dir), "LAWQA_EMBEDDER": embedder}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def test_ask_json_contract(hash_data_dir, tmp_path):
    history = tmp_path / "history.json"
    history.write_text(json.dumps([{"role": "user", "content": "What does Shanghai say about ethics?"},
                                   {"role": "assistant", "content": "Article 66 of the Shanghai Regulations …"}]))
    result = run_cli(hash_data_dir, "ask", "What about Shenzhen?", "--history", str(history), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # exactly one JSON object on stdout
    assert list(data) == CONTRACT_KEYS
    assert isinstance(data["answer"], str) and data["language"] == "en" and isinstance(data["abstained"], bool)
    assert all(set(c) == {"regulation", "article"} for c in data["citations"])
    assert all(set(r) == {"regulation", "article", "score"} and isinstance(r["score"], float)
               for r in data["retrieved"])
    assert all(set(d) == {"regulation", "article", "reason"} for d in data["dropped_citations"])


@pytest.mark.parametrize("args, message", [
    (["ask", "", "--json"], "the question is empty"),
    (["ask", "算法", "--regulation", "beijing-ai-2023"], "unknown regulation 'beijing-ai-2023'"),
    (["ask", "算法", "--history", "/no/such/file.json"], "history file /no/such/file.json not found"),
    (["ask", "算法", "--mode", "poetry"], "--mode 'poetry' is not known"),
])
def test_ask_bad_input_is_one_line(hash_data_dir, args, message):
    result = run_cli(hash_data_dir, *args)
    assert result.returncode == 1 and result.stdout == ""
    assert message in result.stderr and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_unreadable_history_is_one_line(hash_data_dir, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("[{'role': 'user'")
    result = run_cli(hash_data_dir, "ask", "算法", "--history", str(broken))
    assert result.returncode == 1 and "is not valid UTF-8 JSON" in result.stderr


@pytest.mark.slow
def test_ask_json_with_the_real_embedder(e5_assistant):
    result = run_cli(e5_assistant.settings.data_dir, "ask", "深圳条例第七十一条规定了什么？", "--json",
                     embedder="multilingual-e5-small")
    data = json.loads(result.stdout)
    assert data["citations"] == [{"regulation": "shenzhen-ai-2022", "article": 71}] and data["language"] == "zh"


def test_public_names_are_exported_from_the_package():
    import assistant

    assert sorted(assistant.__all__) == sorted(assistant._EXPORTS)
    assert assistant.Assistant is Assistant and assistant.Settings is Settings
    assert all(getattr(assistant, name) is not None for name in assistant.__all__)
