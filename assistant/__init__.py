"""lawqa: answers about regulations, in Chinese or English, citing the exact articles.

    from assistant import Assistant, Settings
    answer = Assistant(Settings()).ask("深圳条例第七十一条规定了什么？")

Names are imported on first use, so `import assistant` stays cheap and LangChain is only loaded when its
parts (`LegalRetriever`, `AssistantRunnable`, `format_docs`) are used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "Assistant": "answering.assistant",
    "AssistantRunnable": "answering.runnable",
    "Answer": "answering.answer",
    "Citation": "corpus.model",
    "DroppedCitation": "answering.citations",
    "Article": "corpus.model",
    "Corpus": "corpus.model",
    "Regulation": "corpus.model",
    "load_corpus": "corpus.sources",
    "build_index": "index.build",
    "LegalRetriever": "retrieval.langchain",
    "format_docs": "retrieval.langchain",
    "Settings": "settings",
    "LawqaError": "errors",
}
__all__ = ["Answer", "Article", "Assistant", "AssistantRunnable", "Citation", "Corpus", "DroppedCitation",
           "LawqaError", "LegalRetriever", "Regulation", "Settings", "build_index", "format_docs", "load_corpus"]

if TYPE_CHECKING:
    from .answering.answer import Answer
    from .answering.assistant import Assistant
    from .answering.citations import DroppedCitation
    from .answering.runnable import AssistantRunnable
    from .corpus.model import Article, Citation, Corpus, Regulation
    from .corpus.sources import load_corpus
    from .errors import LawqaError
    from .index.build import build_index
    from .retrieval.langchain import LegalRetriever, format_docs
    from .settings import Settings


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
