"""Build and open the search index: a Chroma collection of passage vectors plus a BM25 keyword index.

The directory layout, build metadata and lock are in `builds`. A build never touches the build that is
serving. If it fails or is killed half-way, CURRENT still names the previous build, and the next build
deletes the leftovers. Unchanged passages (same text, same embedder) reuse their vectors from the serving
build (its vectors file, else its collection) instead of being embedded again; an unchanged corpus is not
rebuilt at all.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from ..corpus.model import Corpus
from ..errors import ConfigError, IndexStateError
from ..files import write_atomically
from ..text.tokens import tokenize
from .builds import (
    VECTORS_FILE,
    IndexMeta,
    PassageRecord,
    build_lock,
    built_with,
    index_root,
    read_meta,
    read_records,
    read_vectors,
    remove_old_builds,
    remove_unfinished,
    store_for,
)
from .embedding import Embedder, embed_in_batches
from .passages import Passage, build_passages
from .precedents import PrecedentTable, embed_precedents, load_precedents, precedents_digest
from .store import VectorStore
from .terms import build_term_table, english_vocabulary, load_term_table, save_term_table

INDEX_FORMAT = 1
# Bump when tokenisation or passage layout changes, so existing indexes are rebuilt.
PIPELINE_VERSION = "passages-2/tokens-1/terms-1/article-tokens-1/precedents-1/vectors-1/meta-2"
Stage = Literal["embedding", "precedents", "keywords", "saving"]
STAGES: dict[str, dict[str, str]] = {  # what each build stage is called, for progress displays
    "embedding": {"zh": "嵌入条文段落", "en": "embedding passages"},
    "precedents": {"zh": "嵌入已标注的问题", "en": "embedding labelled questions"},
    "keywords": {"zh": "建立关键词索引", "en": "building the keyword index"},
    "saving": {"zh": "保存", "en": "saving"},
}
BuildProgress = Callable[[Stage, int, int], None]
# How dense search runs: exact, over the build's vectors held in memory, or by querying Chroma's HNSW index.
# "auto" is exact for an embedded store of up to EXACT_SEARCH_LIMIT passages, and Chroma otherwise.
DenseSearch = Literal["auto", "exact", "chroma"]
EXACT_SEARCH_LIMIT = 20_000


@dataclass(frozen=True)
class BuildReport:
    """What `build_index` did."""

    build_id: str
    up_to_date: bool
    passages: int
    embedded: int  # passages embedded in this build
    reused: int  # passages whose vectors were copied from the previous build
    seconds: float
    embed_seconds: float

    @property
    def passages_per_second(self) -> float:
        """Embedding throughput of this build (0 when nothing was embedded)."""
        return self.embedded / self.embed_seconds if self.embedded and self.embed_seconds else 0.0


def corpus_fingerprint(passages: Sequence[Passage], embedder_name: str, chroma_url: str | None,
                       precedents: str = "") -> str:
    """Hash of everything a build depends on: passages, precedents' digest, embedder, tokenizer, store location."""
    digest = hashlib.sha256(f"{INDEX_FORMAT}|{PIPELINE_VERSION}|{embedder_name}|{chroma_url or ''}".encode())
    for passage in passages:
        digest.update(f"\n{passage.id}\t{passage.embedded}\t{passage.fingerprint(embedder_name)}".encode())
    digest.update(f"\nprecedents\t{precedents}".encode())
    return digest.hexdigest()


def index_fingerprint(corpus: Corpus, embedder_name: str, *, chroma_url: str | None = None,
                      dense: str = "shown") -> str:
    """The fingerprint `build_index` would give this corpus now (compare with `read_meta(...).fingerprint`)."""
    return corpus_fingerprint(build_passages(corpus, dense=dense), embedder_name, chroma_url,
                              precedents_digest(corpus))


def build_index(corpus: Corpus, embedder: Embedder, *, data_dir: Path, chroma_url: str | None = None,
                rebuild: bool = False, progress: BuildProgress | None = None, dense: str = "shown") -> BuildReport:
    """Build the index for `corpus` (incrementally unless `rebuild`), then make it the serving one.

    `dense` chooses which texts are embedded (see `passages.build_passages`).
    """
    started = time.perf_counter()
    root = index_root(data_dir)
    with build_lock(root):
        passages = build_passages(corpus, dense=dense)
        fingerprint = corpus_fingerprint(passages, embedder.name, chroma_url, precedents_digest(corpus))
        current = read_meta(data_dir)
        if current is not None and not rebuild and current.fingerprint == fingerprint:
            return BuildReport(build_id=current.build_id, up_to_date=True, passages=len(passages), embedded=0,
                               reused=current.embedded, seconds=time.perf_counter() - started, embed_seconds=0.0)
        remove_unfinished(root, keep=current.build_id if current else None)
        build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
        build_dir = root / "builds" / build_id
        build_dir.mkdir(parents=True)
        fingerprints = {p.id: p.fingerprint(embedder.name) for p in passages}
        reused = {} if rebuild or current is None else _reusable_vectors(root, current, embedder, fingerprints)
        embedded = [p for p in passages if p.embedded]
        fresh = [p for p in embedded if p.id not in reused]

        embed_started = time.perf_counter()
        report = (lambda done, total: progress("embedding", done, total)) if progress else None
        if report:
            report(0, len(fresh))
        vectors = embed_in_batches(embedder, [p.text for p in fresh], progress=report)
        embed_seconds = time.perf_counter() - embed_started
        if fresh and vectors.shape[1] != embedder.dimension:
            raise IndexStateError(f"embedder {embedder.name!r} returned {vectors.shape[1]}-dimensional vectors "
                                  f"but declares {embedder.dimension}; fix the embedder")
        by_id = {**reused, **{p.id: v for p, v in zip(fresh, vectors)}}

        collection = f"lawqa-{build_id}"
        store = store_for(build_dir, chroma_url)
        store.create(collection, metadata={"embedder": embedder.name, "dimension": embedder.dimension,
                                           "lawqa_format": INDEX_FORMAT})
        matrix = np.vstack([by_id[p.id] for p in embedded]) if embedded else \
            np.zeros((0, embedder.dimension), dtype=np.float32)
        if embedded:
            store.add(collection, [p.id for p in embedded], matrix, [_metadata(p) for p in embedded])
        np.savez(build_dir / VECTORS_FILE, ids=np.array([p.id for p in embedded]),
                 vectors=matrix.astype(np.float32, copy=False))

        precedents = load_precedents(corpus)
        report_precedents = (lambda done, total: progress("precedents", done, total)) if progress else None
        embed_precedents(precedents, embedder, progress=report_precedents,
                         previous=None if rebuild or current is None
                         else _serving_precedents(root, current, embedder)).save(build_dir)
        if progress:
            progress("keywords", 0, sum(p.keyword for p in passages))
        _save_bm25(build_dir / "bm25", passages)
        save_term_table(build_dir / "terms.json", build_term_table(corpus, english_vocabulary(corpus)))
        # Each article's tokens (all languages), so answering never has to tokenise the corpus at start-up.
        article_tokens = {a.id: sorted({t for v in a.texts for t in tokenize(v.text)}) for a in corpus.articles()}
        write_atomically(build_dir / "tokens.json", json.dumps(article_tokens, ensure_ascii=False))
        if progress:
            progress("saving", len(passages), len(passages))
        with open(build_dir / "passages.jsonl", "w", encoding="utf-8") as handle:
            for passage in passages:
                record = PassageRecord(id=passage.id, article_id=passage.article_id, regulation=passage.regulation,
                                       article=passage.article, language=passage.language, version=passage.version,
                                       part=passage.part, embedded=passage.embedded,
                                       fingerprint=fingerprints[passage.id], keyword=passage.keyword,
                                       paragraph=passage.paragraph)
                handle.write(record.model_dump_json() + "\n")
        meta = IndexMeta(format=INDEX_FORMAT, pipeline=PIPELINE_VERSION, build_id=build_id,
                         embedder=embedder.name, dimension=embedder.dimension, chroma_url=chroma_url,
                         collection=collection, fingerprint=fingerprint, regulations=list(corpus.ids),
                         articles=sum(len(r.articles) for r in corpus.regulations), passages=len(passages),
                         embedded=len(embedded), built_at=datetime.now(UTC),
                         seconds=round(time.perf_counter() - started, 3))
        write_atomically(build_dir / "meta.json", meta.model_dump_json(indent=2))
        write_atomically(root / "CURRENT", build_id)
        remove_old_builds(root, keep={build_id, current.build_id if current else build_id}, chroma_url=chroma_url)
        return BuildReport(build_id=build_id, up_to_date=False, passages=len(passages), embedded=len(fresh),
                           reused=len(reused), seconds=time.perf_counter() - started, embed_seconds=embed_seconds)


def _metadata(passage: Passage) -> dict[str, str | int | bool]:
    return {"article_id": passage.article_id, "regulation": passage.regulation, "article": passage.article,
            "language": passage.language, "version": passage.version, "part": passage.part,
            "paragraph": passage.paragraph}


def _reusable_vectors(root: Path, current: IndexMeta, embedder: Embedder,
                      fingerprints: dict[str, str]) -> dict[str, np.ndarray]:
    if not built_with(current, embedder):
        return {}
    build_dir = root / "builds" / current.build_id
    records = [r for r in read_records(build_dir) if r.embedded]
    saved = read_vectors(build_dir / VECTORS_FILE, [r.id for r in records], current.dimension)
    unchanged = [r.id for r in records if fingerprints.get(r.id) == r.fingerprint]
    if saved is not None:  # the vectors file holds what the collection holds, without a round trip to Chroma
        rows = {r.id: i for i, r in enumerate(records)}
        return {pid: saved[rows[pid]] for pid in unchanged}
    try:
        return store_for(build_dir, current.chroma_url).vectors(current.collection, unchanged)
    except IndexStateError:
        return {}  # the old collection is gone (e.g. another server): embed everything afresh


def _serving_precedents(root: Path, current: IndexMeta, embedder: Embedder) -> PrecedentTable | None:
    if not built_with(current, embedder):
        return None
    return PrecedentTable.load(root / "builds" / current.build_id)


def _save_bm25(directory: Path, passages: Sequence[Passage]) -> None:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index([tokenize(p.text) or ["∅"] for p in passages if p.keyword], show_progress=False)
    retriever.save(str(directory))


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
    def columns(self) -> dict[str, np.ndarray]:
        """Each row's regulation and language, so filters are array comparisons rather than Python loops."""
        return {"regulation": np.array([r.regulation for r in self.records]),
                "language": np.array([r.language for r in self.records])}

    def vector(self, passage_id: str) -> np.ndarray | None:
        """One passage's vector (None when it was not embedded)."""
        row = self.row.get(passage_id)
        return None if row is None else self.matrix[row]

    def score(self, vector: np.ndarray, keep: Callable[[PassageRecord], bool]) -> list[tuple[PassageRecord, float]]:
        """(passage, cosine with `vector`) for the passages `keep` accepts, in row order."""
        rows = [i for i, r in enumerate(self.records) if keep(r)]
        if not rows:
            return []
        return list(zip([self.records[i] for i in rows], (self.matrix[rows] @ vector).tolist()))


class SearchIndex:
    """An opened build: dense search over the vector store's vectors, keyword search through BM25."""

    def __init__(self, meta: IndexMeta, store: VectorStore, records: Sequence[PassageRecord], bm25: object,
                 *, terms_path: Path | None = None, precedents: PrecedentTable | None = None,
                 exact: bool = True, vectors_path: Path | None = None):
        self.meta = meta
        self.precedents = precedents or PrecedentTable([], np.zeros((0, meta.dimension), dtype=np.float32))
        self._terms_path = terms_path
        self._terms: dict[str, list[str]] | None = None
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

    def dense(self, vector: np.ndarray, *, k: int, regulations: Sequence[str] | None = None,
              language: str | None = None, paragraphs: bool = False) -> list[tuple[PassageRecord, float]]:
        """Nearest embedded passages by cosine similarity, optionally within regulations or one language.

        Article passages by default; with `paragraphs`, the paragraph passages instead (see `passages`).

        Exact search scores every stored vector in memory: at a few hundred passages that takes ~0.1 ms
        against ~2.5 ms for a Chroma query, and unlike HNSW with a metadata filter it ranks the same way in
        every process. Otherwise Chroma's HNSW index answers (see `DenseSearch`).
        """
        if not self.exact:
            return self._dense_in_store(vector, k=k, regulations=regulations, language=language,
                                        paragraphs=paragraphs)
        passages = self.passage_vectors(paragraphs=paragraphs)
        keep = np.ones(len(passages.records), dtype=bool)
        if regulations:
            keep &= np.isin(passages.columns["regulation"], list(regulations))
        if language:
            keep &= passages.columns["language"] == language
        query = np.asarray(vector, dtype=np.float32)
        scores = np.where(keep, passages.matrix @ (query / (np.linalg.norm(query) or 1.0)), -np.inf)
        order = np.argsort(-scores, kind="stable")[:min(k, int(keep.sum()))]
        return [(passages.records[i], float(scores[i])) for i in order]

    def _dense_in_store(self, vector: np.ndarray, *, k: int, regulations: Sequence[str] | None,
                        language: str | None, paragraphs: bool) -> list[tuple[PassageRecord, float]]:
        clauses: list[dict] = [{"paragraph": {"$gt": 0}} if paragraphs else {"paragraph": 0}]
        if regulations:
            clauses.append({"regulation": {"$in": list(regulations)}})
        if language:
            clauses.append({"language": language})
        where = clauses[0] if len(clauses) == 1 else {"$and": clauses}
        hits = self.store.query(self.meta.collection, vector, k=min(k, self.meta.embedded), where=where)
        return [(self._by_id[pid], score) for pid, score in hits if pid in self._by_id]

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
                    stored = self.store.vectors(self.meta.collection, [r.id for r in embedded])
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
        if regulations:
            scores = scores * np.isin(self._regulation_of, list(regulations))
        order = np.argsort(-scores)[:k]
        return [(self._keyword_records[i], float(scores[i])) for i in order if scores[i] > 0]

    @property
    def article_tokens(self) -> dict[str, frozenset[str]]:
        """Each article's tokens (all languages), written by the build so start-up never tokenises the corpus."""
        if self._article_tokens is None:
            path = self._terms_path.with_name("tokens.json") if self._terms_path else None
            if path is None or not path.exists():
                raise IndexStateError(f"the index has no article tokens ({path}); run `lawqa index --rebuild`")
            raw = json.loads(path.read_text(encoding="utf-8"))
            self._article_tokens = {a: frozenset(tokens) for a, tokens in raw.items()}
        return self._article_tokens

    @property
    def terms(self) -> dict[str, list[str]]:
        """The bilingual term table built with this index (loaded on first use)."""
        if self._terms is None:
            self._terms = load_term_table(self._terms_path) if self._terms_path else {}
        return self._terms


def open_index(data_dir: Path, embedder: Embedder, *, chroma_url: str | None = None,
               dense_search: DenseSearch = "auto") -> SearchIndex:
    """Open the serving build, checking it was made with this embedder and store."""
    import bm25s

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
    records = tuple(read_records(build_dir))
    bm25 = bm25s.BM25.load(str(build_dir / "bm25"), mmap=True)
    if dense_search not in get_args(DenseSearch):
        raise ConfigError(f"LAWQA_DENSE_SEARCH={dense_search!r} is not known; use one of "
                          f"{', '.join(get_args(DenseSearch))}")
    exact = dense_search == "exact" or (dense_search == "auto" and chroma_url is None
                                        and meta.embedded <= EXACT_SEARCH_LIMIT)
    store = store_for(build_dir, chroma_url)
    if not exact:
        store.check(meta.collection)
    return SearchIndex(meta=meta, store=store, records=records, bm25=bm25,
                       terms_path=build_dir / "terms.json", precedents=PrecedentTable.load(build_dir),
                       exact=exact, vectors_path=build_dir / VECTORS_FILE)
