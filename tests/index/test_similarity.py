"""The similarity helpers: one-thread products and best-k selection that matches a stable full sort."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from assistant.index.similarity import similarities, top


def test_similarities_is_the_matrix_product():
    rng = np.random.default_rng(0)
    matrix, vector = rng.normal(size=(500, 16)).astype(np.float32), rng.normal(size=16).astype(np.float32)
    assert np.allclose(similarities(matrix, vector), matrix @ vector)


def test_the_thread_limit_is_restored():
    from threadpoolctl import threadpool_info

    before = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
    similarities(np.ones((300, 8), dtype=np.float32), np.ones(8, dtype=np.float32))
    assert [(i["internal_api"], i["num_threads"]) for i in threadpool_info()] == before


@given(st.lists(st.one_of(st.integers(-3, 3), st.just(-np.inf)), max_size=60), st.integers(0, 70))
def test_top_equals_a_stable_sort_with_ties_in_index_order(values, k):
    scores = np.asarray(values, dtype=float)  # -inf: filtered out by the dense search
    assert top(scores, k).tolist() == np.argsort(-scores, kind="stable")[:k].tolist()
