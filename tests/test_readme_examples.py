"""The README's Python examples run as written: each code block of "Python API" is read from README.md and run
(over the hash-embedder index, with a fake chat model where the text says "any chat model"), so the README and
the code cannot drift apart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from langchain_core.language_models import FakeListChatModel
from pydantic import Field

from assistant.corpus.model import Citation

README = Path(__file__).resolve().parent.parent / "README.md"
CONTRACT_KEYS = ["answer", "citations", "language", "abstained", "retrieved", "dropped_citations", "mode", "see_also", "note"]


def python_blocks(section: str) -> list[str]:
    """The ```python blocks of one "## " section of the README."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(section)}\n(.*?)(?=^## )", text, flags=re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no section '## {section}'"
    return re.findall(r"^```python\n(.*?)^```", match.group(1), flags=re.MULTILINE | re.DOTALL)


def block_with(marker: str) -> str:
    (block,) = [b for b in python_blocks("Python API") if marker in b]
    return block


class RecordingChatModel(FakeListChatModel):
    """A fake chat model that keeps the prompts it was sent."""

    prompts: list[str] = Field(default_factory=list)

    def _call(self, messages, stop=None, run_manager=None, **kwargs):
        self.prompts.append("\n".join(str(m.content) for m in messages))
        return super()._call(messages, stop=stop, run_manager=run_manager, **kwargs)


@pytest.fixture()
def run_block(monkeypatch, hash_data_dir):
    """Run a README block as a user would, with `Settings()` pointing at the test index through LAWQA_*."""
    monkeypatch.setenv("LAWQA_DATA_DIR", str(hash_data_dir))
    monkeypatch.setenv("LAWQA_EMBEDDER", "hash")

    def run(block: str, **names) -> dict:
        namespace = {"__name__": "readme_example", **names}
        exec(compile(block, "README.md", "exec"), namespace)
        return namespace

    return run


def test_every_python_block_is_covered():
    blocks = python_blocks("Python API")
    assert len(blocks) == 3
    assert [block_with(m) for m in ("assistant.ask(", "as_runnable()", "format_docs")] == blocks


def test_ask_example(run_block):
    names = run_block(block_with("assistant.ask("))
    assert names["answer"].citations == (Citation("shenzhen-ai-2022", 71),)
    assert list(names["answer"].to_json()) == CONTRACT_KEYS


def test_runnable_example(run_block, capsys):
    names = run_block(block_with("as_runnable()"))
    assert list(names["result"]) == CONTRACT_KEYS
    assert names["result"]["citations"] == [{"regulation": "shanghai-ai-2022", "article": 66}]  # as its comment says
    last = names["chunk"]  # the stream's last chunk is the object; the pieces before it were its text
    assert list(last) == CONTRACT_KEYS and last["answer"]
    assert capsys.readouterr().out == f"{last['answer']}\n{last['citations']}"
    answers = names["answers"]
    assert [list(a) for a in answers] == [CONTRACT_KEYS, CONTRACT_KEYS]
    assert answers[1]["citations"] == [{"regulation": "shenzhen-ai-2022", "article": 71}]


def test_retriever_chain_example_sends_formatted_articles(run_block):
    model = RecordingChatModel(responses=["Yes: Shenzhen allows pilots [shenzhen-ai-2022:66]."])
    names = run_block(block_with("format_docs"), chat_model=model)
    assert names["docs"] and {d.metadata["regulation"] for d in names["docs"]} == {"shenzhen-ai-2022"}
    assert names["reply"] == "Yes: Shenzhen allows pilots [shenzhen-ai-2022:66]."
    (prompt,) = model.prompts
    blocks = re.findall(r"^\[([a-z0-9-]+:\d+(?:-\d+)?)\] \S", prompt, flags=re.MULTILINE)
    assert len(blocks) == 4 and all(b.startswith(("shanghai-ai-2022:", "shenzhen-ai-2022:")) for b in blocks)
    assert "page_content" not in prompt and "metadata" not in prompt and "Document(" not in prompt
    assert prompt.rstrip().endswith("Q: Can I pilot a low-risk AI product in Shenzhen without a national standard?")
