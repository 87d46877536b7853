"""The web UI's words: one language at a time, chosen from the browser, and only the modes that can run."""

from __future__ import annotations

import re

import pytest

from assistant.serving.ui_text import TEXT, default_mode, interface_language, mode_choices, show_mode_choice
from assistant.settings import Settings

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("header, expected", [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
    ("zh-TW", "zh"),
    ("fr-FR,fr;q=0.9,zh;q=0.8,en;q=0.7", "zh"),  # the first of the two it has, by preference
    ("en;q=0.5, zh-Hans;q=0.8", "zh"),  # q-values, not order, decide
    ("zh;q=0, en", "en"),  # q=0 means "not this one"
    ("de-DE,de;q=0.9", "en"),  # neither: English
    ("", "en"),
    (None, "en"),
    ("zh;q=abc", "en"),  # a malformed q-value counts as not wanted, never an error
])
def test_interface_language_follows_accept_language(header, expected):
    assert interface_language(header) == expected


def test_a_chosen_language_wins_over_the_browser():
    assert interface_language("zh-CN", "en") == "en" and interface_language("en-US", "zh") == "zh"
    assert interface_language("zh-CN", "fr") == "zh"  # an unknown choice (a stale or forged one) is ignored


def test_labels_are_written_in_one_language_each():
    assert TEXT["zh"].keys() == TEXT["en"].keys()
    for key, text in TEXT["en"].items():
        assert not CJK.search(text), f"English label {key!r} has Chinese in it: {text!r}"
    for key, text in TEXT["zh"].items():
        latin = set(re.findall(r"[A-Za-z]+", re.sub(r"\{\w+\}", "", text))) - {"lawqa"}
        assert not latin, f"Chinese label {key!r} has English in it: {text!r}"


def test_llm_mode_is_offered_only_when_an_llm_is_configured():
    plain = Settings()
    assert not show_mode_choice(plain)
    assert [value for _, value in mode_choices(plain, "zh")] == ["extractive"]
    configured = Settings(llm_base_url="http://127.0.0.1:11434/v1", llm_model="qwen2.5:7b")
    assert show_mode_choice(configured)
    assert mode_choices(configured, "en") == [("Extractive (offline)", "extractive"), ("LLM", "llm")]
    assert not show_mode_choice(Settings(llm_base_url="http://127.0.0.1:11434/v1"))  # no model: nothing to ask
    assert default_mode(Settings(mode="llm")) == "extractive"  # asked for, but it cannot run
    assert default_mode(Settings(mode="llm", llm_base_url="http://x/v1", llm_model="m")) == "llm"
