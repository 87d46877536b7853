"""`Assistant.as_runnable()`: invoke, batch, stream and astream give the `lawqa ask --json` object; bad input is
refused with a message that names the field."""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.language_models import FakeListChatModel
from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answering.assistant import Assistant
from assistant.errors import InputError
from assistant.settings import Settings

CONTRACT_KEYS = ["answer", "citations", "language", "abstained", "retrieved", "dropped_citations", "mode", "see_also", "note"]
HISTORY = [{"role": "user", "content": "上海对人工智能伦理委员会有什么规定？"},
           {"role": "assistant", "content": "根据《上海市促进人工智能产业发展条例》第六十六条……"}]


@pytest.fixture(scope="module")
def qa(hash_assistant):
    return hash_assistant.as_runnable()


def test_invoke_returns_the_ask_json_object(qa, hash_assistant):
    result = qa.invoke({"question": "那深圳呢？", "history": HISTORY, "regulation": None})
    assert isinstance(qa, Runnable) and list(result) == CONTRACT_KEYS
    assert result == hash_assistant.ask("那深圳呢？", history=HISTORY).to_json()
    assert {r["regulation"] for r in result["retrieved"]} == {"shenzhen-ai-2022"}  # the history was used
    scoped = qa.invoke({"question": "算法", "regulation": "shanghai-ai-2022"})
    assert scoped["retrieved"] and {r["regulation"] for r in scoped["retrieved"]} == {"shanghai-ai-2022"}


def test_batch_answers_each_input_in_order(qa):
    questions = ["深圳条例第七十一条规定了什么？", "What does Article 66 of the Shanghai regulation say?", "算法"]
    results = qa.batch([{"question": q} for q in questions], config={"max_concurrency": 2})
    assert results == [qa.invoke({"question": q}) for q in questions]
    assert results[0]["citations"] == [{"regulation": "shenzhen-ai-2022", "article": 71}]
    assert results[1]["citations"] == [{"regulation": "shanghai-ai-2022", "article": 66}]
    mixed = qa.batch([{"question": questions[0]}, {"question": 42}], return_exceptions=True)
    assert mixed[0] == results[0] and isinstance(mixed[1], InputError)


def test_stream_yields_text_then_the_object(qa):
    question = {"question": "What does Article 44 of the Shenzhen regulation say?"}
    chunks = list(qa.stream(question))
    *pieces, final = chunks
    assert len(pieces) > 1 and all(isinstance(p, str) for p in pieces)
    assert isinstance(final, dict) and list(final) == CONTRACT_KEYS
    assert "".join(pieces) == final["answer"] and final == qa.invoke(question)


def test_astream_ainvoke_and_abatch(qa):
    question = {"question": "深圳条例第七十一条规定了什么？", "history": [], "regulation": "shenzhen-ai-2022"}

    async def run():
        chunks = [chunk async for chunk in qa.astream(question)]
        return chunks, await qa.ainvoke(question), await qa.abatch([question, {"question": "算法"}])

    chunks, invoked, batched = asyncio.run(run())
    *pieces, final = chunks
    assert pieces and all(isinstance(p, str) for p in pieces) and "".join(pieces) == final["answer"]
    assert final == invoked == batched[0] == qa.invoke(question)
    assert batched[1] == qa.invoke({"question": "算法"})


def test_llm_answers_stream_in_pieces_and_keep_the_event_loop_free(hash_data_dir):
    reply = "".join(f"第{n}点：深圳要求以通俗易懂的方式说明公共决策算法 [shenzhen-ai-2022:71]。" for n in range(1, 5))
    model = FakeListChatModel(responses=[reply], sleep=0.003)  # sleeps per character it streams
    qa = Assistant(Settings(data_dir=hash_data_dir, embedder="hash"), chat_model=model).as_runnable()
    question = {"question": "深圳条例第七十一条规定了什么？", "mode": "llm"}

    async def run():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        chunks = [chunk async for chunk in qa.astream(question)]
        task.cancel()
        return chunks, ticks

    chunks, ticks = asyncio.run(run())
    *pieces, final = chunks
    assert len(pieces) >= 2 and all(isinstance(p, str) for p in pieces)
    assert final["mode"] == "llm" and final["citations"] == [{"regulation": "shenzhen-ai-2022", "article": 71}]
    assert ticks >= 10  # the model's ~0.4 s of streaming ran in a worker thread, not on the event loop


@pytest.mark.parametrize("value, message", [
    ({}, "field 'question' is missing"),
    ({"history": HISTORY}, "field 'question' is missing"),
    ({"question": 42}, "field 'question' is 42: input should be a valid string"),
    ("深圳条例第七十一条规定了什么？", "got str '深圳条例第七十一条规定了什么？'; wrap a bare question as {\"question\": ...}"),
    (["question"], "takes a dict"),
    ({"question": "算法", "history": "not a list"}, "field 'history' is 'not a list': input should be a valid list"),
    ({"question": "算法", "history": [{"role": "bot", "content": "x"}]}, "field 'history.0.role' is 'bot'"),
    ({"question": "算法", "history": [{"role": "user"}]}, "field 'history.0.content' is missing"),
    ({"question": "算法", "regulation": 7}, "field 'regulation' is 7"),
    ({"question": "算法", "mode": "poetry"}, "field 'mode' is 'poetry'"),
    ({"question": "算法", "k": 3}, "field 'k' is 3: extra inputs are not permitted"),
    ({"question": "  "}, "the question is empty"),
    ({"question": "算法", "regulation": "beijing-ai-2023"}, "unknown regulation 'beijing-ai-2023'"),
])
def test_bad_input_is_an_input_error_naming_the_field(qa, value, message):
    with pytest.raises(InputError) as invoked:
        qa.invoke(value)
    assert message in str(invoked.value)
    with pytest.raises(InputError) as streamed:
        list(qa.stream(value))
    assert str(streamed.value) == str(invoked.value)


def test_composes_in_a_chain_and_describes_its_input(qa):
    chain = RunnableLambda(lambda question: {"question": question}) | qa | RunnableLambda(lambda r: r["citations"])
    assert chain.invoke("深圳条例第七十一条规定了什么？") == [{"regulation": "shenzhen-ai-2022", "article": 71}]
    streamed = list((RunnableLambda(lambda question: {"question": question}) | qa).stream("深圳条例第七十一条规定了什么？"))
    assert len(streamed) > 1 and isinstance(streamed[0], str) and streamed[-1]["citations"][0]["article"] == 71
    schema = qa.input_schema.model_json_schema()
    assert schema["required"] == ["question"] and set(schema["properties"]) == {"question", "history", "regulation",
                                                                              "mode"}
