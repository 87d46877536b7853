"""The opened search index: dense search over a build's vectors, keyword search through BM25.

`open_index` checks that the serving build was made by this lawqa, with this embedder and this store, that its
files are the ones the build wrote (checksums), and opens it, keeping it from being deleted while it is open;
`SearchIndex` answers the retrieval paths' dense and keyword queries (see `build` for how a build
is made and `builds` for its files).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from ..errors import ConfigError, DamagedIndexError, IndexStateError
from .build import INDEX_FORMAT, PIPELINE_VERSION
from .builds import (
    VECTORS_FILE,
    IndexMeta,
    PassageRecord,
    built_with,
    collection_names,
    hold_build,
    index_root,
    read_meta,
    read_records,
    read_vectors,
    store_for,
    verify_build,
)
from .embedding import Embedder
from .precedents import PrecedentTable
from .similarity import similarities, top
from .store import VectorStore
from .terms import TermTable, load_term_table

# How dense search runs: exact, over the build's vectors held in memory, or by querying Chroma's HNSW index.
# "auto" is exact for an embedded store of up to EXACT_SEARCH_LIMIT passages, and Chroma otherwise.
DenseSearch = Literal["auto", "exact", "chroma"]
# Exact search over STARD full (35,403 passages) answers in a few ms and keeps a serving process at ~560 MB;
# Chroma's filtered HNSW query took ~86 ms a call there (two per question). 100,000 vectors are ~150 MB.
EXACT_SEARCH_LIMIT = 100_000
# Opening a build compares every file's size with its metadata, and its SHA-256 too while the files total at
# most this many bytes (the bundled build, ~4.5 MB, hashes in ~5-10 ms here; bigger builds check sizes only,
# and `lawqa index` always hashes).
HASH_ON_OPEN_BYTES = 64_000_000


@dataclass(frozen=True)
class PassageVectors:
    """The embedded passages and their unit vectors, row for row, held in memory."""

    records: tuple[PassageRecord, ...]
    matrix: np.ndarray

    @functools.cached_property
    def row(self) -> dict[str, int]:
        """Passage id → row."""
        return {r.id: i for i, r in enumerate(self.records)}

    @functools.cached_property
    def regulations(self) -> np.ndarray:
        """Each row's regulation, so a filter is an array comparison rather than a Python loop."""
        return np.array([r.regulation for r in self.records])

    def vector(self, passage_id: str) -> np.ndarray | None:
        """One passage's vector (None when it was not embedded)."""
        row = self.row.get(passage_id)
        return None if row is None else self.matrix[row]

    def score(self, vector: np.ndarray, keep: Callable[[PassageRecord], bool]) -> list[tuple[PassageRecord, float]]:
        """(passage, cosine with `vector`) for the passages `keep` accepts, in row order."""
        rows = [i for i, r in enumerate(self.records) if keep(r)]
        if not rows:
            return []
        return list(zip([self.records[i] for i in rows], similarities(self.matrix[rows], vector).tolist()))


class SearchIndex:
    """An opened build: dense search over the vector store's vectors, keyword search through BM25."""

    def __init__(self, meta: IndexMeta, store: VectorStore, records: Sequence[PassageRecord], bm25: object,
                 *, terms_path: Path | None = None, precedents: PrecedentTable | None = None,
                 exact: bool = True, vectors_path: Path | None = None):
        self.meta = meta
        self.precedents = precedents or PrecedentTable([], np.zeros((0, meta.dimension), dtype=np.float32))
        self._terms_path = terms_path
        self._terms: TermTable | None = None
        self._article_tokens: dict[str, frozenset[str]] | None = None
        self.store = store
        self.records = tuple(records)
        self.bm25 = bm25
        self._by_id = {r.id: r for r in self.records}
        self._keyword_records = tuple(r for r in self.records if r.keyword)  # BM25's documents, in its order
        self._regulation_of = np.array([r.regulation for r in self._keyword_records])
        self.exact = exact  # False: Chroma's approximate (HNSW) index answers dense queries
        self._vectors_path = vectors_path
        self._vectors: dict[bool, PassageVectors] | None = None  # keyed by "paragraph passages?"
        self._lock = threading.Lock()
        self._hold: object | None = None  # the build's shared lock (see `builds.hold_build`), while open

    def close(self) -> None:
        """Let go of the build, so a later `lawqa index` may delete it (dropping the object does the same)."""
        hold, self._hold = self._hold, None
        if hold is not None:
            hold.close()

    def dense(self, vector: np.ndarray, *, k: int, regulations: Sequence[str] | None = None,
              paragraphs: bool = False) -> list[tuple[PassageRecord, float]]:
        """Nearest embedded passages by cosine similarity, optionally within some regulations.

        Article passages by default; with `paragraphs`, the paragraph passages instead (see `passages`).

        Exact search scores every stored vector in memory: at a few hundred passages that takes ~0.1 ms
        against ~2.5 ms for a Chroma query, and unlike HNSW with a metadata filter it ranks the same way in
        every process. Otherwise Chroma's HNSW index answers (see `DenseSearch`).
        """
        if regulations and self._everything.issubset(regulations):
            regulations = None  # a scope of every regulation is no filter (Chroma's filtered query is slower)
        if not self.exact:
            return self._dense_in_store(vector, k=k, regulations=regulations, paragraphs=paragraphs)
        passages = self.passage_vectors(paragraphs=paragraphs)
        keep = np.ones(len(passages.records), dtype=bool)
        if regulations:
            keep &= np.isin(passages.regulations, list(regulations))
        query = np.asarray(vector, dtype=np.float32)
        scores = np.where(keep, similarities(passages.matrix, query / (np.linalg.norm(query) or 1.0)), -np.inf)
        order = top(scores, min(k, int(keep.sum())))
        return [(passages.records[i], float(scores[i])) for i in order]

    def _dense_in_store(self, vector: np.ndarray, *, k: int, regulations: Sequence[str] | None,
                        paragraphs: bool) -> list[tuple[PassageRecord, float]]:
        where = {"regulation": {"$in": list(regulations)}} if regulations else None
        articles, paragraph_passages = collection_names(self.meta.collection)
        name = paragraph_passages if paragraphs else articles
        hits = self.store.query(name, vector, k=min(k, self.meta.embedded), where=where)
        return [(self._by_id[pid], score) for pid, score in hits if pid in self._by_id]

    @functools.cached_property
    def _everything(self) -> frozenset[str]:
        return frozenset(r.regulation for r in self.records)

    def passage_vectors(self, *, paragraphs: bool = False) -> PassageVectors:
        """Every embedded article passage (or, with `paragraphs`, paragraph passage) and its unit vector.

        Loaded on first use from the build's vectors file when its ids match the passages; otherwise (a
        damaged file) from the vector store, which is slower to open but holds the same vectors.
        """
        with self._lock:
            if self._vectors is None:
                embedded = tuple(r for r in self.records if r.embedded)
                matrix = None if self._vectors_path is None else \
                    read_vectors(self._vectors_path, [r.id for r in embedded], self.meta.dimension)
                if matrix is None:
                    ids = [r.id for r in embedded]
                    stored = {pid: v for name in collection_names(self.meta.collection)
                              for pid, v in self.store.vectors(name, ids).items()}
                    embedded = tuple(r for r in embedded if r.id in stored)
                    matrix = np.vstack([stored[r.id] for r in embedded]) if embedded else \
                        np.zeros((0, self.meta.dimension), dtype=np.float32)
                norms = np.linalg.norm(matrix, axis=1, keepdims=True)
                unit = (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)
                self._vectors = {}
                for wanted in (False, True):
                    rows = [i for i, r in enumerate(embedded) if (r.paragraph > 0) == wanted]
                    self._vectors[wanted] = PassageVectors(tuple(embedded[i] for i in rows), unit[rows])
            return self._vectors[paragraphs]

    def keyword(self, tokens: Sequence[str], *, k: int,
                regulations: Sequence[str] | None = None) -> list[tuple[PassageRecord, float]]:
        """Best BM25 passages for the query tokens (score > 0 only), optionally within regulations."""
        if not tokens:
            return []
        scores = np.asarray(self.bm25.get_scores(list(tokens)))
        if regulations and not self._everything.issubset(regulations):
            scores = scores * np.isin(self._regulation_of, list(regulations))
        order = top(scores, k)
        return [(self._keyword_records[i], float(scores[i])) for i in order if scores[i] > 0]

    @property
    def article_tokens(self) -> dict[str, frozenset[str]]:
        """Each article's tokens (all languages), written by the build so start-up never tokenises the corpus."""
        if self._article_tokens is None:
            path = self._terms_path.with_name("tokens.json") if self._terms_path else None
            if path is None or not path.exists():
                raise IndexStateError(f"the index has no article tokens ({path}); run `lawqa index --rebuild`")
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                self._article_tokens = {a: frozenset(tokens) for a, tokens in raw.items()}
            except (OSError, ValueError, AttributeError, TypeError) as exc:  # changed since the checksums held
                raise DamagedIndexError(f"index file {path} is damaged ({exc}); run `lawqa index` to repair it",
                                        path=path) from exc
        return self._article_tokens

    @property
    def terms(self) -> TermTable:
        """The bilingual term table built with this index (loaded on first use)."""
        if self._terms is None:
            try:
                self._terms = load_term_table(self._terms_path) if self._terms_path else TermTable()
            except (OSError, ValueError, KeyError, TypeError) as exc:  # changed since the checksums held
                raise DamagedIndexError(f"index file {self._terms_path} is damaged ({exc}); run `lawqa index` "
                                        "to repair it", path=self._terms_path) from exc
        return self._terms


def open_index(data_dir: Path, embedder: Embedder, *, chroma_url: str | None = None,
               dense_search: DenseSearch = "auto") -> SearchIndex:
    """Open the serving build, checking it was made with this embedder and store and that its files are intact.

    A damaged file is a DamagedIndexError naming it. The open index holds the build (see `builds.hold_build`)
    until it is closed or dropped.
    """
    root = index_root(data_dir)
    meta = read_meta(data_dir)
    if meta is None:
        raise IndexStateError(f"no index in {root}; run `lawqa index` to build it")
    if meta.format != INDEX_FORMAT:
        raise IndexStateError(f"the index in {root} has format {meta.format}, this lawqa reads {INDEX_FORMAT}; "
                              "run `lawqa index --rebuild`")
    if meta.pipeline != PIPELINE_VERSION:  # e.g. no paragraph passages yet: dense filters would find nothing
        raise IndexStateError(f"the index in {root} was built by another lawqa version (pipeline "
                              f"{meta.pipeline or 'unknown'!r}); run `lawqa index` to rebuild it")
    if not built_with(meta, embedder):
        raise IndexStateError(f"Index built with {meta.embedder} ({meta.dimension} dimensions) but LAWQA_EMBEDDER "
                              f"is {embedder.name} ({embedder.dimension}); run `lawqa index --rebuild`")
    if meta.chroma_url != chroma_url:
        built_on = meta.chroma_url or "the embedded Chroma in the data directory"
        now = chroma_url or "unset"
        raise IndexStateError(f"Index built on {built_on} but LAWQA_CHROMA_URL is {now}; run `lawqa index`")
    build_dir = root / "builds" / meta.build_id
    hold = hold_build(build_dir)
    if read_meta(data_dir) != meta:  # replaced (and perhaps deleted) between reading CURRENT and holding it
        if hold is not None:
            hold.close()
        return open_index(data_dir, embedder, chroma_url=chroma_url, dense_search=dense_search)
    try:
        index = _open_build(build_dir, meta, chroma_url=chroma_url, dense_search=dense_search)
    except BaseException:
        if hold is not None:
            hold.close()
        raise
    index._hold = hold
    return index


def _open_build(build_dir: Path, meta: IndexMeta, *, chroma_url: str | None,
                dense_search: DenseSearch) -> SearchIndex:
    import bm25s

    if dense_search not in get_args(DenseSearch):
        raise ConfigError(f"LAWQA_DENSE_SEARCH={dense_search!r} is not known; use one of "
                          f"{', '.join(get_args(DenseSearch))}")
    # A damaged vectors file is spared: it is a copy of what the store holds, which is read instead.
    spared = verify_build(build_dir, meta, hashes=sum(f.size for f in meta.files.values()) <= HASH_ON_OPEN_BYTES,
                          spare=frozenset({VECTORS_FILE}))
    try:
        records = tuple(read_records(build_dir))
        bm25 = bm25s.BM25.load(str(build_dir / "bm25"), mmap=True)
        precedents = PrecedentTable.load(build_dir)
    except (OSError, ValueError, KeyError) as exc:  # changed since the checksums were compared: a race, or worse
        raise DamagedIndexError(f"the index in {build_dir} is damaged ({exc}); run `lawqa index` to repair it",
                                path=build_dir) from exc
    exact = dense_search == "exact" or (dense_search == "auto" and chroma_url is None
                                        and meta.embedded <= EXACT_SEARCH_LIMIT)
    store = store_for(build_dir, chroma_url)
    if not exact:
        for name in collection_names(meta.collection):
            store.check(name)
    return SearchIndex(meta=meta, store=store, records=records, bm25=bm25,
                       terms_path=build_dir / "terms.json", precedents=precedents,
                       exact=exact, vectors_path=None if spared else build_dir / VECTORS_FILE)
