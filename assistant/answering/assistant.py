"""The retrieval chain: question (+ history) → Query → ranked articles → answer → verified citations.

`Assistant` wires the parts together from one Settings object and is what the CLI, the UI and the REST API
call. Every answer, in either mode, passes through citation verification against the retrieved articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from ..corpus.model import Corpus
from ..corpus.sources import load_corpus
from ..errors import IndexStateError, InputError, ModelError
from ..index.build import BuildProgress, build_index, index_fingerprint
from ..index.builds import read_meta
from ..index.embedding import Embedder, load_embedder, query_was_cut
from ..index.search_index import open_index
from ..question.understand import understand
from ..retrieval.calibration import Calibration, load_calibration
from ..retrieval.searcher import Searcher
from ..settings import Settings
from ..text.conversation import Turn, as_turns
from .answer import Answer, choose_citations
from .citations import verify_citations
from .extractive import ExtractiveAnswerer

if TYPE_CHECKING:  # imported lazily: LLM mode pulls in LangChain's chat-model stack
    from langchain_core.language_models import BaseChatModel

    from ..retrieval.langchain import LegalRetriever
    from .llm import LLMAnswerer
    from .runnable import AssistantRunnable

Mode = Literal["extractive", "llm"]


class Assistant:
    """Answers questions about the corpus with verified article citations.

        assistant = Assistant(Settings())
        answer = assistant.ask("深圳条例第七十一条规定了什么？")
        answer.citations  # (Citation(regulation='shenzhen-ai-2022', article=71),)
    """

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None,
                 chat_model: BaseChatModel | None = None, calibration: Calibration | None = None,
                 progress: BuildProgress | None = None, build: bool = True, stale: bool = False):
        self.settings = settings
        self.corpus = load_corpus(settings.data_dir)
        self.embedder = embedder or load_embedder(settings.embedder, threads=settings.embed_threads)
        self.stale = False  # True: answering from an index older than the regulations (see `stale` below)
        self.index = self._open_index(progress=progress, build=build, stale=stale)
        reranker = None
        if settings.reranker:
            from ..retrieval.reranking import CrossEncoderReranker

            reranker = CrossEncoderReranker(settings.reranker, threads=settings.embed_threads)
        self.searcher = Searcher(self.corpus, self.index, self.embedder, calibration=calibration or load_calibration(),
                                 reranker=reranker)
        if settings.abstain_threshold is not None:
            self.use_calibration(self.searcher.calibration)
        self.extractive = ExtractiveAnswerer(self.corpus, terms=self.index.terms, idf=lambda: self.searcher.idf)
        self._chat_model = chat_model

    def _open_index(self, *, progress: BuildProgress | None, build: bool, stale: bool):
        meta = read_meta(self.settings.data_dir)
        url = self.settings.chroma_url
        if meta is not None and (meta.embedder != self.embedder.name or meta.chroma_url != url):
            return self._open_built()  # raises a clear mismatch
        current = index_fingerprint(self.corpus, self.embedder.name, chroma_url=url,
                                    dense=self.settings.dense_texts)
        if meta is None or meta.fingerprint != current:
            if not build and stale and meta is not None:  # serve what is built, over the regulations built
                self.corpus = Corpus(regulations=tuple(r for r in self.corpus.regulations
                                                       if r.id in meta.regulations))
                self.stale = True
            elif not build:
                state = "no index" if meta is None else "the index is out of date with the regulations"
                raise IndexStateError(f"{state} in {self.settings.data_dir}; run `lawqa index`")
            else:
                build_index(self.corpus, self.embedder, data_dir=self.settings.data_dir, chroma_url=url,
                            progress=progress, dense=self.settings.dense_texts)
        return self._open_built()

    def _open_built(self):
        return open_index(self.settings.data_dir, self.embedder, chroma_url=self.settings.chroma_url,
                          dense_search=self.settings.dense_search)

    def use_calibration(self, calibration: Calibration) -> None:
        """Rank and answer with this calibration from now on (a LAWQA_ABSTAIN_THRESHOLD still overrides)."""
        if self.settings.abstain_threshold is not None:
            calibration = replace(calibration, abstain=self.settings.abstain_threshold)
        self.searcher.calibration = calibration

    @property
    def calibration(self) -> Calibration:
        """The calibration ranking and answering use (the searcher holds it)."""
        return self.searcher.calibration

    @property
    def llm(self) -> LLMAnswerer:
        """The LLM answerer for the configured endpoint (a ModelError when none is configured)."""
        from .llm import LLMAnswerer, chat_model_from_settings

        if self._chat_model is None:
            self._chat_model = chat_model_from_settings(self.settings)
        return LLMAnswerer(self.corpus, self._chat_model, extractive=self.extractive,
                           token_budget=self.settings.llm_context_tokens, timeout=self.settings.llm_timeout)

    def retriever(self, *, k: int | None = None, regulation: str | None = None) -> LegalRetriever:
        """A LangChain retriever over the same index."""
        from ..retrieval.langchain import LegalRetriever

        return LegalRetriever(searcher=self.searcher, k=k or self.settings.top_k, regulation=regulation)

    def as_runnable(self) -> AssistantRunnable:
        """This assistant as a LangChain Runnable: {"question", "history", "regulation"} → the `ask --json` object."""
        from .runnable import AssistantRunnable

        return AssistantRunnable(self)

    def ask(self, question: str, *, history: Sequence[Turn] | list[dict] | None = None,
            regulation: str | None = None, mode: Mode | None = None) -> Answer:
        """Answer one question (with its conversation so far)."""
        for piece in self.stream(question, history=history, regulation=regulation, mode=mode):
            if isinstance(piece, Answer):
                return piece
        raise RuntimeError("the answer stream ended without an Answer")

    def stream(self, question: str, *, history: Sequence[Turn] | list[dict] | None = None,
               regulation: str | None = None, mode: Mode | None = None) -> Iterator[str | Answer]:
        """Yield the answer text in pieces as it is produced, then the final Answer."""
        mode = mode or self.settings.mode
        if mode not in ("extractive", "llm"):
            raise InputError(f"mode {mode!r} is not known; use extractive or llm")
        turns = as_turns(history)
        query = understand(question, self.corpus, history=turns, regulation=regulation)
        if mode == "llm" and query.followup and query.standalone != query.question:
            try:
                query = replace(query, standalone=self.llm.condense(question, turns, query.language))
            except (ModelError, OSError, TimeoutError, *_endpoint_errors()):
                pass  # the rule-based condensation stands when the model cannot be reached
        hits = self.searcher.search(query, k=self.settings.top_k)
        answerable = self.calibration.answerable(self.searcher.answerability(query, hits))
        chosen = choose_citations(query, hits, self.calibration, answerable=answerable)
        if mode == "llm":
            yield from self.llm.stream(query, hits, chosen=chosen)
            return
        answer = self.extractive.answer(query, hits, chosen)
        text, kept, dropped = verify_citations(answer.text, self.corpus, retrieved=[h.article.id for h in hits],
                                               extra=answer.citations)
        answer = replace(answer, text=text, citations=tuple(kept), dropped_citations=tuple(dropped),
                         note=_cut_note(query) or answer.note)
        yield from re.split(r"(?<=\n)", answer.text)
        yield answer


def _endpoint_errors() -> tuple[type[Exception], ...]:
    """Exceptions an OpenAI-compatible endpoint raises (the openai SDK is only there with LangChain's OpenAI)."""
    try:
        from openai import APIError
    except ImportError:  # pragma: no cover - langchain-openai depends on openai
        return ()
    return (APIError,)


def _cut_note(query) -> str | None:
    """Said in the answer's note when the question was longer than the embedding model reads."""
    if query_was_cut(query.standalone):
        return "the question was long: only its first part (about 480 tokens) was used to search"
    return None
