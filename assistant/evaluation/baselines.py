"""Baselines measured beside lawqa in the same run, with the same embedder.

(a) naive: the LangChain RAG a newcomer writes — RecursiveCharacterTextSplitter(chunk_size=1000,
    chunk_overlap=200) over the raw source files, a Chroma vector store, top-k chunks; its citations are
    the articles the retrieved chunks overlap (character spans of each article in the raw file);
(b) bm25: BM25 alone over lawqa's passages; (c) dense: dense search alone over lawqa's passages.
Each cites the articles of its top K units and never abstains; follow-ups are searched without history,
as such systems do. The answer text lists the cited ids and quotes the retrieved text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from ..corpus.evalset import Case
from ..corpus.manifest import load_manifest
from ..corpus.model import Corpus, article_id
from ..corpus.parsing import ParsedSource, parse_source
from ..corpus.reading import read_source
from ..corpus.sources import parse_parts
from ..index.embedding import Embedder, langchain_embeddings
from ..index.search_index import SearchIndex
from ..resources import bundled_path
from ..text.tokens import tokenize
from .systems import System, SystemOutput

K = 4  # LangChain's default number of retrieved documents


def _output(cited: Sequence[str], ranked: Sequence[str], quotes: Sequence[str]) -> SystemOutput:
    cited = list(dict.fromkeys(cited))
    lines = [" ".join(f"[{a}]" for a in cited)] + [f"> {line}" for q in quotes for line in q.splitlines()]
    return SystemOutput(text="\n".join(lines), citations=tuple(cited), retrieved=tuple(dict.fromkeys(ranked)),
                        abstained=False)


def bm25_system(index: SearchIndex, corpus: Corpus) -> System:
    """BM25 alone: the articles of the top K passages."""
    def run(case: Case) -> SystemOutput:
        hits = index.keyword(tokenize(case.question), k=20)
        ranked = [r.article_id for r, _ in hits]
        cited = ranked[:K]
        return _output(cited, ranked, [corpus.get(a).texts[0].text for a in dict.fromkeys(cited)])
    return run


def dense_system(index: SearchIndex, embedder: Embedder, corpus: Corpus) -> System:
    """Dense search alone: the articles of the top K passages."""
    def run(case: Case) -> SystemOutput:
        hits = index.dense(embedder.embed_query(case.question), k=20)
        ranked = [r.article_id for r, _ in hits]
        cited = ranked[:K]
        return _output(cited, ranked, [corpus.get(a).texts[0].text for a in dict.fromkeys(cited)])
    return run


def article_spans(path: Path, regulation_id: str, parsed: ParsedSource | None = None) -> list[tuple[int, int, str]]:
    """(start, end, article id) character spans of every article heading's stretch of a raw source file
    (`parsed`: the file already parsed, e.g. a part of a code whose numbering runs on from the part before)."""
    text = read_source(path)
    offsets = [0]
    for line in text.split("\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    parsed = parsed or parse_source(path)
    headings = sorted((a.line, article_id(regulation_id, a.number, a.suffix))
                      for articles in parsed.articles.values() for a in articles)
    stop = min([a.line for a in parsed.appendices], default=len(offsets))
    spans = []
    for (line, key), following in zip(headings, [*headings[1:], (stop, "")]):
        spans.append((offsets[line - 1], offsets[min(following[0], len(offsets)) - 1], key))
    return spans


def _spans(sources: Sequence[tuple[str, Sequence[Path]]]) -> dict[str, list[tuple[int, int, str]]]:
    """Article spans of every source file (the files of one source parsed as `parse_parts` reads them)."""
    return {str(path): article_spans(path, regulation_id, part)
            for regulation_id, paths in sources for path, part in zip(paths, parse_parts(paths))}


def naive_system(embedder: Embedder, cache_dir: Path, *, manifests: Sequence[Path] = ()) -> System:
    """The naive LangChain RAG over the raw sources of `manifests` (default: the bundled one), its Chroma store
    cached under `cache_dir`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    grouped = [(entry.id, [path.parent / file for file in source.files])
               for path in (manifests or [bundled_path("index", "manifest.toml")])
               for entry in load_manifest(path).regulation for source in entry.source]
    sources = [(regulation_id, file) for regulation_id, files in grouped for file in files]
    digest = hashlib.sha256(embedder.name.encode())
    for _, path in sources:
        digest.update(path.read_bytes())
    store_dir = cache_dir / f"naive-{digest.hexdigest()[:16]}"
    client = chromadb.PersistentClient(path=str(store_dir), settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma(client=client, collection_name="naive", embedding_function=langchain_embeddings(embedder),
                   collection_configuration={"hnsw": {"space": "cosine"}})
    spans = _spans(grouped)
    if not (store_dir / "complete").exists():
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        documents = splitter.create_documents([read_source(path) for _, path in sources],
                                              metadatas=[{"source": str(path)} for _, path in sources])
        store.add_documents(documents, ids=[f"chunk-{i}" for i in range(len(documents))])
        (store_dir / "complete").touch()

    def articles_of(document) -> list[str]:
        start = document.metadata["start_index"]
        end = start + len(document.page_content)
        return [a for s, e, a in spans[document.metadata["source"]] if s < end and start < e]

    def run(case: Case) -> SystemOutput:
        documents = store.similarity_search(case.question, k=10)
        ranked = [a for d in documents for a in articles_of(d)]
        cited = [a for d in documents[:K] for a in articles_of(d)]
        return _output(cited, ranked, [d.page_content for d in documents[:K]])
    return run
