"""Settings: one object, read from `LAWQA_*` environment variables (or a .env file) at the entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDER = "multilingual-e5-small"


def default_data_dir() -> Path:
    """Return the per-user data directory where indexes and added regulations live."""
    return Path(platformdirs.user_data_dir("lawqa", appauthor=False))


class Settings(BaseSettings):
    """Everything that can be configured. Library code receives this object; it never reads the environment."""

    model_config = SettingsConfigDict(env_prefix="LAWQA_", env_file=".env", extra="ignore", frozen=True)

    data_dir: Path = Field(default_factory=default_data_dir,
                           description="Where built indexes and added regulations are stored.")
    embedder: str = Field(DEFAULT_EMBEDDER, description=(
        "multilingual-e5-small (bundled, offline), minilm (the bundled all-MiniLM-L6-v2, needs the st extra), "
        "st:<model dir or hub id> (sentence-transformers), or hash (a deterministic test embedder)."))
    embed_threads: int = Field(2, ge=1, le=64, description="CPU threads for the embedder.")
    dense_texts: Literal["shown", "original"] = Field("shown", description=(
        "Which texts are embedded: the shown text of each language (best answers, default) or only the "
        "original-language text (about a third less embedding time; translations stay keyword-searchable)."))
    chroma_url: str | None = Field(None, description="Chroma server URL (e.g. http://127.0.0.1:8000); "
                                                      "unset means an embedded Chroma in data_dir.")
    dense_search: Literal["auto", "exact", "chroma"] = Field("auto", description=(
        "How dense search runs: exact over the build's vectors in memory (deterministic, ~0.1 ms here), or by "
        "querying Chroma's HNSW index. auto: exact for an embedded store of up to 100,000 passages, Chroma for "
        "a Chroma server or a larger collection."))
    mode: Literal["extractive", "llm"] = Field("extractive", description="Default answer mode.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1.")
    llm_model: str | None = Field(None, description="Chat model name at that endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="API key for the endpoint, if it needs one.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds to wait for the chat model.")
    llm_context_tokens: int = Field(3000, ge=200, description="Token budget for article texts in an LLM prompt.")
    reranker: str | None = Field(None, description=(
        "A local CrossEncoder model directory that reorders the best candidates (optional, needs the st extra)."))
    abstain_threshold: float | None = Field(None, ge=0.0, le=1.0, description=(
        "Override the fitted abstention threshold (see eval/calibration.json)."))
    top_k: int = Field(5, ge=1, le=50, description="Articles retrieved per question.")
    host: str = Field("127.0.0.1", description="Host for `lawqa serve`.")
    port: int = Field(7860, ge=1, le=65535, description="Port for `lawqa serve`.")
    api_token: SecretStr | None = Field(None, description="Bearer token required on /v1/* when set.")
    max_request_bytes: int = Field(64_000, ge=1_000, description="Largest accepted REST request body.")

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        value = value.expanduser()
        if value.exists() and not value.is_dir():
            raise ValueError(f"{value} is a file, not a directory; point it at a directory (it is created if missing)")
        return value

    @field_validator("chroma_url", "llm_base_url", "llm_model", "reranker")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @property
    def llm_configured(self) -> bool:
        """True when an LLM endpoint and model are both set."""
        return bool(self.llm_base_url and self.llm_model)


def load_settings(**overrides: object) -> Settings:
    """Build Settings from the environment (plus explicit overrides), turning bad values into a ConfigError."""
    from pydantic import ValidationError

    from .errors import ConfigError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        raise ConfigError(f"LAWQA_{field.upper()}={first.get('input')!r}: {first['msg']}; "
                          "fix the environment variable or .env file") from exc
