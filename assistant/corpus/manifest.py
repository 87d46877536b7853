"""The manifest file: which regulations exist, their metadata, and the source files that carry their text."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import SourceError
from ..files import write_atomically
from ..text.language import Language

REGULATION_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$"


class SourceEntry(BaseModel):
    """One source file of a regulation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str | list[str] = Field(description=(
        "Path relative to the manifest's directory; or a list of paths read in order as one text whose "
        "article numbers run on from file to file (a code published in parts)."))
    languages: list[Language] = Field(min_length=1, description="Languages whose article text the file carries.")
    role: Literal["original", "translation"] = "original"
    description: str = ""
    display: list[Language] = Field(default_factory=list,
                                    description="Languages for which this file's text is the one shown.")
    sha256: str | list[str] | None = Field(None, description="sha256 of the file (a list, one per file).")

    @property
    def files(self) -> list[str]:
        """The source's file paths, in reading order."""
        return [self.file] if isinstance(self.file, str) else list(self.file)

    @property
    def name(self) -> str:
        """How messages and article records name the source."""
        return self.files[0] if len(self.files) == 1 else f"{self.files[0]} (+{len(self.files) - 1} more)"

    @property
    def digests(self) -> list[str | None]:
        """The expected sha256 of each file (None where the manifest does not pin it)."""
        if self.sha256 is None:
            return [None] * len(self.files)
        return [self.sha256] if isinstance(self.sha256, str) else list(self.sha256)

    @model_validator(mode="after")
    def _display_within_languages(self) -> SourceEntry:
        extra = set(self.display) - set(self.languages)
        if extra:
            raise ValueError(f"display languages {sorted(extra)} are not among languages {self.languages}")
        if not self.files or any(not f.strip() for f in self.files):
            raise ValueError("file must name at least one file")
        digests = self.digests
        if len(digests) != len(self.files) or any(d is not None and not re.fullmatch(r"[0-9a-f]{64}", d)
                                                  for d in digests):
            raise ValueError("sha256 must be one 64-digit hex digest per file")
        return self


class RegulationEntry(BaseModel):
    """One regulation: metadata plus its sources."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=REGULATION_ID_PATTERN,
                    description="Lowercase letters, digits and dashes, e.g. shanghai-ai-2022.")
    title: dict[Language, str] = Field(min_length=1)
    short_name: dict[Language, str] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list)
    jurisdiction: dict[Language, str] = Field(default_factory=dict)
    issuing_body: dict[Language, str] = Field(default_factory=dict)
    document_number: dict[Language, str] = Field(default_factory=dict)
    adopted: date | None = None
    effective: date | None = None
    status: str = "effective"
    articles: int | None = Field(None, ge=1, description="Expected number of articles, checked when parsing.")
    source: list[SourceEntry] = Field(min_length=1)

    @field_validator("title")
    @classmethod
    def _titles_not_blank(cls, value: dict[Language, str]) -> dict[Language, str]:
        if any(not text.strip() for text in value.values()):
            raise ValueError("titles must not be blank")
        return value


class VersionEntry(BaseModel):
    """Another language version of a regulation defined in another manifest (a bundled one): the user's data
    dir attaches it without touching the bundled files."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    of: str = Field(pattern=REGULATION_ID_PATTERN, description="The id of the regulation it belongs to.")
    title: dict[Language, str] = Field(default_factory=dict, description="Its title in the new language.")
    source: SourceEntry


class Manifest(BaseModel):
    """A manifest file: a list of regulations, and versions attached to regulations of other manifests."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    regulation: list[RegulationEntry] = Field(default_factory=list)
    version: list[VersionEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Manifest:
        ids = [entry.id for entry in self.regulation]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"regulation ids must be unique; repeated: {', '.join(duplicates)}")
        return self


def load_manifest(path: Path) -> Manifest:
    """Read and validate a manifest file; errors name the file and the offending field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourceError("manifest not found; restore it or reinstall lawqa", path=path) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"is not valid TOML ({exc}); fix the syntax", path=path) from exc
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise SourceError(f"field {where!r}: {first['msg']} (got {first.get('input')!r})", path=path) from exc


def save_manifest(path: Path, manifest: Manifest) -> None:
    """Write a manifest atomically: readers see the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = manifest.model_dump(mode="python", exclude_none=True, exclude_defaults=False)
    if not data["version"]:
        del data["version"]  # most manifests attach nothing to another manifest's regulations
    write_atomically(path, tomli_w.dumps(data))
