"""The command line: each command's output, and user errors as one clear line with a non-zero status."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.cli import main


@pytest.fixture()
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("LAWQA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LAWQA_EMBEDDER", "hash")
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_index_builds_then_reports_up_to_date(env, capsys):
    status, out, err = run(capsys, "index")
    assert status == 0 and "Indexed 145 articles as 680 passages" in out and "608 embedded" in out
    # One progress line for the whole build; not a terminal here, so a plain line per tenth and one at the end.
    lines = err.splitlines()
    assert 2 <= len(lines) <= 11 and all(line.startswith("indexing ") for line in lines)
    assert lines[0].startswith("indexing 0% · 0/1,514 texts") and "ETA" in lines[0]
    assert lines[-1].startswith("indexing 100% · 1,514/1,514 texts") and " took " in lines[-1]
    assert "0 from the bundled vector cache" in out  # the shipped vectors are multilingual-e5-small's
    status, out, _ = run(capsys, "index")
    assert status == 0 and out.startswith("Index is up to date (145 articles, 680 passages, embedder hash)")


def test_articles_json_lists_every_article_with_texts(env, capsys):
    status, out, _ = run(capsys, "articles", "--json")
    records = json.loads(out)
    assert status == 0 and len(records) == 145
    shanghai_66 = next(r for r in records if r["id"] == "shanghai-ai-2022:66")
    assert shanghai_66["regulation"] == "shanghai-ai-2022" and shanghai_66["article"] == 66
    assert shanghai_66["chapter"] == {"number": 5, "title": {"en": "Industry Governance and Security",
                                                             "zh": "产业治理与安全"}}
    assert set(shanghai_66["text"]) == {"zh", "en"} and len(shanghai_66["translations"]) == 3
    status, out, _ = run(capsys, "articles", "--regulation", "shenzhen-ai-2022", "--json")
    assert [r["article"] for r in json.loads(out)] == list(range(1, 74))


def test_show_prints_chapter_and_both_languages(env, capsys):
    status, out, _ = run(capsys, "show", "shanghai-ai-2022", "66")
    assert status == 0
    assert "《上海市促进人工智能产业发展条例》\n第五章 产业治理与安全\n第六十六条\n本市设立人工智能伦理专家委员会" in out
    assert "Chapter 5 Industry Governance and Security\nArticle 66\nThe Municipality shall establish" in out


@pytest.mark.parametrize("argv, message", [
    (["show", "shenzhen-ai-2022", "99"], "shenzhen-ai-2022 has no article 99; it has articles 1-73"),
    (["show", "beijing-ai-2023", "1"], "unknown regulation 'beijing-ai-2023'; give an id or a name (known regulations:"),
    (["articles", "--regulation", "nope"], "unknown regulation 'nope'"),
    (["add", "missing.txt", "--id", "x-2023", "--title", "X"], "missing.txt: cannot be read"),
])
def test_user_errors_are_one_line(env, capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 1 and out == ""
    assert err.startswith("lawqa: error: ") and message in err and err.count("\n") == 1


def test_bad_setting_names_the_variable(env, capsys, monkeypatch):
    monkeypatch.setenv("LAWQA_EMBED_THREADS", "many")
    status, _, err = run(capsys, "index")
    assert status == 1 and err.startswith("lawqa: error: LAWQA_EMBED_THREADS='many'")


def test_add_then_index_then_show(env, capsys):
    source = env / "rules.md"
    source.write_text("## 第一条 为了测试，制定本规定。\n\n## 第二条 本规定自发布之日起施行。\n", encoding="utf-8")
    status, out, _ = run(capsys, "add", str(source), "--id", "test-rules-2024", "--title", "测试规定",
                         "--effective", "2024-01-01")
    assert status == 0 and "Added test-rules-2024: 2 articles" in out
    assert run(capsys, "index")[0] == 0
    status, out, _ = run(capsys, "show", "test-rules-2024", "2")
    assert status == 0 and "本规定自发布之日起施行。" in out
    status, _, err = run(capsys, "add", str(source), "--id", "test-rules-2024", "--title", "again")
    assert status == 1 and "already taken" in err


def test_usage_errors_exit_2_and_module_entry_point(env):
    result = subprocess.run([sys.executable, "-m", "assistant", "show"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2 and "Missing argument" in result.stderr and "Traceback" not in result.stderr
    result = subprocess.run([sys.executable, "-m", "assistant", "--help"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and "index" in result.stdout and "articles" in result.stdout


def test_articles_table_has_a_header_and_fits_100_columns(env, capsys):
    import unicodedata

    status, out, _ = run(capsys, "articles", "-r", "shanghai")
    lines = out.splitlines()
    assert status == 0 and lines[0].split()[:3] == ["article", "chapter", "text"] and len(lines) == 73

    def columns(line):
        return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)
    assert max(columns(line) for line in lines) <= 100


def test_version_and_names_for_ids(env, capsys):
    status, out, _ = run(capsys, "--version")
    assert status == 0 and out.startswith("lawqa ")
    status, out, _ = run(capsys, "show", "深圳", "第四十四条")
    assert status == 0 and "Article 44" in out
    status, out, _ = run(capsys, "show", "shanghai", "66", "--json")
    assert status == 0 and json.loads(out)["id"] == "shanghai-ai-2022:66"


def test_chat_slash_commands_are_never_sent_as_questions(tmp_path):
    import os

    env = {**os.environ, "LAWQA_DATA_DIR": str(tmp_path / "data"), "LAWQA_EMBEDDER": "hash"}
    script = "/help\n/regulation shanghai\n/nonsense\n/regulation\n/quit\n"
    result = subprocess.run([sys.executable, "-m", "assistant", "chat"], input=script, capture_output=True, check=False,
                            text=True, env=env, timeout=300)
    assert result.returncode == 0
    assert "commands: /help" in result.stdout and "(searching shanghai-ai-2022)" in result.stdout
    assert "unknown command /nonsense" in result.stdout and "(searching all regulations)" in result.stdout
    assert "Sources:" not in result.stdout  # nothing was answered
