"""Where the bundled corpus, prompts and evaluation set are: inside the wheel, or at the repository top."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_path(*parts: str) -> Path:
    """Return the path of a bundled resource, e.g. bundled_path("index", "manifest.toml").

    A wheel carries them under assistant/_data; an editable install or a checkout reads the repository's
    top-level index/ (sources, manifest, the vector cache), prompts/ and eval/ directories directly.
    """
    packaged = _PACKAGE.joinpath("_data", *parts)
    if packaged.exists():
        return packaged
    return _PACKAGE.parent.joinpath(*parts)
