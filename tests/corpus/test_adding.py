"""Adding regulations: validated completely first, written in one step, nothing changed by a bad file."""

from __future__ import annotations

import pytest

from assistant.corpus.adding import add_regulation
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
