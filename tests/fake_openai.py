"""A local OpenAI-compatible chat endpoint for tests: replies with scripted text, streamed or not."""

from __future__ import annotations

import json
import threading
import time

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse


class FakeOpenAI:
    """Serves POST /v1/chat/completions on 127.0.0.1; `reply` is what the "model" says next."""

    def __init__(self, port: int):
        self.port = port
        self.reply = "NOT_FOUND"
        self.requests: list[dict] = []
        self.fail_with: int | None = None
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat(request: Request):
            body = await request.json()
            self.requests.append(body)
            if self.fail_with is not None:
                return JSONResponse({"error": {"message": "scripted failure"}}, status_code=self.fail_with)
            if not body.get("stream"):
                return {"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": self.reply},
                                     "finish_reason": "stop"}]}

            def events():
                for i in range(0, len(self.reply), 7):
                    chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                             "choices": [{"index": 0, "delta": {"content": self.reply[i:i + 7]}}]}
                    yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("fake OpenAI server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
