"""Build and open the search index: a Chroma collection of passage vectors plus a BM25 keyword index.

The directory layout, build metadata and lock are in `builds`. A build never touches the build that is
serving. If it fails (a full disk, a read-only directory), it deletes what it wrote and says why; if it is
killed half-way, CURRENT still names the previous build, and the next `build_index` deletes the leftovers. A
build records its files' checksums; a serving build whose files no longer match them is rebuilt. Unchanged
passages (same text, same embedder) reuse their vectors from the serving build (its vectors file, else its
collection) instead of being embedded again; an unchanged corpus is not rebuilt at all. Texts the bundled
vector cache holds (`vector_cache`: the bundled corpus's passages and labelled questions) are not embedded
either, so a first build of the bundled corpus takes seconds. Progress is one overall figure across all stages
(`progress.BuildTracker`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..corpus.model import Corpus
from ..errors import IndexStateError
from ..files import write_atomically
from ..text.tokens import tokenize
from .builds import (
    IN_USE_FILE,
    VECTORS_FILE,
    IndexMeta,
    PassageRecord,
    build_lock,
    built_with,
    checksum_files,
    collection_names,
    damaged_files,
    index_root,
    read_meta,
    read_records,
    read_vector_file,
    read_vectors,
    remove_old_builds,
    remove_unfinished,
    store_for,
)
from .embedding import Embedder, embed_in_batches
from .passages import Passage, build_passages
from .precedents import PrecedentTable, embed_precedents, load_precedents, precedent_cases, precedents_digest
from .progress import BuildProgress, BuildTracker
from .terms import build_term_table, save_term_table
from .vector_cache import VectorCache, bundled_cache

INDEX_FORMAT = 1
# Bump when tokenisation or passage layout changes, so existing indexes are rebuilt.
PIPELINE_VERSION = "passages-2/tokens-1/terms-2/article-tokens-1/precedents-2/vectors-2/meta-3"


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
    repaired: tuple[str, ...] = ()  # files of the previous serving build found damaged (and replaced)
    cached: int = 0  # passages whose vectors came from the vector cache (the bundled one by default)

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
                rebuild: bool = False, progress: BuildProgress | None = None, dense: str = "shown",
                vector_cache: VectorCache | None = None) -> BuildReport:
    """Build the index for `corpus` (incrementally unless `rebuild`), then make it the serving one.

    `dense` chooses which texts are embedded (see `passages.build_passages`). Texts the serving build or
    `vector_cache` (default: the bundled one; `rebuild` uses neither) already has vectors for are not embedded.
    `progress` hears a `BuildStep` (overall figures across all stages) after each piece of work.
    """
    started = time.perf_counter()
    root = index_root(data_dir)
    with _writing(root), build_lock(root), _removing_unfinished(root):
        passages = build_passages(corpus, dense=dense)
        fingerprint = corpus_fingerprint(passages, embedder.name, chroma_url, precedents_digest(corpus))
        current = read_meta(data_dir)
        damaged = {} if current is None else damaged_files(root / "builds" / current.build_id, current)
        if current is not None and not rebuild and not damaged and current.fingerprint == fingerprint:
            remove_unfinished(root, keep=current.build_id)  # e.g. what a killed build left
            return BuildReport(build_id=current.build_id, up_to_date=True, passages=len(passages), embedded=0,
                               reused=current.embedded, seconds=time.perf_counter() - started, embed_seconds=0.0)
        remove_unfinished(root, keep=current.build_id if current else None)
        build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
        build_dir = root / "builds" / build_id
        build_dir.mkdir(parents=True)
        (build_dir / IN_USE_FILE).touch()
        fingerprints = {p.id: p.fingerprint(embedder.name) for p in passages}
        reused = {} if rebuild or current is None else \
            _reusable_vectors(root, current, embedder, fingerprints, damaged=damaged,
                              same_passages=current.fingerprint == fingerprint)
        embedded = [p for p in passages if p.embedded]
        fresh = [p for p in embedded if p.id not in reused]
        cache = VectorCache.empty() if rebuild else bundled_cache() if vector_cache is None else vector_cache
        cached = {fresh[i].id: v for i, v in cache.get(embedder, [p.text for p in fresh]).items()}
        fresh = [p for p in fresh if p.id not in cached]
        serving_precedents = None if rebuild or current is None or \
            {"precedents.npy", "precedents.json"} & set(damaged) else _serving_precedents(root, current, embedder)
        cases = precedent_cases(corpus)
        tracker = BuildTracker(progress)
        known_questions = cache.covers(embedder) or bool(serving_precedents)
        tracker.plan(texts={"embedding": len(embedded), "precedents": len(cases)}, embed_passage=len(fresh),
                     store=1, store_passage=len(embedded), condense=len(cases),
                     embed_question=0 if known_questions else len(cases),
                     keyword_passage=sum(p.keyword for p in passages), term_table=1, save=1)

        embed_started = time.perf_counter()
        ready = len(embedded) - len(fresh)
        tracker.update("embedding", texts=ready)
        vectors = embed_in_batches(embedder, [p.text for p in fresh], progress=lambda done, _: tracker.update(
            "embedding", texts=ready + done, embed_passage=done))
        embed_seconds = time.perf_counter() - embed_started
        if fresh and vectors.shape[1] != embedder.dimension:
            raise IndexStateError(f"embedder {embedder.name!r} returned {vectors.shape[1]}-dimensional vectors "
                                  f"but declares {embedder.dimension}; fix the embedder")
        by_id = {**reused, **cached, **{p.id: v for p, v in zip(fresh, vectors)}}

        collection = f"lawqa-{build_id}"
        store = store_for(build_dir, chroma_url)
        matrix = np.vstack([by_id[p.id] for p in embedded]) if embedded else \
            np.zeros((0, embedder.dimension), dtype=np.float32)
        for name, paragraphs in zip(collection_names(collection), (False, True)):
            store.create(name, metadata={"embedder": embedder.name, "dimension": embedder.dimension,
                                         "lawqa_format": INDEX_FORMAT})
            rows = [i for i, p in enumerate(embedded) if (p.paragraph > 0) == paragraphs]
            if rows:
                store.add(name, [embedded[i].id for i in rows], matrix[rows], [_metadata(embedded[i]) for i in rows])
        np.savez(build_dir / VECTORS_FILE, ids=np.array([p.id for p in embedded]),
                 vectors=matrix.astype(np.float32, copy=False))
        tracker.update("embedding", store=1, store_passage=len(embedded))

        def precedents_step(have: int, total: int, embedded_now: int) -> None:  # distinct questions
            tracker.plan(texts={"precedents": total}, embed_question=total - have + embedded_now)
            tracker.update("precedents", texts=have, embed_question=embedded_now)

        precedents = load_precedents(corpus, cases=cases,
                                     progress=lambda done, _: tracker.update("precedents", condense=done))
        embed_precedents(precedents, embedder, previous=serving_precedents,
                         cached=lambda questions: cache.get(embedder, questions, query=True),
                         progress=precedents_step).save(build_dir)
        _save_bm25(build_dir / "bm25", passages)
        tracker.update("keywords", keyword_passage=sum(p.keyword for p in passages))
        save_term_table(build_dir / "terms.json", build_term_table(corpus))
        tracker.update("keywords", term_table=1)
        # Each article's tokens (all languages), so answering never has to tokenise the corpus at start-up.
        article_tokens = {a.id: sorted({t for v in a.texts for t in tokenize(v.text)}) for a in corpus.articles()}
        write_atomically(build_dir / "tokens.json", json.dumps(article_tokens, ensure_ascii=False))
        tracker.update("saving")
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
                         seconds=round(time.perf_counter() - started, 3), files=checksum_files(build_dir))
        write_atomically(build_dir / "meta.json", meta.model_dump_json(indent=2))
        write_atomically(root / "CURRENT", build_id)
        tracker.update("saving", save=1)
        previous = current.build_id if current and not damaged else build_id  # a damaged build is not kept
        remove_old_builds(root, keep={build_id, previous}, chroma_url=chroma_url)
        tracker.finish()
        return BuildReport(build_id=build_id, up_to_date=False, passages=len(passages), embedded=len(fresh),
                           reused=len(reused), seconds=time.perf_counter() - started, embed_seconds=embed_seconds,
                           repaired=tuple(damaged), cached=len(cached))


@contextmanager
def _writing(root: Path) -> Iterator[None]:
    """Turn a failure to write the index (a full disk, a read-only or misplaced directory) into one clear error."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        reason = exc.strerror or f"a write failed ({exc}), the disk may be full"
        raise IndexStateError(f"cannot write the index in {root}: {reason}{where}; free some space or make the "
                              "directory writable (or set LAWQA_DATA_DIR to another one), then "
                              "run `lawqa index` again; the previous index, if any, keeps serving") from exc


@contextmanager
def _removing_unfinished(root: Path) -> Iterator[None]:
    """On any failure, delete the unfinished build (one without meta.json), so it does not keep the disk full."""
    try:
        yield
    except BaseException:
        remove_unfinished(root, keep=None)
        raise


def _metadata(passage: Passage) -> dict[str, str | int | bool]:
    return {"article_id": passage.article_id, "regulation": passage.regulation, "article": passage.article,
            "language": passage.language, "version": passage.version, "part": passage.part,
            "paragraph": passage.paragraph}


def _reusable_vectors(root: Path, current: IndexMeta, embedder: Embedder, fingerprints: dict[str, str], *,
                      damaged: dict[str, str], same_passages: bool) -> dict[str, np.ndarray]:
    """Vectors of the serving build that still fit: unchanged passages, from an intact file or the store."""
    if not built_with(current, embedder):
        return {}
    build_dir = root / "builds" / current.build_id
    if "passages.jsonl" in damaged:  # no record of which text each vector came from ...
        saved_file = None if VECTORS_FILE in damaged else read_vector_file(build_dir / VECTORS_FILE)
        if not same_passages or saved_file is None:
            return {}
        # ... but the build's fingerprint says every passage text is as it was, so the intact vectors file stands
        return {pid: vector for pid, vector in zip(*saved_file) if pid in fingerprints}
    try:
        records = [r for r in read_records(build_dir) if r.embedded]
    except (OSError, ValueError):  # damaged in a build without checksums: embed afresh
        return {}
    saved = None if VECTORS_FILE in damaged else \
        read_vectors(build_dir / VECTORS_FILE, [r.id for r in records], current.dimension)
    unchanged = [r.id for r in records if fingerprints.get(r.id) == r.fingerprint]
    if saved is not None:  # the vectors file holds what the collection holds, without a round trip to Chroma
        rows = {r.id: i for i, r in enumerate(records)}
        return {pid: saved[rows[pid]] for pid in unchanged}
    store = store_for(build_dir, current.chroma_url)
    found: dict[str, np.ndarray] = {}
    for name in collection_names(current.collection):
        try:
            found.update(store.vectors(name, unchanged))
        except IndexStateError:
            continue  # that collection is gone (another server; a build older than the paragraph collection)
    return found


def _serving_precedents(root: Path, current: IndexMeta, embedder: Embedder) -> PrecedentTable | None:
    if not built_with(current, embedder):
        return None
    return PrecedentTable.load(root / "builds" / current.build_id)


def _save_bm25(directory: Path, passages: Sequence[Passage]) -> None:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index([tokenize(p.text) or ["∅"] for p in passages if p.keyword], show_progress=False)
    retriever.save(str(directory))
