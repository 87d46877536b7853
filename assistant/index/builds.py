"""The index directory on disk: its layout, the metadata of a build, the build lock and clean-up.

Layout under `<data_dir>/index/`:

    CURRENT              the id of the build that serves; replaced atomically, only after a build is complete
    builds/<id>/         one complete build: meta.json (written last), passages.jsonl, bm25/, chroma/,
                         vectors.npz (the same vectors as the Chroma collection, with their ids, for exact search),
                         .in-use (every process that has the build open holds a shared lock on it)
    .lock                held by the one build that may run at a time

meta.json records the size and SHA-256 of every other file of the build (Chroma's own directory aside: Chroma
writes to its database when it opens it), so a damaged file is found before it is read, and named.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import shutil
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from ..errors import DamagedIndexError, IndexStateError
from .embedding import Embedder
from .store import ChromaStore, VectorStore

VECTORS_FILE = "vectors.npz"
IN_USE_FILE = ".in-use"
UNCHECKED = frozenset({"meta.json", IN_USE_FILE})  # meta.json holds the checksums; .in-use is only locked
UNCHECKED_DIRS = frozenset({"chroma"})  # Chroma's database changes when Chroma opens it


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


class FileSum(BaseModel):
    """The size and SHA-256 of one file of a build, as the build wrote it."""

    size: int
    sha256: str


class IndexMeta(BaseModel):
    """meta.json: what a build contains, how it was made, and the checksums of its files."""

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
    files: dict[str, FileSum] = {}  # path relative to the build directory → size and hash


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


@contextlib.contextmanager
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


def checked_files(build_dir: Path) -> list[Path]:
    """The files of a build whose checksums meta.json records, in a stable order."""
    found = []
    for path in sorted(build_dir.rglob("*")):
        relative = path.relative_to(build_dir)
        if path.is_file() and relative.parts[0] not in UNCHECKED_DIRS and str(relative) not in UNCHECKED:
            found.append(path)
    return found


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def checksum_files(build_dir: Path) -> dict[str, FileSum]:
    """Size and SHA-256 of every checked file of a build (see `checked_files`), by relative path."""
    return {path.relative_to(build_dir).as_posix(): FileSum(size=path.stat().st_size, sha256=_sha256(path))
            for path in checked_files(build_dir)}


def damaged_files(build_dir: Path, meta: IndexMeta, *, hashes: bool = True) -> dict[str, str]:
    """The build's files that are missing or differ from what its metadata recorded: relative path → what is
    wrong. Sizes are always compared; contents too with `hashes`."""
    damaged = {}
    for name, expected in meta.files.items():
        path = build_dir / name
        try:
            size = path.stat().st_size
        except OSError as exc:
            damaged[name] = "missing" if isinstance(exc, FileNotFoundError) else f"unreadable ({exc.strerror})"
            continue
        if size != expected.size:
            damaged[name] = f"{size:,} bytes where the build wrote {expected.size:,}"
        elif hashes:
            try:
                if _sha256(path) != expected.sha256:
                    damaged[name] = "its contents changed since the build wrote it (SHA-256 differs)"
            except OSError as exc:
                damaged[name] = f"unreadable ({exc.strerror})"
    return damaged


def verify_build(build_dir: Path, meta: IndexMeta, *, hashes: bool = True,
                 spare: frozenset[str] = frozenset()) -> set[str]:
    """Raise DamagedIndexError naming the first damaged file of the build (see `damaged_files`); return the
    damaged files of `spare`, those the caller can do without."""
    if not meta.files:
        raise DamagedIndexError(f"the index in {build_dir} records no checksums of its files; run `lawqa index` "
                                "to rebuild it", path=build_dir / "meta.json")
    damaged = damaged_files(build_dir, meta, hashes=hashes)
    for name, problem in damaged.items():
        if name not in spare:
            raise DamagedIndexError(f"index file {build_dir / name} is damaged: {problem}; run `lawqa index` to "
                                    "repair it", path=build_dir / name)
    return set(damaged)


def hold_build(build_dir: Path) -> object | None:
    """Take a shared lock that keeps `remove_old_builds` from deleting the build; it lasts while the returned
    handle is open (a process that dies, even by kill -9, lets go). None for a build without the lock file."""
    try:
        # read-only, so it works in a read-only data directory too; the handle outlives this call on purpose
        handle = open(build_dir / IN_USE_FILE, "rb")  # noqa: SIM115
    except OSError:
        return None
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


@contextlib.contextmanager
def _unused(build_dir: Path) -> Iterator[bool]:
    """Whether no live process has the build open; while the body runs, none can open it either."""
    path = build_dir / IN_USE_FILE
    if not path.exists():  # an unfinished build, or one from before the lock file
        yield True
        return
    with open(path, "rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            free = True
        except BlockingIOError:
            free = False
        yield free


def in_use(build_dir: Path) -> bool:
    """Whether a live process has the build open (holds its shared lock)."""
    with _unused(build_dir) as free:
        return not free


def collection_names(collection: str) -> tuple[str, str]:
    """A build's two Chroma collections: its article passages, and its paragraph passages. Kept apart, the usual
    query (article passages, any regulation) needs no metadata filter: on a Chroma server holding STARD full
    (35,403 passages) an unfiltered query takes ~2.4 ms, one filtered by passage kind 40-80 ms."""
    return collection, collection + "-paragraphs"


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


def read_vector_file(path: Path) -> tuple[list[str], np.ndarray] | None:
    """A vectors file's ids and vectors, row for row; None when it is missing or damaged."""
    if not path.exists():
        return None
    try:
        with np.load(path) as saved:
            ids, vectors = saved["ids"].tolist(), saved["vectors"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # damaged: the store has them too
        return None
    return (ids, vectors) if vectors.ndim == 2 and len(ids) == len(vectors) else None


def read_vectors(path: Path, ids: list[str], dimension: int) -> np.ndarray | None:
    """A build's saved vectors for exactly `ids`, row for row; None when the file is missing, damaged or stale."""
    saved = read_vector_file(path)
    if saved is None or saved[0] != ids or saved[1].shape != (len(ids), dimension):
        return None
    return saved[1]


def remove_unfinished(root: Path, *, keep: str | None) -> None:
    """Delete builds that never completed (no meta.json), e.g. after a crash or kill -9."""
    builds = root / "builds"
    if not builds.exists():
        return
    for build_dir in builds.iterdir():
        if build_dir.name != keep and not (build_dir / "meta.json").exists():
            shutil.rmtree(build_dir, ignore_errors=True)
    for tmp in root.glob(".CURRENT.*.tmp"):
        with contextlib.suppress(OSError):  # e.g. a read-only directory: nothing was written there either
            tmp.unlink(missing_ok=True)


def remove_old_builds(root: Path, *, keep: set[str], chroma_url: str | None) -> list[str]:
    """Delete the builds not in `keep` that no live process has open; return the ids of those left in use.

    `keep` is the serving build and the one before it; a build a running server still reads (see `hold_build`)
    stays until a later build finds it let go.
    """
    left = []
    for build_dir in (root / "builds").iterdir():
        if build_dir.name in keep:
            continue
        with _unused(build_dir) as free:
            if not free:
                left.append(build_dir.name)
                continue
            if chroma_url:
                try:
                    meta = IndexMeta.model_validate_json((build_dir / "meta.json").read_text(encoding="utf-8"))
                except (OSError, ValueError):  # no or damaged metadata: nothing known to drop on the server
                    meta = None
                if meta is not None and meta.chroma_url == chroma_url:
                    for name in collection_names(meta.collection):
                        ChromaStore(chroma_url).drop(name)
            shutil.rmtree(build_dir, ignore_errors=True)
    return left
