"""The errors lawqa raises on purpose.

Every message quotes the bad value and says how to fix it, so the CLI and the UI can show it as one line.

    LawqaError
    ├── ConfigError        a setting has a value we cannot use
    ├── InputError         a question, history file, regulation id or request the user gave is unusable
    │   └── NotFoundError  the regulation exists but has no such article
    ├── SourceError        a regulation source or manifest cannot be parsed (names file and line)
    ├── DatasetError       an evaluation dataset is malformed (names file and line)
    ├── IndexStateError    the index is missing, half-built or was built with another embedder
    │   └── DamagedIndexError  a file of the serving build is not what the build wrote (names it)
    └── ModelError         an embedder or language model could not be loaded or called
"""

from __future__ import annotations

from pathlib import Path


class LawqaError(Exception):
    """Base class: an error whose message is fit to show a user as is."""


class ConfigError(LawqaError):
    """A setting has a value we cannot use."""


class InputError(LawqaError):
    """Something the user gave us (question, file, id, request body) is unusable."""


class NotFoundError(InputError):
    """A regulation exists but has no article with that number."""


class _LocatedError(LawqaError):
    """An error about a place in a file: the message starts with `path line N:`."""

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.reason = message
        where = ""
        if self.path:
            where = f"{self.path} line {line}: " if line else f"{self.path}: "
        super().__init__(where + message)


class SourceError(_LocatedError):
    """A regulation source file or manifest cannot be turned into articles."""


class DatasetError(_LocatedError):
    """An evaluation dataset does not follow the case schema."""


class IndexStateError(LawqaError):
    """The index cannot be used as it is (missing, incomplete, or built differently)."""


class DamagedIndexError(IndexStateError):
    """A file of a build is missing or differs from what the build recorded; `lawqa index` repairs it."""

    def __init__(self, message: str, *, path: str | Path):
        self.path = str(path)
        super().__init__(message)


class ModelError(LawqaError):
    """An embedding model or chat model could not be loaded or did not answer."""
