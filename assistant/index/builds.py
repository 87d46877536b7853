"""The index directory on disk: its layout, the metadata of a build, the build lock and clean-up.

Layout under `<data_dir>/index/`:

    CURRENT              the id of the build that serves; replaced atomically, only after a build is complete
    builds/<id>/         one complete build: meta.json (written last), passages.jsonl, bm25/, chroma/,
                         vectors.npz (the same vectors as the Chroma collection, with their ids, for exact search)
    .lock                held by the one build that may run at a time
"""

from __future__ import annotations

import fcntl
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from ..errors import IndexStateError
from .embedding import Embedder
from .store import ChromaStore, VectorStore

VECTORS_FILE = "vectors.npz"


class PassageRecord(BaseModel):
    """One line of passages.jsonl: where a passage points and what it was built from."""

    id: str
    article_id: str
    regulation: str
    article: int
    language: str
    version: int
    part: int
    embedded: bool
    fingerprint: str
    keyword: bool = True
    paragraph: int = 0


class IndexMeta(BaseModel):
    """meta.json: what a build contains and how it was made."""

    format: int
    pipeline: str = ""  # index.PIPELINE_VERSION of the lawqa that built it
    build_id: str
    embedder: str
    dimension: int
    chroma_url: str | None
    collection: str
    fingerprint: str
    regulations: list[str]
    articles: int
    passages: int
    embedded: int
    built_at: datetime
    seconds: float


def index_root(data_dir: Path) -> Path:
    """The directory that holds the builds, CURRENT and the lock."""
    return data_dir / "index"


def read_meta(data_dir: Path) -> IndexMeta | None:
    """Return the serving build's metadata, or None when no complete build exists."""
    root = index_root(data_dir)
    try:
        build_id = (root / "CURRENT").read_text(encoding="utf-8").strip()
        return IndexMeta.model_validate_json((root / "builds" / build_id / "meta.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Hold the one build lock of `root`, or fail at once when another build holds it."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexStateError(f"another `lawqa index` is building in {root}; wait for it to finish") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def store_for(build_dir: Path, chroma_url: str | None) -> VectorStore:
    """The vector store a build lives in: the Chroma server at `chroma_url`, else the build's own directory."""
    return ChromaStore(chroma_url) if chroma_url else ChromaStore(build_dir / "chroma")


def built_with(meta: IndexMeta, embedder: Embedder) -> bool:
    """Whether the build's vectors came from this embedder (same name and dimension)."""
    return meta.embedder == embedder.name and meta.dimension == embedder.dimension


def read_records(build_dir: Path) -> list[PassageRecord]:
    """The passages of a build, in their order (BM25's and the vectors file's order too)."""
    with open(build_dir / "passages.jsonl", encoding="utf-8") as handle:
        return [PassageRecord.model_validate_json(line) for line in handle if line.strip()]


def read_vectors(path: Path, ids: list[str], dimension: int) -> np.ndarray | None:
    """A build's saved vectors for exactly `ids`, row for row; None when the file is missing, damaged or stale."""
    if not path.exists():
        return None
    try:
        with np.load(path) as saved:
            if saved["ids"].tolist() != ids or saved["vectors"].shape != (len(ids), dimension):
                return None
            return saved["vectors"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # damaged: the store has them too
        return None


def remove_unfinished(root: Path, *, keep: str | None) -> None:
    """Delete builds that never completed (no meta.json), e.g. after a crash or kill -9."""
    builds = root / "builds"
    if not builds.exists():
        return
    for build_dir in builds.iterdir():
        if build_dir.name != keep and not (build_dir / "meta.json").exists():
            shutil.rmtree(build_dir, ignore_errors=True)
    for tmp in root.glob(".CURRENT.*.tmp"):
        tmp.unlink(missing_ok=True)


def remove_old_builds(root: Path, *, keep: set[str], chroma_url: str | None) -> None:
    """Keep the serving build and the one before it (a running server may still read it)."""
    for build_dir in (root / "builds").iterdir():
        if build_dir.name in keep:
            continue
        meta_file = build_dir / "meta.json"
        if meta_file.exists() and chroma_url:
            meta = IndexMeta.model_validate_json(meta_file.read_text(encoding="utf-8"))
            if meta.chroma_url == chroma_url:
                ChromaStore(chroma_url).drop(meta.collection)
        shutil.rmtree(build_dir, ignore_errors=True)
