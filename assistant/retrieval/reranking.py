"""Optional reranking of the best candidates with a sentence-transformers CrossEncoder (a local model directory).

A cross-encoder reads question and article together and is usually the most precise ranker available; it is
off by default because no multilingual cross-encoder ships offline. Set LAWQA_RERANKER to a local model
directory (e.g. a downloaded bge-reranker) to use one; it reorders the top RERANK_DEPTH articles only, while
abstention keeps using the calibrated probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..errors import ModelError
from ..index.embedding import import_sentence_transformers

RERANK_DEPTH = 10


class Reranker(Protocol):
    """Scores (question, passage) pairs; higher means more relevant."""

    def score(self, question: str, passages: Sequence[str]) -> list[float]:
        """One score per passage."""
        ...


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder from a local directory (or a hub id where the machine is online)."""

    def __init__(self, model: str, *, threads: int = 2):
        CrossEncoder = import_sentence_transformers(f"LAWQA_RERANKER={model!r}",
                                                    threads=threads).CrossEncoder
        try:
            self._model = CrossEncoder(model, device="cpu", num_labels=1)
        except Exception as exc:  # the library raises OSError, ValueError or hub errors depending on the cause
            raise ModelError(f"could not load the reranker {model!r} ({exc}); give a local CrossEncoder "
                             "model directory or unset LAWQA_RERANKER") from exc
        self.name = model

    def score(self, question: str, passages: Sequence[str]) -> list[float]:
        """Cross-encoder relevance of each passage to the question."""
        if not passages:
            return []
        return [float(s) for s in self._model.predict([(question, p) for p in passages], show_progress_bar=False)]
