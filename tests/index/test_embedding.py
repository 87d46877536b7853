"""Embedders: the deterministic test embedder, the bundled e5 model, and the sentence-transformers backend."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.errors import ConfigError, IndexStateError, ModelError
from assistant.index.build import build_index
from assistant.index.embedding import (
    E5Embedder,
    Embedder,
    HashEmbedder,
    embed_in_batches,
    langchain_embeddings,
    load_embedder,
)
from assistant.index.search_index import open_index


def test_hash_embedder_is_deterministic_and_normalised():
    embedder = HashEmbedder()
    a = embedder.embed_passages(["人工智能伦理委员会", "drone rules"])
    b = embedder.embed_passages(["人工智能伦理委员会", "drone rules"])
    assert a.shape == (2, 256) and np.array_equal(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)
    assert float(embedder.embed_query("drone rules") @ a[1]) == pytest.approx(1.0)
    assert isinstance(embedder, Embedder)


def test_batches_report_progress():
    seen = []
    vectors = embed_in_batches(HashEmbedder(), [f"text {i}" for i in range(40)], batch_size=16,
                               progress=lambda done, total: seen.append((done, total)))
    assert vectors.shape == (40, 256) and seen == [(16, 40), (32, 40), (40, 40)]
    assert embed_in_batches(HashEmbedder(), []).shape == (0, 256)


def test_unknown_embedder_setting_is_a_clear_error():
    with pytest.raises(ConfigError, match="LAWQA_EMBEDDER='bert' is not a known embedder; use multilingual-e5-small"):
        load_embedder("bert")


def test_e5_is_cross_lingual():
    embedder = load_embedder("multilingual-e5-small", threads=2)
    assert isinstance(embedder, E5Embedder) and embedder.dimension == 384
    passages = embedder.embed_passages([
        "The municipal government shall set up an AI ethics committee.",
        "These regulations shall come into force on November 1, 2022.",
    ])
    assert passages.shape == (2, 384)
    scores = passages @ embedder.embed_query("人工智能伦理委员会由谁设立？")
    assert scores[0] > scores[1]
    scores = passages @ embedder.embed_query("条例什么时候开始施行？")
    assert scores[1] > scores[0]


def test_langchain_adapter():
    adapter = langchain_embeddings(HashEmbedder())
    docs = adapter.embed_documents(["a b", "c d"])
    assert len(docs) == 2 and len(docs[0]) == 256 and adapter.embed_query("a b") == pytest.approx(docs[0])


def test_missing_local_model_is_a_model_error(tmp_path):
    pytest.importorskip("sentence_transformers")
    with pytest.raises(ModelError, match="could not load sentence-transformers model"):
        load_embedder(f"st:{tmp_path / 'no-such-model'}")


@pytest.mark.slow
def test_sentence_transformers_backend_builds_and_guards_an_index(tmp_path, corpus):
    pytest.importorskip("sentence_transformers", reason="needs the st extra (torch==2.13.0 + lawqa[st])")
    minilm = load_embedder("minilm", threads=2)
    assert (minilm.name, minilm.dimension) == ("minilm", 384)
    vectors = minilm.embed_passages(["The committee on AI ethics", "The weather is sunny"])
    assert float(vectors[0] @ minilm.embed_query("AI ethics board")) > float(vectors[1] @ minilm.embed_query(
        "AI ethics board"))
    shenzhen_only = type(corpus)(regulations=(corpus.regulation("shenzhen-ai-2022"),))
    report = build_index(shenzhen_only, minilm, data_dir=tmp_path)
    assert report.embedded == 73 + 121  # its articles and their paragraphs
    index = open_index(tmp_path, minilm)
    (hit, _), *_ = index.dense(minilm.embed_query("explain algorithms in public decision-making"), k=1)
    assert hit.article_id == "shenzhen-ai-2022:71"
    with pytest.raises(IndexStateError, match=r"Index built with minilm .* but LAWQA_EMBEDDER is "
                                              r"multilingual-e5-small .*; run `lawqa index --rebuild`"):
        open_index(tmp_path, load_embedder("multilingual-e5-small"))
