"""The LangChain face of retrieval: `LegalRetriever`, a BaseRetriever a team can drop into its own chain, and
`format_docs`, which turns its Documents into prompt context.

Kept apart from `retrieval` so that answering a question does not import LangChain's runnable machinery
(half a second of start-up) unless a LangChain component is actually used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables.config import run_in_executor

from ..corpus.labels import heading_line
from ..corpus.model import Corpus
from ..errors import InputError
from ..question.understand import understand
from .searcher import Hit, Searcher


class LegalRetriever(BaseRetriever):
    """A LangChain retriever over the regulations: one Document per article, best first.

    `k` and `regulation` work as constructor fields and as `invoke` arguments:
    `retriever.invoke("深圳条例第七十一条", k=3, regulation="shenzhen-ai-2022")`.
    """

    searcher: Searcher
    k: int = 5
    regulation: str | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                **kwargs: Any) -> list[Document]:
        return search_documents(self.searcher, query, k=int(kwargs.get("k", self.k)),
                                regulation=kwargs.get("regulation", self.regulation))

    async def _aget_relevant_documents(self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun,
                                       **kwargs: Any) -> list[Document]:
        return await run_in_executor(None, self._get_relevant_documents, query,
                                     run_manager=run_manager.get_sync(), **kwargs)


def search_documents(searcher: Searcher, text: str, *, k: int, regulation: str | None = None) -> list[Document]:
    """The k best articles for a question, as Documents: what the retriever and REST /v1/search return."""
    if k < 1:
        raise InputError(f"k={k} asks for no documents; give k of 1 or more")
    query = understand(text, searcher.corpus, regulation=regulation)
    return [article_document(searcher.corpus, hit, query.language) for hit in searcher.search(query, k=k)]


def article_document(corpus: Corpus, hit: Hit, language: str) -> Document:
    """A whole article as a LangChain Document, in `language` where the article has it."""
    article = hit.article
    regulation = corpus.regulation(article.regulation)
    text = article.best_text(language)
    chapter = "" if article.chapter is None else heading_line(article.chapter, text.language)
    return Document(id=article.id, page_content=text.text, metadata={
        "regulation": article.regulation, "article": article.number, "article_id": article.id,
        "chapter": chapter, "title": regulation.name(text.language), "score": round(hit.probability, 4),
        "languages": list(article.languages), "language": text.language})


def format_docs(documents: Sequence[Document]) -> str:
    """Documents as prompt context: one "[regulation:article] text" block per article, a blank line between.

    `retriever | format_docs` in a chain, so the model sees article ids and texts, not Document reprs.
    """
    return "\n\n".join(f"[{document.metadata.get('article_id') or document.id}] {document.page_content.strip()}"
                        for document in documents)
