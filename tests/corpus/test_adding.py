"""Adding regulations: validated completely first, written in one step, nothing changed by a bad file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from assistant.corpus.adding import (
    _id_for,
    add_manifest,
    add_regulation,
    add_regulations,
    add_translation,
    new_from_directory,
)
from assistant.corpus.manifest import REGULATION_ID_PATTERN
from assistant.corpus.sources import USER_MANIFEST, load_corpus
from assistant.errors import InputError, SourceError

GOOD = "第一章 总则\n第一条 为了促进无人机产业发展，制定本条例。\n第二条 本条例自2023年1月1日起施行。\n"


def test_add_regulation_then_load_it(tmp_path):
    source = tmp_path / "drones.md"
    source.write_text(GOOD, encoding="utf-8")
    data = tmp_path / "data"
    regulation = add_regulation(data, source, regulation_id="test-drones-2023", title="无人机条例")
    assert [a.number for a in regulation.articles] == [1, 2]
    corpus = load_corpus(data)
    assert corpus.ids[-1] == "test-drones-2023"
    assert corpus.article("test-drones-2023", 1).chapter.title("zh") == "总则"
    (copy,) = (data / "regulations" / "sources").glob("test-drones-2023-*.md")
    assert copy.read_text(encoding="utf-8") == GOOD


@pytest.mark.parametrize("content, regulation_id, error, message", [
    (GOOD, "shanghai-ai-2022", InputError, "already taken"),
    ("第一条 一。\n第三条 三。\n", "gap-2023", SourceError, "expected 第二条"),
    (b"\xff\xfe\x00A\x00r\x00t", "utf16-2023", SourceError, "UTF-16 \\(little-endian\\) text; save it as UTF-8"),
    ("第一条 一。\n".encode() + b"\x00" * 3, "binary-2023", SourceError, "binary file"),
    ("no articles at all\n", "empty-2023", SourceError, "no article headings found"),
    ("第一条 " + "很长" * 30_000 + "\n第二条 二。\n", "long-2023", SourceError,
     "第一条 is 60,006 characters long, over the 50,000-character limit for one article"),
])
def test_bad_additions_change_nothing(tmp_path, content, regulation_id, error, message):
    data = tmp_path / "data"
    first = tmp_path / "first.txt"
    first.write_text(GOOD, encoding="utf-8")
    add_regulation(data, first, regulation_id="first-2023", title="第一个")
    before = (data / USER_MANIFEST).read_bytes()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(error, match=message):
        add_regulation(data, bad, regulation_id=regulation_id, title="坏的")
    assert (data / USER_MANIFEST).read_bytes() == before
    assert [p.name[:11] for p in (data / "regulations" / "sources").iterdir()] == ["first-2023-"]
    assert load_corpus(data).ids[-1] == "first-2023"


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_parallel_adds_keep_every_entry_and_refuse_a_taken_id(tmp_path):
    import subprocess
    import sys

    data = tmp_path / "data"
    env = {**os.environ, "LAWQA_DATA_DIR": str(data)}
    files = [_write(tmp_path / f"r{i}.md", GOOD.replace("无人机", f"无人机{i}")) for i in range(8)]
    processes = [subprocess.Popen([sys.executable, "-m", "assistant", "add", str(f), "--id", f"reg-{i}-2023",
                                   "--title", f"条例{i}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for i, f in enumerate(files)]
    assert [p.wait(timeout=120) for p in processes] == [0] * 8
    assert {i for i in load_corpus(data).ids if i.startswith("reg-")} == {f"reg-{i}-2023" for i in range(8)}
    same = [subprocess.Popen([sys.executable, "-m", "assistant", "add", str(f), "--id", "same-id", "--title", "同一个"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for f in files[:3]]
    codes = [p.wait(timeout=120) for p in same]
    assert sorted(codes) == [0, 1, 1]
    assert "already taken" in b"".join(p.stderr.read() for p in same).decode()
    assert load_corpus(data).ids.count("same-id") == 1  # and the data directory still loads


def test_a_manifest_of_several_regulations_is_added_all_or_none(tmp_path):
    data = tmp_path / "data"
    folder = tmp_path / "code"
    folder.mkdir()
    _write(folder / "part1.md", "第一条 第一条。\n\n第二条 第二条。\n")
    _write(folder / "part2.md", "第三条 第三条。\n\n第四条 第四条。\n")
    _write(folder / "other.md", "第一条 另一部。\n")
    manifest = _write(folder / "m.toml", """
[[regulation]]
id = "code-2024"
title = { zh = "某法典" }
[[regulation.source]]
file = ["part1.md", "part2.md"]
languages = ["zh"]

[[regulation]]
id = "other-2024"
title = { zh = "另一部" }
[[regulation.source]]
file = "other.md"
languages = ["zh"]
""")
    added = add_manifest(data, manifest)
    assert [len(a.regulation.articles) for a in added] == [4, 1]
    assert [a.number for a in load_corpus(data).regulation("code-2024").articles] == [1, 2, 3, 4]
    broken = _write(folder / "broken.toml", manifest.read_text(encoding="utf-8").replace("code-2024", "code-2025")
                    .replace("other-2024", "other-2025").replace('file = "other.md"', 'file = "missing.md"'))
    before = (data / USER_MANIFEST).read_bytes()
    with pytest.raises(SourceError, match=r"missing\.md: cannot be read"):
        add_manifest(data, broken)
    assert (data / USER_MANIFEST).read_bytes() == before  # the first regulation of it was not added either


def test_a_folder_is_added_with_titles_from_each_file(tmp_path):
    folder = tmp_path / "laws"
    folder.mkdir()
    _write(folder / "数据法.md", "# 某市数据条例\n\n第一条 为了数据。\n")
    _write(folder / "ai-rules.md", "# AI Rules\n\nArticle 1\nThe rules.\n")
    added = add_regulations(tmp_path / "data", new_from_directory(folder))
    assert {a.regulation.name("zh") if "zh" in a.regulation.title else a.regulation.name("en") for a in added} == {
        "某市数据条例", "AI Rules"}
    assert {a.regulation.id for a in added} == {"ai-rules", "shujufa"}  # a Chinese name in pinyin


@pytest.mark.parametrize("name, expected", [
    ("数据安全法(2021-06-10).md", "shujuanquanfa-2021-06-10"),  # not the bare date
    ("Personal+Data+English.md", "personal-data-english"),
    ("2021.md", "laws-"),  # no word in the name: the folder's name and a hash
    ("x" * 80 + ".md", "x" * 61),
])
def test_ids_from_file_names(name, expected):
    found = _id_for(Path(name), "laws")
    assert found.startswith(expected) and re.fullmatch(REGULATION_ID_PATTERN, found)


def test_another_language_version_is_attached_article_by_article(tmp_path):
    data = tmp_path / "data"
    en = _write(tmp_path / "en.md", "Article 1\nFor testing.\n\nArticle 2\nIn force now.\n")
    add_regulation(data, en, regulation_id="test-2024", title="Test Regulations")
    mismatched = _write(tmp_path / "zh-bad.md", "第一条 为了测试。\n")
    with pytest.raises(SourceError, match="missing here: 2"):
        add_translation(data, mismatched, of="test-2024", language="zh")
    zh = _write(tmp_path / "zh.md", "第一条 为了测试。\n\n第二条 现在施行。\n")
    add_translation(data, zh, of="test-2024", language="zh", role="original", title="测试条例")
    article = load_corpus(data).article("test-2024", 2)
    assert article.languages == ("zh", "en") and article.text("zh").original and not article.text("en").original
    with pytest.raises(InputError, match="shanghai-ai-2022 already has a Chinese text"):
        add_translation(data, zh, of="shanghai-ai-2022", language="zh")
    with pytest.raises(SourceError, match="missing here"):
        add_translation(data, zh, of="shenzhen-ai-2022", language="zh", role="original")
    assert "version" not in (data / USER_MANIFEST).read_text(encoding="utf-8")


def test_the_chinese_original_of_a_bundled_regulation_is_attached_in_the_data_dir(tmp_path):
    from tests.corpus.test_real_files import CORPORA

    original = CORPORA / "dev" / "深圳经济特区人工智能产业促进条例.md"
    if not original.is_file():
        pytest.skip(f"{original} is not there (the shared corpora are beside the repository in CI)")
    data = tmp_path / "data"
    bundled_before = load_corpus().regulation("shenzhen-ai-2022")
    added = add_translation(data, original, of="shenzhen-ai-2022", language="zh", role="original",
                            title="深圳经济特区人工智能产业促进条例")
    assert len(added.regulation.articles) == 73
    shenzhen = load_corpus(data).regulation("shenzhen-ai-2022")
    article = shenzhen.article(44)
    assert article.languages == ("zh", "en") and article.text("zh").original and not article.text("en").original
    assert article.text("en").text == bundled_before.article(44).text("en").text
    assert load_corpus().regulation("shenzhen-ai-2022").article(44).languages == ("en",)  # the bundle unchanged
    with pytest.raises(InputError, match="already has a Chinese text"):
        add_translation(data, original, of="shenzhen-ai-2022", language="zh")


def test_an_addition_that_would_pass_the_corpus_limit_is_refused_with_the_figures(tmp_path, monkeypatch):
    import assistant.corpus.sources as sources

    data = tmp_path / "data"
    bundled = sources.corpus_chars(load_corpus().regulations)
    monkeypatch.setattr(sources, "MAX_CORPUS_CHARS", bundled + 10)
    source = _write(tmp_path / "drones.md", GOOD)
    with pytest.raises(InputError, match=rf"adding 35 characters of article text to the {bundled:,} already "
                                         r"loaded would pass the [\d,]+-character limit"):
        add_regulation(data, source, regulation_id="test-drones-2023", title="无人机条例")
    assert not (data / USER_MANIFEST).exists()
