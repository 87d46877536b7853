from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.settings import load_settings


def test_environment_prefix_and_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("LAWQA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LAWQA_CHROMA_URL", "  ")
    monkeypatch.setenv("LAWQA_LLM_MODEL", "qwen2.5")
    settings = load_settings()
    assert settings.data_dir == Path(tmp_path) and settings.chroma_url is None
    assert settings.embedder == "multilingual-e5-small" and not settings.llm_configured
    assert load_settings(port=9000).port == 9000


@pytest.mark.parametrize("name, value", [("LAWQA_PORT", "eighty"), ("LAWQA_MODE", "poetry"),
                                         ("LAWQA_TOP_K", "0"), ("LAWQA_DENSE_TEXTS", "all")])
def test_bad_values_name_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=f"{name}={value!r}"):
        load_settings()
