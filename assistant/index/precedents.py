"""Precedents: questions already answered and checked, as nearest-neighbour evidence for new ones.

A new question that reads like one whose answer is known points at that answer's articles; one that reads
like a question the regulations do not address (a tax rate, another law) points at abstaining. People ask
about the same provisions in many words ("刷脸门禁" for an article on facial recognition), and a question
embedded next to other questions bridges that vocabulary better than the article text alone.

The precedents are the dev split of the bundled evaluation set, so the test split stays a fair measure.
Follow-ups are condensed with their history, as live questions are. The index build embeds them (`embed_precedents`;
the bundled questions' vectors ship in the vector cache, `vector_cache`), and the searcher turns the nearest ones into ranking and answerability features (`retrieval/calibration.py`). A
precedent never counts as evidence for its own question, so fitting on dev sees what a new question sees.
"No answer" was judged against the bundled regulations, and stays one signal among several however the
corpus changes: the answerability model (fitted on several corpora at once) weighs it against how well the
best articles of every loaded regulation match, so adding a regulation neither switches abstention off nor
lets an old "not addressed" hide the new regulation's answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..corpus.evalset import Case, load_cases
from ..corpus.model import Corpus, regulation_of
from ..question.understand import understand
from ..resources import bundled_path
from .embedding import Embedder
from .similarity import similarities


@dataclass(frozen=True)
class Precedent:
    """A checked question: its standalone text and the articles its answer rests on (none: not addressed).

    `key` identifies the question in its conversation before condensation (`conversation_key`), so that a
    question is never its own precedent however condensation rewrites it.
    """

    question: str
    articles: tuple[str, ...]
    key: str


@dataclass(frozen=True)
class Neighbours:
    """How close a question is to the precedents: per cited article, and to answerable / unanswerable ones."""

    articles: dict[str, float]  # the best cosine of a precedent citing each article
    answerable: float  # the best cosine of any answerable precedent in scope (-1.0 when there is none)
    unanswerable: float | None  # the best cosine of an unanswerable precedent (None when they do not apply)


def default_precedents_path() -> Path:
    """The bundled evaluation set, whose dev split serves as precedents."""
    return bundled_path("eval", "cases.jsonl")


def precedents_digest(corpus: Corpus, *, path: Path | None = None) -> str:
    """A cheap hash of what `load_precedents` reads (the dataset's bytes, the corpus's regulations)."""
    digest = hashlib.sha256((path or default_precedents_path()).read_bytes())
    digest.update("|".join(corpus.ids).encode())
    return digest.hexdigest()


def precedent_cases(corpus: Corpus, *, path: Path | None = None) -> list[Case]:
    """The dev cases of `path` that fit `corpus` (every article they cite is loaded): quick, nothing condensed."""
    return [case for case in load_cases(path or default_precedents_path())
            if case.split == "dev" and all(corpus.get(a) is not None for a in case.expected_ids)]


def load_precedents(corpus: Corpus, *, path: Path | None = None, cases: Sequence[Case] | None = None,
                    progress: Callable[[int, int], None] | None = None) -> list[Precedent]:
    """The dev cases of `path` that fit `corpus` (or the given `cases`), condensed like live questions.

    `progress` hears (condensed, total) every 50 questions and at the end.
    """
    chosen = precedent_cases(corpus, path=path) if cases is None else cases
    out = []
    for done, case in enumerate(chosen, start=1):
        query = understand(case.question, corpus, history=case.history)
        out.append(Precedent(question=query.standalone, articles=tuple(sorted(case.expected_ids)), key=query.key))
        if progress is not None and (done % 50 == 0 or done == len(chosen)):
            progress(done, len(chosen))
    return out


class PrecedentTable:
    """Precedents with their question vectors, searched by cosine similarity in memory."""

    def __init__(self, precedents: Sequence[Precedent], vectors: np.ndarray):
        if len(precedents) != len(vectors):
            raise ValueError(f"{len(precedents)} precedents but {len(vectors)} vectors")
        self.precedents = tuple(precedents)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        # One (precedent, article) pair per citation, so a question is scored against all of them at once.
        self._articles = tuple(sorted({a for p in self.precedents for a in p.articles}))
        column = {a: i for i, a in enumerate(self._articles)}
        pairs = [(row, column[a]) for row, p in enumerate(self.precedents) for a in p.articles]
        self._pair_row = np.array([row for row, _ in pairs], dtype=np.intp)
        self._pair_article = np.array([col for _, col in pairs], dtype=np.intp)
        self._unanswerable = np.array([not p.articles for p in self.precedents], dtype=bool)
        self._rows_of: dict[str, list[int]] = {}
        for row, precedent in enumerate(self.precedents):
            self._rows_of.setdefault(precedent.key, []).append(row)

    def __len__(self) -> int:
        return len(self.precedents)

    def neighbours(self, key: str, vector: np.ndarray, *, scope: Collection[str]) -> Neighbours:
        """Similarities of a question (its `conversation_key` and vector) to the precedents citing articles in
        `scope`; the precedent with the same key, if any, is the question itself and is left out."""
        if not self.precedents:
            return Neighbours({}, -1.0, None)
        similarity = similarities(self.vectors, np.asarray(vector, dtype=np.float32))
        mine = self._rows_of.get(key, [])
        similarity[mine] = -np.inf  # a question is no precedent for itself
        others = self._unanswerable.copy()
        others[mine] = False
        unanswerable = max(float(similarity[others].max()), -1.0) if others.any() else None
        in_scope = np.array([regulation_of(a) in scope for a in self._articles], dtype=bool)
        best = np.full(len(self._articles), -np.inf, dtype=np.float32)
        np.maximum.at(best, self._pair_article, similarity[self._pair_row])
        found = in_scope & np.isfinite(best)
        articles = {self._articles[i]: float(best[i]) for i in np.flatnonzero(found)}
        answerable = max(-1.0, *articles.values()) if articles else -1.0
        return Neighbours(articles, answerable, unanswerable)

    def save(self, directory: Path) -> None:
        """Write precedents.json and precedents.npy into a build directory."""
        records = [{"question": p.question, "articles": list(p.articles), "key": p.key} for p in self.precedents]
        (directory / "precedents.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        np.save(directory / "precedents.npy", self.vectors)

    @classmethod
    def load(cls, directory: Path) -> PrecedentTable:
        """Read the table a build wrote (an empty one for a build without precedents)."""
        path = directory / "precedents.json"
        if not path.exists():
            return cls([], np.zeros((0, 0), dtype=np.float32))
        records = json.loads(path.read_text(encoding="utf-8"))
        # A build before keys were stored is only ever read for its vectors (open_index refuses it).
        precedents = [Precedent(question=r["question"], articles=tuple(r["articles"]), key=r.get("key", ""))
                      for r in records]
        return cls(precedents, np.load(directory / "precedents.npy"))


def embed_precedents(precedents: Sequence[Precedent], embedder: Embedder, *, previous: PrecedentTable | None,
                     cached: Callable[[Sequence[str]], dict[int, np.ndarray]] | None = None,
                     progress: Callable[[int, int, int], None] | None = None) -> PrecedentTable:
    """Embed the precedents' questions: the serving build's vectors for unchanged ones, then those `cached`
    finds (vectors by position in the questions given it, e.g. the bundled vector cache's), then the embedder
    for the rest. `progress` hears (distinct questions with vectors, distinct questions, embedded so far)."""
    known = {p.question: v for p, v in zip(previous.precedents, previous.vectors)} if previous else {}
    questions = sorted({p.question for p in precedents})
    unknown = [q for q in questions if q not in known]
    if cached is not None:
        known.update((unknown[i], v) for i, v in cached(unknown).items())
    fresh = [q for q in unknown if q not in known]
    if progress:
        progress(len(questions) - len(fresh), len(questions), 0)
    for start in range(0, len(fresh), 64):
        batch = fresh[start:start + 64]
        known.update(zip(batch, embedder.embed_queries(batch)))
        if progress:
            progress(len(questions) - len(fresh) + start + len(batch), len(questions), start + len(batch))
    vectors = [known[p.question] for p in precedents]
    return PrecedentTable(precedents, np.vstack(vectors) if vectors else np.zeros((0, embedder.dimension)))
