"""Vector stores: Chroma embedded in the data directory, or a Chroma server selected by URL.

Collections are always created with `embedding_function=None` and only ever given vectors: Chroma's default
embedder downloads a model at run time, and a collection created with it remembers it forever.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import numpy as np

from ..errors import ConfigError, IndexStateError

Metadata = Mapping[str, str | int | float | bool]


class VectorStore(Protocol):
    """The few operations the index needs from a vector database."""

    def create(self, name: str, *, metadata: Metadata) -> None:
        """Create an empty collection (cosine space) that later calls address by `name`."""
        ...

    def add(self, name: str, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[Metadata]) -> None:
        """Add vectors with their metadata to a collection."""
        ...

    def vectors(self, name: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the stored vectors of the given ids (missing ids are left out)."""
        ...

    def check(self, name: str) -> None:
        """Raise IndexStateError, saying how to fix it, when the collection cannot be read."""
        ...

    def query(self, name: str, vector: np.ndarray, *, k: int,
              where: Mapping[str, Any] | None = None) -> list[tuple[str, float]]:
        """Return up to k (id, cosine similarity) pairs, best first."""
        ...

    def drop(self, name: str) -> None:
        """Delete a collection if it exists."""
        ...


class ChromaStore:
    """A Chroma client: `PersistentClient` for a directory, `HttpClient` for a server URL."""

    def __init__(self, location: Path | str):
        self.location = str(location)
        self._path = location if isinstance(location, Path) else None
        if self._path is None:
            _check_url(self.location)
        self._collections: dict[str, Any] = {}
        self._client_instance: Any = None
        # Held while connecting, so requests arriving together share one client.
        self._lock = threading.Lock()

    @property
    def _client(self) -> Any:
        """The Chroma client, created on first use: importing chromadb costs half a second of start-up."""
        with self._lock:
            return self._client_instance or self._open_client()

    def _open_client(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False)
        if self._path is not None:
            self._client_instance = chromadb.PersistentClient(path=str(self._path), settings=settings)
        else:
            self._client_instance = _connect(self.location, settings)
        return self._client_instance

    def _collection(self, name: str) -> Any:
        from chromadb.errors import NotFoundError

        cache = self._collections
        if name not in cache:
            try:
                cache[name] = self._client.get_collection(name, embedding_function=None)
            except NotFoundError as exc:
                raise IndexStateError(f"the vector collection {name!r} is missing from {self.location}; "
                                      "run `lawqa index --rebuild`") from exc
            except IndexStateError:  # already says what is wrong and how to fix it
                raise
            except Exception as exc:  # connection trouble: the store is there but cannot be read
                raise IndexStateError(f"cannot read the vector collection {name!r} from {self.location} ({exc}); "
                                      "check that the Chroma server is running") from exc
        return cache[name]

    def check(self, name: str) -> None:
        """Open the collection now, so an unreachable server fails at start-up rather than per question."""
        self._collection(name)

    def create(self, name: str, *, metadata: Metadata) -> None:
        """Create an empty cosine-space collection without any embedding function."""
        self.drop(name)
        with self._writing():
            collection = self._client.create_collection(name, embedding_function=None, metadata=dict(metadata),
                                                        configuration={"hnsw": {"space": "cosine"}})
        self._collections[name] = collection

    def add(self, name: str, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[Metadata]) -> None:
        """Add vectors in batches (upsert: Chroma silently ignores `add` of an existing id)."""
        collection = self._collection(name)
        with self._writing():
            for start in range(0, len(ids), 256):
                end = start + 256
                collection.upsert(ids=list(ids[start:end]), embeddings=vectors[start:end],
                                  metadatas=[dict(m) for m in metadatas[start:end]])

    @contextlib.contextmanager
    def _writing(self):
        """Chroma's own errors on a write (e.g. "database or disk is full") as one IndexStateError with the fix."""
        try:
            yield
        except (IndexStateError, OSError):
            raise
        except Exception as exc:  # chromadb.errors.* and sqlite errors: the store could not be written
            raise IndexStateError(f"cannot write the vector store in {self.location} ({exc}); free some space or "
                                  "make the directory writable (or check the Chroma server), then run `lawqa index` "
                                  "again; the previous index, if any, keeps serving") from exc

    def vectors(self, name: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Return stored vectors by id."""
        if not ids:
            return {}
        got = self._collection(name).get(ids=list(ids), include=["embeddings"])
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}

    def query(self, name: str, vector: np.ndarray, *, k: int,
              where: Mapping[str, Any] | None = None) -> list[tuple[str, float]]:
        """Nearest passages by cosine similarity (Chroma returns distance = 1 - cosine)."""
        result = self._collection(name).query(query_embeddings=[np.asarray(vector).tolist()], n_results=k,
                                              where=dict(where) if where else None, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0])]

    def drop(self, name: str) -> None:
        """Delete a collection; a missing one is fine."""
        from chromadb.errors import NotFoundError

        self._collections.pop(name, None)
        with contextlib.suppress(NotFoundError, ValueError):  # already gone
            self._client.delete_collection(name)


def _check_url(location: str) -> None:
    url = urlparse(location)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(f"LAWQA_CHROMA_URL={location!r} is not an http(s) URL; use e.g. http://127.0.0.1:8000")


def _connect(location: str, settings: Any) -> Any:
    import chromadb

    url = urlparse(location)
    port = url.port or (443 if url.scheme == "https" else 8000)
    try:
        return chromadb.HttpClient(host=url.hostname, port=port, ssl=url.scheme == "https", settings=settings)
    except ValueError as exc:
        raise IndexStateError(f"cannot reach the Chroma server at {location} ({exc}); start it with "
                              "`chroma run --path DIR --port N` or unset LAWQA_CHROMA_URL") from exc
