"""Index builds: round trip, incremental, atomic (failure and kill -9), locked, embedder-checked, server-backed,
checksummed (a damaged file is named on open and repaired by the next build), kept while a process has them open."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from typing import get_args

import numpy as np
import pytest

from assistant.corpus.adding import add_regulation
from assistant.corpus.sources import load_corpus
from assistant.errors import ConfigError, DamagedIndexError, IndexStateError
from assistant.index.build import build_index
from assistant.index.builds import (
    VECTORS_FILE,
    build_lock,
    checked_files,
    collection_names,
    in_use,
    index_root,
    read_meta,
    read_records,
)
from assistant.index.embedding import HashEmbedder
from assistant.index.search_index import DenseSearch, open_index
from assistant.index.store import ChromaStore
from assistant.index.vector_cache import VectorCache
from assistant.settings import Settings
from assistant.text.tokens import tokenize


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting how many passages it embeds (and optionally failing part-way)."""

    def __init__(self, *, fail_after: int | None = None):
        super().__init__()
        self.embedded = 0
        self.fail_after = fail_after

    def embed_passages(self, texts):
        if self.fail_after is not None and self.embedded >= self.fail_after:
            raise RuntimeError("simulated crash while embedding")
        self.embedded += len(texts)
        return super().embed_passages(texts)


def test_round_trip_dense_and_keyword(hash_data_dir, corpus, hash_embedder):
    index = open_index(hash_data_dir, hash_embedder)
    # 217 article passages and 391 paragraph passages embedded; 72 more article texts keyword-only.
    assert index.meta.articles == 145 and index.meta.embedded == 608 and index.meta.passages == 680
    article = corpus.article("shenzhen-ai-2022", 71)
    (hit, score), *_ = index.dense(hash_embedder.embed_query(article.text("en").text), k=3)
    assert hit.article_id == "shenzhen-ai-2022:71" and score > 0.8
    shanghai = index.dense(hash_embedder.embed_query("伦理专家委员会"), k=3, regulations=["shanghai-ai-2022"])
    assert {h.regulation for h, _ in shanghai} == {"shanghai-ai-2022"}
    keyword = index.keyword(tokenize("人工智能伦理专家委员会"), k=3, regulations=["shanghai-ai-2022"])
    assert keyword[0][0].article_id == "shanghai-ai-2022:66"
    assert all(h.regulation == "shanghai-ai-2022" for h, _ in keyword)
    # The second Shanghai translation is keyword-searchable though not embedded.
    pkulaw = index.keyword(tokenize("biological recognition service providers"), k=1)
    assert pkulaw[0][0].id == "shanghai-ai-2022:68/en.1"


def test_paragraph_passages_are_searched_apart(hash_data_dir, corpus, hash_embedder):
    index = open_index(hash_data_dir, hash_embedder)
    item = corpus.article("shanghai-ai-2022", 65).text("en").paragraphs[1].render()
    vector = hash_embedder.embed_query(item)
    articles = index.dense(vector, k=50)
    paragraphs = index.dense(vector, k=50, paragraphs=True)
    assert not any(r.paragraph for r, _ in articles) and all(r.paragraph for r, _ in paragraphs)
    assert paragraphs[0][0].id == "shanghai-ai-2022:65/en/p2"
    # What the searcher's article-level paths read (hubness, pivot, analog, article vectors): no paragraphs.
    assert len(index.passage_vectors().records) == 217 and not any(r.paragraph for r in index.passage_vectors().records)
    assert len(index.passage_vectors(paragraphs=True).records) == 391
    # BM25 holds the 289 article texts only, in the order of their records: the last one finds itself.
    assert len(index.bm25.get_scores(["人工智能"])) == 289
    last = corpus.article("shenzhen-ai-2022", 73).text("en").text
    assert index.keyword(tokenize(last), k=1)[0][0].article_id == "shenzhen-ai-2022:73"


def test_opening_an_index_from_another_pipeline_says_rebuild(tmp_path, corpus, hash_embedder):
    build_index(corpus, hash_embedder, data_dir=tmp_path)
    meta_file = index_root(tmp_path) / "builds" / read_meta(tmp_path).build_id / "meta.json"
    meta_file.write_text(read_meta(tmp_path).model_copy(update={"pipeline": "passages-1"}).model_dump_json())
    with pytest.raises(IndexStateError, match=r"built by another lawqa version \(pipeline 'passages-1'\); "
                                              r"run `lawqa index`"):
        open_index(tmp_path, hash_embedder)


def test_exact_search_and_chroma_give_the_same_scores(hash_data_dir, corpus, hash_embedder):
    exact = open_index(hash_data_dir, hash_embedder)
    hnsw = open_index(hash_data_dir, hash_embedder, dense_search="chroma")
    assert exact.exact and not hnsw.exact
    for question in ("伦理专家委员会", "data security of algorithms", corpus.article("shanghai-ai-2022", 9).text("zh").text):
        vector = hash_embedder.embed_query(question)
        for kwargs in ({}, {"regulations": ["shenzhen-ai-2022"]},
                       {"paragraphs": True, "regulations": ["shanghai-ai-2022"]}):
            mine = exact.dense(vector, k=10, **kwargs)
            theirs = hnsw.dense(vector, k=10, **kwargs)
            # HNSW is approximate, so its list may differ; but each of its scores is the exact cosine, and
            # exact search is never worse at the top.
            every = {r.id: s for r, s in exact.dense(vector, k=700, **kwargs)}
            assert {bool(r.paragraph) for r, _ in theirs} == {kwargs.get("paragraphs", False)}
            assert all(s == pytest.approx(every[r.id], abs=1e-4) for r, s in theirs)
            assert mine[0][1] >= theirs[0][1] - 1e-4 and mine[0][1] == max(every.values())
            assert all(a >= b for (_, a), (_, b) in itertools.pairwise(mine))


def test_build_keeps_a_copy_of_the_vectors_for_exact_search(hash_data_dir, hash_embedder):
    index = open_index(hash_data_dir, hash_embedder, dense_search="chroma")
    embedded = [r.id for r in index.records if r.embedded]
    with np.load(index_root(hash_data_dir) / "builds" / index.meta.build_id / VECTORS_FILE) as saved:
        assert saved["ids"].tolist() == embedded
        articles, paragraphs = collection_names(index.meta.collection)
        stored = {**index.store.vectors(articles, embedded), **index.store.vectors(paragraphs, embedded)}
        # Article passages and paragraph passages live in a collection each (no metadata filter per query).
        assert set(index.store.vectors(articles, embedded)) == {r.id for r in index.records
                                                                if r.embedded and r.paragraph == 0}
        assert np.allclose(saved["vectors"], np.vstack([stored[i] for i in embedded]), atol=1e-6)


@pytest.mark.parametrize("damage", ["reordered", "truncated", "missing"])
def test_a_damaged_vectors_file_falls_back_to_the_store(tmp_path, corpus, hash_embedder, damage):
    build_index(corpus, hash_embedder, data_dir=tmp_path)
    path = index_root(tmp_path) / "builds" / read_meta(tmp_path).build_id / VECTORS_FILE
    if damage == "reordered":  # e.g. left from a build whose passages came in another order
        with np.load(path) as saved:
            ids, vectors = saved["ids"][::-1], saved["vectors"][::-1]
        np.savez(path, ids=ids, vectors=vectors)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    else:
        path.unlink()
    vector = hash_embedder.embed_query(corpus.article("shenzhen-ai-2022", 71).text("en").text)
    damaged = open_index(tmp_path, hash_embedder).dense(vector, k=3)
    stored = open_index(tmp_path, hash_embedder, dense_search="chroma").dense(vector, k=3)
    assert damaged[0][0].article_id == "shenzhen-ai-2022:71"
    assert [r.id for r, _ in damaged] == [r.id for r, _ in stored]


def test_without_its_vectors_file_a_rebuild_reuses_what_each_collection_still_holds(tmp_path, corpus, hash_embedder):
    # One collection gone (e.g. a build older than the paragraph collection) costs only its own vectors.
    build_index(corpus, hash_embedder, data_dir=tmp_path)
    meta = read_meta(tmp_path)
    build_dir = index_root(tmp_path) / "builds" / meta.build_id
    (build_dir / VECTORS_FILE).unlink()
    store = ChromaStore(build_dir / "chroma")
    store.drop(collection_names(meta.collection)[1])
    articles = sum(1 for r in read_records(build_dir) if r.embedded and r.paragraph == 0)
    report = build_index(corpus, CountingEmbedder(), data_dir=tmp_path, vector_cache=VectorCache.empty())
    assert report.reused == articles and report.embedded == meta.embedded - articles


def test_an_unknown_dense_search_is_refused(hash_data_dir, hash_embedder):
    with pytest.raises(ConfigError, match="LAWQA_DENSE_SEARCH='EXACT' is not known; use one of auto, exact, chroma"):
        open_index(hash_data_dir, hash_embedder, dense_search="EXACT")
    assert get_args(Settings.model_fields["dense_search"].annotation) == get_args(DenseSearch)


def test_answering_from_the_embedded_store_does_not_start_chroma(hash_data_dir):
    # Importing chromadb and opening its client is half a second of every CLI start; exact search skips both.
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from assistant.index.embedding import HashEmbedder
        from assistant.index.search_index import open_index
        index = open_index(Path({str(hash_data_dir)!r}), HashEmbedder())
        assert index.dense(HashEmbedder().embed_query("AI ethics"), k=3)
        print("chromadb" in sys.modules)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_unchanged_corpus_is_not_rebuilt(tmp_path, corpus):
    embedder = CountingEmbedder()
    first = build_index(corpus, embedder, data_dir=tmp_path)
    assert (first.up_to_date, first.embedded, embedder.embedded) == (False, 608, 608)
    again = build_index(corpus, embedder, data_dir=tmp_path)
    assert again.up_to_date and again.build_id == first.build_id and embedder.embedded == 608
    forced = build_index(corpus, embedder, data_dir=tmp_path, rebuild=True)
    assert not forced.up_to_date and forced.embedded == 608 and forced.reused == 0


def test_adding_a_regulation_embeds_only_its_articles(tmp_path, corpus):
    embedder = CountingEmbedder()
    first = build_index(corpus, embedder, data_dir=tmp_path)
    source = tmp_path / "drones.txt"
    source.write_text("Article 1 Drone pilots shall register.\nArticle 2 These rules take effect on 1 May.\n")
    add_regulation(tmp_path, source, regulation_id="test-drones-2023", title="Drone Rules")
    report = build_index(load_corpus(tmp_path), embedder, data_dir=tmp_path)
    assert (report.embedded, report.reused) == (4, 608)  # two articles, each one paragraph
    assert embedder.embedded == 612
    index = open_index(tmp_path, embedder)
    assert index.meta.regulations[-1] == "test-drones-2023"
    (hit, _), *_ = index.dense(embedder.embed_query("Drone pilots shall register"), k=1)
    assert hit.article_id == "test-drones-2023:1"
    assert {p.name for p in (index_root(tmp_path) / "builds").iterdir()} == {first.build_id, report.build_id}


@pytest.mark.parametrize("lost", ["vectors file", "chroma collection"])
def test_a_rebuild_reuses_vectors_from_either_copy(tmp_path, corpus, lost):
    embedder = CountingEmbedder()
    first = build_index(corpus, embedder, data_dir=tmp_path)
    build_dir = index_root(tmp_path) / "builds" / first.build_id
    if lost == "vectors file":
        (build_dir / VECTORS_FILE).unlink()
    else:
        shutil.rmtree(build_dir / "chroma")
    source = tmp_path / "drones.txt"
    source.write_text("Article 1 Drone pilots shall register.\n")
    add_regulation(tmp_path, source, regulation_id="test-drones-2023", title="Drone Rules")
    report = build_index(load_corpus(tmp_path), embedder, data_dir=tmp_path)
    assert (report.embedded, report.reused) == (2, 608) and embedder.embedded == 610


def test_failed_build_leaves_the_previous_index_serving(tmp_path, corpus):
    first = build_index(corpus, HashEmbedder(), data_dir=tmp_path)
    with pytest.raises(RuntimeError, match="simulated crash"):
        build_index(corpus, CountingEmbedder(fail_after=64), data_dir=tmp_path, rebuild=True)
    assert read_meta(tmp_path).build_id == first.build_id
    assert open_index(tmp_path, HashEmbedder()).dense(HashEmbedder().embed_query("AI"), k=1)
    builds = index_root(tmp_path) / "builds"
    assert [p.name for p in builds.iterdir()] == [first.build_id]  # the unfinished build is removed at once
    report = build_index(corpus, HashEmbedder(), data_dir=tmp_path, rebuild=True)
    assert {p.name for p in builds.iterdir()} == {first.build_id, report.build_id}


KILLED_BUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from assistant.corpus.sources import load_corpus
    from assistant.index.embedding import HashEmbedder
    from assistant.index.build import build_index

    class Slow(HashEmbedder):
        def embed_passages(self, texts):
            Path(sys.argv[2]).touch()
            time.sleep(0.3)
            return super().embed_passages(texts)

    build_index(load_corpus(), Slow(), data_dir=Path(sys.argv[1]), rebuild=True)
""")


def test_kill_9_mid_build_leaves_the_previous_index_serving(tmp_path, corpus):
    first = build_index(corpus, HashEmbedder(), data_dir=tmp_path)
    started = tmp_path / "embedding-started"
    child = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(tmp_path), str(started)])
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        assert child.poll() is None, "the build finished or died before it could be killed"
        time.sleep(0.05)
    time.sleep(0.5)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert read_meta(tmp_path).build_id == first.build_id
    index = open_index(tmp_path, HashEmbedder())
    assert index.keyword(tokenize("ethics committee"), k=1)
    report = build_index(corpus, HashEmbedder(), data_dir=tmp_path, rebuild=True)  # the lock died with the child
    assert {p.name for p in (index_root(tmp_path) / "builds").iterdir()} == {first.build_id, report.build_id}


def test_only_one_build_at_a_time(tmp_path, corpus):
    with build_lock(index_root(tmp_path)), \
            pytest.raises(IndexStateError, match="another `lawqa index` is building"):
        build_index(corpus, HashEmbedder(), data_dir=tmp_path)


def test_missing_index_says_how_to_build_it(tmp_path):
    with pytest.raises(IndexStateError, match=r"no index in .*; run `lawqa index`"):
        open_index(tmp_path, HashEmbedder())


def test_opening_with_another_embedder_says_rebuild(hash_data_dir):
    class Other(HashEmbedder):
        name = "multilingual-e5-small"

    with pytest.raises(IndexStateError, match=r"Index built with hash \(256 dimensions\) but LAWQA_EMBEDDER is "
                                              r"multilingual-e5-small \(384\); run `lawqa index --rebuild`"):
        open_index(hash_data_dir, Other(dimension=384))


def test_opening_against_another_store_says_rebuild(hash_data_dir, hash_embedder):
    with pytest.raises(IndexStateError, match=re.escape("LAWQA_CHROMA_URL is http://127.0.0.1:9; run `lawqa index`")):
        open_index(hash_data_dir, hash_embedder, chroma_url="http://127.0.0.1:9")


@pytest.mark.slow
def test_chroma_server_backend(tmp_path, corpus, chroma_server):
    embedder = CountingEmbedder()
    first = build_index(corpus, embedder, data_dir=tmp_path, chroma_url=chroma_server)
    assert not (index_root(tmp_path) / "builds" / first.build_id / "chroma").exists()
    index = open_index(tmp_path, embedder, chroma_url=chroma_server)
    assert not index.exact  # with a server, the server answers dense queries
    (hit, _), *_ = index.dense(embedder.embed_query(corpus.article("shanghai-ai-2022", 44).text("en").text), k=1,
                               regulations=["shanghai-ai-2022"])
    assert hit.article_id == "shanghai-ai-2022:44"
    query = embedder.embed_query(corpus.article("shanghai-ai-2022", 44).text("en").text)
    assert all(r.paragraph == 0 for r, _ in index.dense(query, k=20))  # unscoped: the article collection
    assert all(r.paragraph > 0 for r, _ in index.dense(query, k=20, paragraphs=True))
    from assistant.retrieval.searcher import Searcher

    # The searcher fetches a question's paragraph passages beside its article passages (two round trips overlap).
    probe = Searcher(corpus, index, embedder).probe("robots", ["shanghai-ai-2022"])
    assert probe.paragraphs is not None and [r.id for r, _ in probe.paragraphs] == \
        [r.id for r, _ in index.dense(probe.vector, k=len(probe.paragraphs), regulations=["shanghai-ai-2022"],
                                      paragraphs=True)]
    # Rebuilding after a change reuses the vectors stored on the server.
    source = tmp_path / "extra.txt"
    source.write_text("Article 1 Robots shall be registered.\n")
    add_regulation(tmp_path, source, regulation_id="test-robots-2023", title="Robot Rules")
    report = build_index(load_corpus(tmp_path), embedder, data_dir=tmp_path, chroma_url=chroma_server)
    assert (report.embedded, report.reused) == (2, 608)
    assert open_index(tmp_path, embedder, chroma_url=chroma_server).meta.collection == f"lawqa-{report.build_id}"
    from urllib.parse import urlparse

    import chromadb

    url = urlparse(chroma_server)
    names = {c.name for c in chromadb.HttpClient(host=url.hostname, port=url.port).list_collections()}
    assert set(collection_names(f"lawqa-{report.build_id}")) <= names


def test_original_only_dense_texts(tmp_path, corpus):
    embedder = CountingEmbedder()
    report = build_index(corpus, embedder, data_dir=tmp_path, dense="original")
    # Shanghai's translations stay keyword-only and give no paragraph passages: 145 articles + 256 paragraphs.
    assert report.embedded == 401 and report.passages == 545
    index = open_index(tmp_path, embedder)
    assert {r.language for r in index.records if r.embedded and r.regulation == "shanghai-ai-2022"} == {"zh"}
    assert build_index(corpus, embedder, data_dir=tmp_path, dense="original").up_to_date
    assert not build_index(corpus, embedder, data_dir=tmp_path).up_to_date  # switching policy rebuilds


def _copy_index(source, target):
    shutil.copytree(source, target)
    return target, index_root(target) / "builds" / read_meta(target).build_id


def test_a_build_records_the_size_and_hash_of_each_of_its_files(hash_data_dir):
    import hashlib

    meta = read_meta(hash_data_dir)
    build_dir = index_root(hash_data_dir) / "builds" / meta.build_id
    assert {"passages.jsonl", "tokens.json", "terms.json", VECTORS_FILE, "precedents.npy", "precedents.json",
            "bm25/params.index.json"} <= set(meta.files)
    assert not any(name.startswith("chroma/") or name in ("meta.json", ".in-use") for name in meta.files)
    assert set(meta.files) == {p.relative_to(build_dir).as_posix() for p in checked_files(build_dir)}
    for name, recorded in meta.files.items():
        data = (build_dir / name).read_bytes()
        assert (recorded.size, recorded.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def _empty(path):
    path.write_bytes(b"")


def _flip_a_byte(path):  # same size: only the hash can tell
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x20
    path.write_bytes(bytes(data))


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize("name, damage, problem", [
    ("passages.jsonl", _empty, "0 bytes where the build wrote"),
    ("tokens.json", _flip_a_byte, "contents changed since the build wrote it"),
    ("terms.json", _truncate, "bytes where the build wrote"),
    ("bm25/params.index.json", _flip_a_byte, "contents changed"),
    ("precedents.npy", lambda path: path.unlink(), "missing"),
])
def test_a_damaged_file_is_named_on_open_and_the_next_build_repairs_it(tmp_path, hash_data_dir, corpus, name, damage,
                                                                     problem):
    data_dir, build_dir = _copy_index(hash_data_dir, tmp_path / "data")
    damage(build_dir / name)
    with pytest.raises(DamagedIndexError, match=rf"index file .*{re.escape(name)} is damaged: .*{problem}.*; run "
                                                r"`lawqa index` to repair it") as caught:
        open_index(data_dir, HashEmbedder())
    assert caught.value.path == str(build_dir / name)
    embedder = CountingEmbedder()
    report = build_index(corpus, embedder, data_dir=data_dir)
    assert not report.up_to_date and report.repaired == (name,)
    assert (report.reused, embedder.embedded) == (608, 0)  # the intact vectors file is reused, nothing re-embedded
    assert [p.name for p in (index_root(data_dir) / "builds").iterdir()] == [report.build_id]  # damaged one gone
    index = open_index(data_dir, HashEmbedder())
    assert index.keyword(tokenize("人工智能伦理专家委员会"), k=1)[0][0].article_id == "shanghai-ai-2022:66"
    assert build_index(corpus, embedder, data_dir=data_dir).up_to_date


def test_a_damaged_vectors_file_is_rebuilt_from_the_store(tmp_path, hash_data_dir, corpus):
    data_dir, build_dir = _copy_index(hash_data_dir, tmp_path / "data")
    _truncate(build_dir / VECTORS_FILE)
    assert open_index(data_dir, HashEmbedder()).dense(HashEmbedder().embed_query("AI ethics"), k=1)  # still serves
    embedder = CountingEmbedder()
    report = build_index(corpus, embedder, data_dir=data_dir)
    assert report.repaired == (VECTORS_FILE,) and (report.reused, embedder.embedded) == (608, 0)


def test_a_full_disk_fails_the_build_with_one_clear_error_and_leaves_no_partial_build(tmp_path, hash_data_dir,
                                                                                     corpus, monkeypatch):
    import errno

    import assistant.index.build as build_module

    data_dir, build_dir = _copy_index(hash_data_dir, tmp_path / "data")

    def disk_full(path, table):
        path.write_text("{\"half\": ")  # the disk fills up half-way through a file
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(build_module, "save_term_table", disk_full)
    with pytest.raises(IndexStateError, match=r"cannot write the index in .*: No space left on device \(.*terms\.json"
                                              r"\); free some space .* run `lawqa index` again; the previous index"):
        build_index(corpus, HashEmbedder(), data_dir=data_dir, rebuild=True)
    assert [p.name for p in build_dir.parent.iterdir()] == [build_dir.name]  # the partial build is gone
    assert read_meta(data_dir).build_id == build_dir.name
    assert open_index(data_dir, HashEmbedder()).keyword(tokenize("ethics committee"), k=1)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through a read-only mode, so chmod cannot make one")
def test_a_read_only_data_dir_fails_the_build_clearly_and_still_serves(tmp_path, hash_data_dir, corpus):
    data_dir, build_dir = _copy_index(hash_data_dir, tmp_path / "data")
    paths = [index_root(data_dir), build_dir.parent]
    for path in paths:
        path.chmod(0o555)
    try:
        with pytest.raises(IndexStateError, match=r"cannot write the index in .*Permission denied"):
            build_index(corpus, HashEmbedder(), data_dir=data_dir, rebuild=True)
        assert open_index(data_dir, HashEmbedder()).keyword(tokenize("ethics committee"), k=1)
    finally:
        for path in paths:
            path.chmod(0o755)


def test_a_build_that_a_process_has_open_is_kept_until_it_lets_go(tmp_path, hash_data_dir, corpus):
    data_dir, build_dir = _copy_index(hash_data_dir, tmp_path / "data")
    index = open_index(data_dir, HashEmbedder())
    assert in_use(build_dir)
    second = build_index(corpus, HashEmbedder(), data_dir=data_dir, rebuild=True)
    third = build_index(corpus, HashEmbedder(), data_dir=data_dir, rebuild=True)  # would delete the first build
    assert {p.name for p in build_dir.parent.iterdir()} == {build_dir.name, second.build_id, third.build_id}
    assert index.keyword(tokenize("ethics committee"), k=1) and index.article_tokens  # lazily read files are there
    index.close()
    assert not in_use(build_dir)
    fourth = build_index(corpus, HashEmbedder(), data_dir=data_dir, rebuild=True)
    assert {p.name for p in build_dir.parent.iterdir()} == {third.build_id, fourth.build_id}
