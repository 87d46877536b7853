"""The bundled vector cache: the bundled corpus's passage and precedent vectors, shipped with lawqa.

Embedding the bundled corpus (608 passages) and its labelled questions (the precedents) takes about a
minute on a 2-core machine; shipped with the package, their vectors make the first build take seconds.
The cache is content-addressed: a vector is found by the embedder's name and the SHA-256 of the exact text
the model reads (`embedding.model_input`: e5's `passage: ` / `query: ` prefix included, a question cut as
it would be), so any change — another embedder, an edited article, a new passage layout, a question
condensed differently — is simply a miss, and a miss is embedded as before (a user's own regulations always
are). A missing or damaged cache file is an empty cache: it can slow a build, never break one.

Files (under the repository's `index/`, shipped in the wheel under `assistant/_data/index/`):
`vector-cache.json` (embedder, dimension, dtype, one key per row) and `vector-cache.npy` (the vectors).
Regenerate them after changing the bundled regulations, the passage layout or question condensing
(a test says when they are stale):

    python eval/vector_cache.py --write      # without --write it only reports what is missing
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..resources import bundled_path
from .embedding import Embedder, model_input

CACHE_JSON, CACHE_VECTORS = "vector-cache.json", "vector-cache.npy"
FORMAT = 1
# float32, exactly what the embedder returns: a build from the cache is the build from fresh embeddings. float16
# would halve the file (2.3 → 1.2 MB) and changed no figure of `lawqa eval --split test`, but its error (≤ 6.1e-5
# per component, ≤ 1e-4 in a cosine) reordered ranks 3-5 of the retrieved articles for 2 of the 154 questions.
STORED_DTYPE = np.float32


def text_key(text: str) -> str:
    """The key of one model input: the hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, eq=False)
class VectorCache:
    """Vectors of one embedder, found by the SHA-256 of the text the model read."""

    embedder: str
    dimension: int
    keys: tuple[str, ...]
    vectors: np.ndarray  # (len(keys), dimension), row i for keys[i]
    _rows: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.vectors.shape != (len(self.keys), self.dimension):
            raise ValueError(f"{len(self.keys)} keys but vectors of shape {self.vectors.shape}")
        object.__setattr__(self, "_rows", {key: row for row, key in enumerate(self.keys)})

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def empty(cls) -> VectorCache:
        """A cache that holds nothing (every lookup misses)."""
        return cls(embedder="", dimension=0, keys=(), vectors=np.zeros((0, 0), dtype=np.float32))

    def covers(self, embedder: Embedder) -> bool:
        """Whether the cache holds vectors of this embedder (same name and dimension) at all."""
        return bool(self.keys) and self.embedder == embedder.name and self.dimension == embedder.dimension

    def get(self, embedder: Embedder, texts: Sequence[str], *, query: bool = False) -> dict[int, np.ndarray]:
        """The cached float32 vectors of `texts` as `embedder` would embed them, by position; misses left out."""
        if not self.covers(embedder):
            return {}
        found = {}
        for position, text in enumerate(texts):
            row = self._rows.get(text_key(model_input(embedder, text, query=query)))
            if row is not None:
                found[position] = self.vectors[row].astype(np.float32)
        return found

    def save(self, directory: Path) -> None:
        """Write vector-cache.json and vector-cache.npy into `directory` (vectors stored as STORED_DTYPE)."""
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / CACHE_VECTORS, self.vectors.astype(STORED_DTYPE))
        header = {"format": FORMAT, "embedder": self.embedder, "dimension": self.dimension,
                  "dtype": np.dtype(STORED_DTYPE).name, "count": len(self.keys),
                  "regenerate": "python eval/vector_cache.py --write", "keys": list(self.keys)}
        (directory / CACHE_JSON).write_text(json.dumps(header, indent=0) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> VectorCache:
        """The cache saved in `directory`; an empty one when its files are missing, damaged or of another format."""
        try:
            header = json.loads((directory / CACHE_JSON).read_text(encoding="utf-8"))
            if header.get("format") != FORMAT:
                return cls.empty()
            vectors = np.load(directory / CACHE_VECTORS, allow_pickle=False)
            return cls(embedder=str(header["embedder"]), dimension=int(header["dimension"]),
                       keys=tuple(header["keys"]), vectors=vectors)
        except (OSError, ValueError, KeyError, TypeError):  # missing or damaged: a cache only saves time
            return cls.empty()


@functools.cache
def bundled_cache() -> VectorCache:
    """The cache shipped with lawqa (read once per process)."""
    return VectorCache.load(bundled_path("index", CACHE_JSON).parent)


def build_cache(embedder: Embedder, passages: Iterable[str], questions: Iterable[str], *,
                batch_size: int = 32) -> VectorCache:
    """Embed `passages` (as passages) and `questions` (as queries) into a new cache for `embedder`."""
    keys: list[str] = []
    parts: list[np.ndarray] = []
    for texts, query in ((list(dict.fromkeys(passages)), False), (list(dict.fromkeys(questions)), True)):
        for start in range(0, len(texts), batch_size):
            batch = texts[start:start + batch_size]
            parts.append(embedder.embed_queries(batch) if query else embedder.embed_passages(batch))
            keys += [text_key(model_input(embedder, t, query=query)) for t in batch]
    vectors = np.vstack(parts).astype(np.float32) if parts else np.zeros((0, embedder.dimension), np.float32)
    unique = dict(zip(keys, vectors))  # a passage worded like a question keeps one row
    return VectorCache(embedder=embedder.name, dimension=embedder.dimension, keys=tuple(unique),
                       vectors=np.vstack(list(unique.values())) if unique else vectors)


def bundled_texts() -> tuple[list[str], list[str]]:
    """What a build of the bundled corpus embeds: passages (either `LAWQA_DENSE_TEXTS` choice) and questions."""
    from ..corpus.sources import load_corpus
    from .passages import build_passages
    from .precedents import load_precedents

    corpus = load_corpus()
    passages = [p.text for dense in ("shown", "original") for p in build_passages(corpus, dense=dense) if p.embedded]
    questions = sorted({p.question for p in load_precedents(corpus)})
    return list(dict.fromkeys(passages)), questions


def missing(vectors: VectorCache, embedder: Embedder) -> tuple[int, int]:
    """How many of the bundled passages and questions `vectors` lacks for `embedder`."""
    passages, questions = bundled_texts()
    return (len(passages) - len(vectors.get(embedder, passages)),
            len(questions) - len(vectors.get(embedder, questions, query=True)))
