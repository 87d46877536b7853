"""Build and open the search index: a Chroma collection of passage vectors plus a BM25 keyword index.

The directory layout, build metadata and lock are in `builds`. A build never touches the build that is
serving. If it fails or is killed half-way, CURRENT still names the previous build, and the next build
deletes the leftovers. Unchanged passages (same text, same embedder) reuse their vectors from the serving
build (its vectors file, else its collection) instead of being embedded again; an unchanged corpus is not
rebuilt at all.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np

from ..corpus.model import Corpus
from ..errors import IndexStateError
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
from .terms import build_term_table, save_term_table

INDEX_FORMAT = 1
# Bump when tokenisation or passage layout changes, so existing indexes are rebuilt.
PIPELINE_VERSION = "passages-2/tokens-1/terms-2/article-tokens-1/precedents-2/vectors-1/meta-2"
Stage = Literal["embedding", "precedents", "keywords", "saving"]
STAGES: dict[str, dict[str, str]] = {  # what each build stage is called, for progress displays
    "embedding": {"zh": "嵌入条文段落", "en": "embedding passages"},
    "precedents": {"zh": "嵌入已标注的问题", "en": "embedding labelled questions"},
    "keywords": {"zh": "建立关键词索引", "en": "building the keyword index"},
    "saving": {"zh": "保存", "en": "saving"},
}
BuildProgress = Callable[[Stage, int, int], None]


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
        save_term_table(build_dir / "terms.json", build_term_table(corpus))
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
