"""The searcher: a Query → candidate articles with features → calibrated ranking, one hit per article.

The retrieval paths (`paths`) each rank articles for a text: dense search per language, paragraphs,
BM25 keywords, keywords translated to the other language, the bilingual pivot, quoted phrases and standard
provisions. For a follow-up they run on the condensed question and on its own words. One more list comes
from the conversation: "analog" (counterparts of articles cited earlier, when a follow-up switches
regulation). Labelled questions (`precedents`) are answerability evidence only: as
ranking evidence they meant different things on different corpora (a bundled question's articles, offered to
a question about another law) and failed to carry over in leave-one-corpus-out measurements.

Scores are turned into features (normalised within their list, by the path's kind) and combined by a
listwise model fitted on several corpora at once (see `calibration`), which gives each article a probability
of being relevant: it ranks the hits and it is what abstention and citation thresholds are set on. Articles
the question names by number ("第七十一条", "Art. 44") always come first.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ..corpus.model import Article, Corpus, regulation_of
from ..index.embedding import Embedder
from ..index.precedents import Neighbours
from ..index.search_index import SearchIndex
from ..question.understand import Query
from ..text.language import detect_language
from ..text.tokens import english_tokens, salience, tokenize
from .calibration import Calibration, add_interactions, load_calibration
from .paths import CANDIDATES, PARAGRAPH_DEPTH, Probe, Ranked, fold, probe_paths, quoted_articles
from .provisions import find_provisions
from .reranking import RERANK_DEPTH, Reranker

OWN_TOPIC_MIN = 2
_ANAPHORIC = frozenset({"similar", "same", "except", "exception", "differ", "equival", "counterpart", "cover",
                        "regul", "rule", "provis", "规定", "条例", "例外", "类似", "同样", "方面", "区别", "不同", "一样"})
_ASKS_QUANTITY = re.compile(r"多少|几(?:个|年|天|万|元|成)|金额|费用|税率|比例|罚款|价格|\bhow (?:much|many)\b|\brate\b|"
                            r"\bamount\b|\bfees?\b|\bprice\b|\bcosts?\b|\bpercent|\bfines?\b", re.IGNORECASE)
_FIGURE = re.compile(r"\d|[一二三四五六七八九十百千万]+(?:元|年|日|个月|倍|%)|percent|per cent")
# A comparison's leading pair: one article from each regulation among its PAIR_DEPTH best, chosen by summed
# probability plus PAIR_LIKENESS × the cosine of the two articles (dev comparisons: pair accuracy 0.74 → 0.79).
PAIR_DEPTH, PAIR_LIKENESS = 3, 2.0
TITLE_MARGIN = 0.012  # cosine by which a regulation's title must lead to decide an ambiguous lookup
# A question's paragraph query to a Chroma server runs here while its article query runs in the caller (as many
# workers as the UI answers at once; a slow server is bounded by the Chroma client's own HTTP timeouts).
_SERVER_QUERIES = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lawqa-chroma")
_NO_UNANSWERABLE = -1.0  # "precedent_unanswerable" where precedents do not apply (see `answerability`)


@dataclass(frozen=True)
class Hit:
    """One retrieved article with its relevance probability and the features behind it."""

    article: Article
    score: float  # ranking score (comparable within one question)
    probability: float  # calibrated probability that the article bears on the question
    lookup: bool = False  # named by number in the question
    features: dict[str, float] = field(default_factory=dict)


class Searcher:
    """Runs the hybrid search for a Query against one opened index."""

    def __init__(self, corpus: Corpus, index: SearchIndex, embedder: Embedder, *,
                 calibration: Calibration | None = None, reranker: Reranker | None = None):
        self.corpus = corpus
        self.index = index
        self.embedder = embedder
        self.calibration = calibration or load_calibration()
        self.reranker = reranker
        self.provisions = find_provisions(corpus)
        self._paths = probe_paths(corpus, index, self.provisions)
        self._languages = {a.id: set(a.languages) for a in corpus.articles()}
        # Each question is embedded once, though the paths, the follow-up context and the precedents all use it.
        self._embed_query = functools.lru_cache(maxsize=4096)(embedder.embed_query)
        self._lock = threading.RLock()  # lazy caches below are filled once, even with concurrent requests
        self._hubness: dict[str, float] | None = None
        self._articles: dict[str, np.ndarray] | None = None
        self._names: frozenset[str] | None = None
        self._vocabulary: tuple[dict[str, frozenset[str]], dict[str, float]] | None = None
        self._titles: tuple[list[str], np.ndarray] | None = None

    def forget_questions(self) -> None:
        """Drop the cached question vectors (a benchmark measures the embedding on every ask)."""
        self._embed_query.cache_clear()

    def scope(self, query: Query) -> list[str]:
        """Regulation ids the query searches (all when it names none)."""
        return list(query.regulations) or list(self.corpus.ids)

    def lookups(self, query: Query) -> list[Article]:
        """Articles the question names by number, within scope. When the question gives a number but no
        regulation the text names by one of its names ("Cybersecurity Law Art. 17" over Chinese-only
        regulations), the regulation whose title reads most like the question wins, if clearly."""
        found = []
        for ref in query.article_refs:
            regulations = [ref.regulation] if ref.regulation else self.scope(query)
            candidates = [a for r in regulations if (a := self.corpus.article(r, ref.number, ref.suffix)) is not None]
            if len(candidates) > 1 and not query.regulations:
                similarity = self.title_similarity(query.question)
                ranked = sorted(candidates, key=lambda a: -similarity[a.regulation])
                if similarity[ranked[0].regulation] - similarity[ranked[1].regulation] >= TITLE_MARGIN:
                    candidates = ranked[:1]
            found.extend(a for a in candidates if a not in found)
        return found

    def title_similarity(self, text: str) -> dict[str, float]:
        """Cosine of a question with each regulation's title (both languages, names included): how much the
        question reads as being about that regulation, across languages (the embedder is multilingual)."""
        with self._lock:
            if self._titles is None:
                ids = list(self.corpus.ids)
                texts = [" / ".join(dict.fromkeys([*r.title.values(), *r.short_name.values()]))
                         for r in self.corpus.regulations]
                vectors = self.embedder.embed_queries(texts) if ids else np.zeros((0, self.embedder.dimension))
                norms = np.linalg.norm(vectors, axis=1, keepdims=True)
                self._titles = (ids, vectors / np.where(norms > 0, norms, 1.0))
        ids, vectors = self._titles
        query = self._embed_query(text)
        return dict(zip(ids, (vectors @ (query / (np.linalg.norm(query) or 1.0))).tolist()))

    def probe(self, text: str, scope: list[str]) -> Probe:
        """Read a text once for every path: language, tokens and their translation, vector, nearest passages."""
        vector = self._embed_query(text)
        tokens = tuple(tokenize(text))
        language = detect_language(text)
        paragraphs = None
        if not self.index.exact and self.index.meta.chroma_url:  # a Chroma server: its two round trips overlap
            paragraphs = _SERVER_QUERIES.submit(self.index.dense, vector, k=PARAGRAPH_DEPTH, regulations=scope,
                                                paragraphs=True)
        nearest = tuple(self.index.dense(vector, k=CANDIDATES * 3, regulations=scope))
        return Probe(text=text, language=language, tokens=tokens,
                     translated=tuple(self.index.terms.translate(tokens, language)), vector=vector,
                     nearest=nearest, paragraphs=None if paragraphs is None else tuple(paragraphs.result()))

    def paths(self, text: str, scope: list[str]) -> tuple[Probe, dict[str, Ranked]]:
        """Every retrieval path's ranked articles for one text (see `paths`)."""
        probe = self.probe(text, scope)
        return probe, {path.name: path.rank(probe, scope) for path in self._paths}

    def _is_name(self, token: str) -> bool:
        """Place names say which regulation, not what about (上海, shenzhen, 浦东)."""
        names = [n for r in self.corpus.regulations for n in (*r.short_name.values(), *r.aliases)]
        if token[:1].isascii():
            return token in {t for n in names if n.isascii() for t in english_tokens(n)}
        with self._lock:
            if self._names is None:  # tokenising Chinese names loads jieba, which a Chinese token needed anyway
                self._names = frozenset(t for n in names if not n.isascii() for t in tokenize(n))
        return token in self._names

    def _rerank(self, query: Query, order: list[str]) -> list[str]:
        """Reorder the best RERANK_DEPTH candidates by the cross-encoder; the rest keep their order."""
        head = order[:RERANK_DEPTH]
        scores = self.reranker.score(query.standalone,
                                     [self.corpus.get(a).best_text(query.language).text for a in head])
        reranked = [a for _, a in sorted(zip(scores, head), key=lambda pair: -pair[0])]
        return reranked + order[RERANK_DEPTH:]

    def has_own_topic(self, question: str) -> bool:
        """True when a follow-up carries topical words of its own that the corpus knows."""
        _, idf = self._token_statistics()
        topical = {t for t in tokenize(question) if t in idf and not self._is_name(t) and
                   t not in _ANAPHORIC and salience(t) >= 0.5}
        return len(topical) >= OWN_TOPIC_MIN

    def hubness(self) -> dict[str, float]:
        """How close each article sits to the *other* language's passages on average (a hub attracts every
        cross-lingual query); centred, so 0 is typical. Computed once from the stored vectors."""
        with self._lock:
            return self._compute_hubness()

    def _compute_hubness(self) -> dict[str, float]:
        if self._hubness is None:
            passages = self.index.passage_vectors()
            by_language = {lang: [(r, passages.vector(r.id)) for r in passages.records
                                  if r.part == 0 and r.language == lang] for lang in ("zh", "en")}
            hub: dict[str, float] = {}
            for language, other in (("zh", "en"), ("en", "zh")):
                if not by_language[language] or not by_language[other]:
                    continue
                mine = np.vstack([v for _, v in by_language[language]])
                theirs = np.vstack([v for _, v in by_language[other]])
                top = np.sort(mine @ theirs.T, axis=1)[:, -10:].mean(axis=1)
                for (record, _), value in zip(by_language[language], top):
                    hub[record.article_id] = max(hub.get(record.article_id, -1.0), float(value))
            mean = float(np.mean(list(hub.values()))) if hub else 0.0
            self._hubness = {a: v - mean for a, v in hub.items()}
        return self._hubness

    @property
    def idf(self) -> dict[str, float]:
        """Inverse document frequency of every token over the articles (all language versions)."""
        return self._token_statistics()[1]

    def _token_statistics(self) -> tuple[dict[str, frozenset[str]], dict[str, float]]:
        with self._lock:
            return self._compute_token_statistics()

    def _compute_token_statistics(self) -> tuple[dict[str, frozenset[str]], dict[str, float]]:
        if self._vocabulary is None:
            article_tokens = self.index.article_tokens
            frequency: dict[str, int] = {}
            for found in article_tokens.values():
                for token in found:
                    frequency[token] = frequency.get(token, 0) + 1
            total = len(article_tokens)
            idf = {t: float(np.log((total + 1) / (f + 0.5))) for t, f in frequency.items()}
            self._vocabulary = (article_tokens, idf)
        return self._vocabulary

    def neighbours(self, query: Query) -> Neighbours:
        """How close the question is to the precedents (labelled questions; see precedents.py)."""
        return self.index.precedents.neighbours(query.key, self._embed_query(query.standalone),
                                                scope=self.scope(query))

    def answerability(self, query: Query, hits: Sequence[Hit]) -> dict[str, float]:
        """Question-level evidence that the regulations address the question at all (see calibration).

        A comparison is read side by side: its evidence is the mean of each compared regulation's own (its best
        article, the margin to its next one). Read as one list, two relevant articles split the best
        probability and the alternating order made the margin negative, and a fit on questions about one
        regulation said "not found" to a quarter of the bundled comparisons."""
        scope = self.scope(query)
        if query.comparison and len(scope) > 1:
            sides = [self._evidence(query, side) for r in scope
                     if (side := [h for h in hits if h.article.regulation == r])]
            if sides:
                return {name: sum(side[name] for side in sides) / len(sides) for name in sides[0]}
        return self._evidence(query, hits)

    def _evidence(self, query: Query, hits: Sequence[Hit]) -> dict[str, float]:
        neighbours = self.neighbours(query)
        tokens = [t for t in tokenize(query.standalone) if not self._is_name(t)]
        _, idf = self._token_statistics()
        terms = self.index.terms
        weights = {t: salience(t) for t in sorted(set(tokens))}
        unknown = sum(w for t, w in weights.items() if t not in idf and not any(e in idf for e in terms.of(t)))
        top = hits[0] if hits else None
        features = top.features if top is not None and top.features else {}
        # (The share of the question's words the best article lacks was evidence too until this round: fitted,
        # it took the wrong sign — more missing, likelier answerable — and leaving it out scored as well.)
        return {
            "top_probability": top.probability if top is not None and not top.lookup else 0.0,
            "top3_probability": sum(h.probability for h in hits[:3] if not h.lookup),
            "unknown_share": unknown / sum(weights.values()) if sum(weights.values()) else 0.0,
            "top_coverage": max(features.get("coverage", 0.0), features.get("coverage_translated", 0.0)),
            "top_dense": features.get("dense_best", -0.8),
            "chinese": float(query.language == "zh"),
            "other_jurisdiction": float(bool(query.other_jurisdictions) and not query.regulations),
            "other_instrument": float(bool(query.other_instruments)),
            "asks_procedure": float(query.asks_procedure),
            "quote_found": float(top is not None and top.article.id in quoted_articles(self.corpus, query.standalone, self.scope(query))),
            # Asking for an amount the best article cannot give ("罚款多少元", "what is the tax rate").
            "quantity_missing": float(bool(_ASKS_QUANTITY.search(query.question)) and top is not None and
                                      not any(_FIGURE.search(t.text) for t in top.article.texts)),
            "margin": (hits[0].score - hits[1].score) if len(hits) > 1 and not hits[0].lookup else 0.0,
            # Nearer to a question the regulations do not address than to any they do?
            # Only where precedents apply: with none citing the scope (a question narrowed to an added
            # regulation) the difference would measure the scope, not the question, so it takes a fixed value and
            # `precedents_apply` is 0; the fit gives each case its own intercept (a calibration fitted before
            # this flag existed treats every question as one where precedents apply).
            "precedent_unanswerable": _NO_UNANSWERABLE if neighbours.unanswerable is None or not neighbours.articles
            else (neighbours.unanswerable - neighbours.answerable) * 10,
            "precedent_top": (neighbours.articles.get(top.article.id, 0.7) - 0.8) * 10 if top is not None else -1.0,
            "precedents_apply": float(bool(neighbours.articles)),
        }

    def coverage_scorer(self, tokens: Sequence[str]):
        """A function: article id → IDF-weighted share of `tokens` occurring in that article (any language)."""
        article_tokens, idf = self._token_statistics()
        known = sorted({t for t in tokens if t in idf})  # sorted: sums come out the same in every process
        weight = sum(idf[t] for t in known)

        def coverage(article_id: str) -> float:
            found = article_tokens.get(article_id, frozenset())
            return sum(idf[t] for t in known if t in found) / weight if weight else 0.0
        return coverage

    def _analog(self, article_ids: Sequence[str], scope: list[str]) -> Ranked:
        """Articles nearest to earlier-cited ones (all their language versions), within `scope`."""
        passages = self.index.passage_vectors()
        seeds = [passages.matrix[i] for i, r in enumerate(passages.records) if r.article_id in article_ids]
        if not seeds:
            return {}
        centre = np.mean(seeds, axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        return fold(passages.score(centre, lambda r: r.regulation in scope and r.article_id not in article_ids))

    def _counterparts_first(self, order: list[str], probability: dict[str, float],
                            scope: list[str]) -> list[str]:
        """Lead a two-regulation comparison with the likeliest pair that is also alike: it asks about one
        subject in both, so their best answers are counterpart articles."""
        if len(scope) != 2:
            return order
        first, second = ([a for a in order if regulation_of(a) == r][:PAIR_DEPTH] for r in scope)
        vectors = self._article_vectors()
        if not first or not second or any(a not in vectors for a in (*first, *second)):
            return order

        def joint(pair: tuple[str, str]) -> float:
            a, b = pair
            return probability[a] + probability[b] + PAIR_LIKENESS * float(vectors[a] @ vectors[b])
        best = max(((a, b) for a in first for b in second), key=joint)
        return list(dict.fromkeys([*best, *order]))

    def _article_vectors(self) -> dict[str, np.ndarray]:
        """Each article as one unit vector: the mean of its embedded passages (both languages)."""
        with self._lock:
            if self._articles is None:
                passages = self.index.passage_vectors()
                grouped: dict[str, list[np.ndarray]] = {}
                for record, vector in zip(passages.records, passages.matrix):
                    grouped.setdefault(record.article_id, []).append(vector)
                means = {a: np.mean(v, axis=0) for a, v in grouped.items()}
                self._articles = {a: m / (np.linalg.norm(m) or 1.0) for a, m in means.items()}
            return self._articles

    def candidates(self, query: Query) -> dict[str, dict[str, float]]:
        """Feature vectors of every candidate article (see `calibration.FEATURES`)."""
        scope = self.scope(query)
        primary, secondary = query.standalone, query.question
        if query.followup and query.standalone != query.question and self.has_own_topic(query.question):
            # The follow-up names its own subject ("What about land or electricity?"): its words lead, and
            # the conversation (condensed into `standalone`) supports.
            names = " ".join(self.corpus.regulation(r).short_name.get(query.language, "") for r in query.regulations)
            primary, secondary = f"{names} {query.question}".strip(), query.standalone
        probe, lists = self.paths(primary, scope)
        own = self.paths(secondary, scope)[1] if query.followup and secondary != primary else {}
        if query.analog_of:
            lists["analog"] = self._analog(query.analog_of, scope)
        named = set(query.regulations)
        context = set(query.context_articles)
        ids = {a for ranked in [*lists.values(), *own.values()] for a in ranked} | context
        hubness = self.hubness() if any(query.language not in self._languages[a] for a in ids) else {}
        coverage = self.coverage_scorer(list(probe.tokens))
        coverage_translated = self.coverage_scorer(list(probe.translated)) if probe.translated else (lambda _: 0.0)
        titles = self.title_similarity(primary) if len(scope) > 1 else {}
        best_title = max(titles.values(), default=0.0)
        out = {}
        for a in ids:
            features = self.calibration.features(a, lists, own, language=query.language,
                                                 article_languages=self._languages[a],
                                                 named=regulation_of(a) in named, context=a in context)
            features["coverage"] = coverage(a)
            features["coverage_translated"] = coverage_translated(a)
            features["cross_hub"] = features["cross_lingual"] * hubness.get(a, 0.0) * 10
            features["title_gap"] = (titles.get(regulation_of(a), best_title) - best_title) * 10
            out[a] = add_interactions(features, followup=query.followup)
        return out

    def search(self, query: Query, *, k: int = 5) -> list[Hit]:
        """The k most relevant articles, best first (a comparison alternates between regulations)."""
        return self.rank(query, self.candidates(query), k=k)

    def rank(self, query: Query, features: dict[str, dict[str, float]], *, k: int,
             calibration: Calibration | None = None) -> list[Hit]:
        """Order candidates by calibrated score; named articles first, comparisons alternate regulations."""
        calibration = calibration or self.calibration
        scores = {a: calibration.score(f) for a, f in features.items()}
        order = sorted(scores, key=lambda a: -scores[a])
        if self.reranker is not None:
            order = self._rerank(query, order)
        if query.comparison and len(self.scope(query)) > 1:
            probability = {a: calibration.probability(s) for a, s in scores.items()}
            order = _alternate(self._counterparts_first(order, probability, self.scope(query)), self.scope(query))
        lookups = [a.id for a in self.lookups(query)]
        order = list(dict.fromkeys([*lookups, *order]))[:k]
        return [Hit(article=self.corpus.get(a), score=scores.get(a, 0.0),
                    probability=1.0 if a in lookups else calibration.probability(scores[a]),
                    lookup=a in lookups, features=features.get(a, {})) for a in order]


def _alternate(order: list[str], regulations: list[str]) -> list[str]:
    """Round-robin over regulations, keeping each regulation's own order: A1, B1, A2, B2, …"""
    queues = {r: [a for a in order if regulation_of(a) == r] for r in regulations}
    out: list[str] = []
    while any(queues.values()):
        for regulation in regulations:
            if queues[regulation]:
                out.append(queues[regulation].pop(0))
    return out

