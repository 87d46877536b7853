"""REST API: each endpoint, the bearer token on and off, and bad bodies → 4xx with a clear message, never 500."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from assistant.errors import IndexStateError
from assistant.index.progress import BuildStep
from assistant.serving.api import create_api
from assistant.serving.service import AssistantService
from assistant.settings import Settings

CONTRACT_KEYS = ["answer", "citations", "language", "abstained", "retrieved", "dropped_citations", "mode", "see_also", "note"]


class ReadyService(AssistantService):
    """The service around an already-built assistant (no background build in tests)."""

    def __init__(self, settings, assistant):
        super().__init__(settings, factory=lambda *_a, **_k: assistant)
        self.start()
        self.get(timeout=30)


@pytest.fixture(scope="module")
def settings(hash_data_dir):
    return Settings(data_dir=hash_data_dir, embedder="hash", max_request_bytes=64_000)


@pytest.fixture(scope="module")
def client(settings, hash_assistant):
    return TestClient(create_api(ReadyService(settings, hash_assistant), settings))


def test_health(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["articles"] == 145 and body["embedder"] == "hash"


def test_ask(client):
    response = client.post("/v1/ask", json={"question": "深圳条例第七十一条规定了什么？"})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == CONTRACT_KEYS and body["citations"] == [{"regulation": "shenzhen-ai-2022", "article": 71}]


def test_ask_with_history_and_filter(client):
    response = client.post("/v1/ask", json={
        "question": "那深圳呢？", "regulation": "shenzhen-ai-2022", "mode": "extractive",
        "history": [{"role": "user", "content": "上海对伦理委员会有什么规定？"},
                    {"role": "assistant", "content": "《上海市促进人工智能产业发展条例》第六十六条……"}]})
    assert response.status_code == 200
    assert {r["regulation"] for r in response.json()["retrieved"]} == {"shenzhen-ai-2022"}


def test_search(client):
    body = client.post("/v1/search", json={"query": "Article 44 of the Shenzhen regulation", "k": 3}).json()
    assert len(body["results"]) == 3 and body["results"][0]["article_id"] == "shenzhen-ai-2022:44"
    assert {"regulation", "article", "score", "chapter", "title", "languages", "text"} <= set(body["results"][0])


def test_article_and_regulations(client):
    article = client.get("/v1/articles/shanghai-ai-2022/66").json()
    assert article["chapter"]["number"] == 5 and set(article["text"]) == {"zh", "en"}
    regulations = client.get("/v1/regulations").json()
    assert [(r["id"], r["articles"], r["effective"]) for r in regulations] == [
        ("shanghai-ai-2022", 72, "2022-10-01"), ("shenzhen-ai-2022", 73, "2022-11-01")]


@pytest.mark.parametrize("method, path, body, status, message", [
    ("post", "/v1/ask", {"question": ""}, 422, "question"),
    ("post", "/v1/ask", {"question": "   "}, 422, "the question is empty"),
    ("post", "/v1/ask", {"question": 42}, 422, "question"),
    ("post", "/v1/ask", {"question": "算法", "history": "not a list"}, 422, "history"),
    ("post", "/v1/ask", {"question": "算法", "history": [{"role": "system", "content": "x"}]}, 422, "history.0.role"),
    ("post", "/v1/ask", {"question": "算法", "mode": "poetry"}, 422, "mode"),
    ("post", "/v1/ask", {"question": "算法", "regulation": "beijing-ai-2023"}, 400, "unknown regulation 'beijing-ai-2023'"),
    ("post", "/v1/ask", {"question": "x" * 3000}, 422, "question"),
    ("post", "/v1/ask", {"question": "算法", "surprise": 1}, 422, "surprise"),
    ("post", "/v1/search", {"query": "算法", "k": 0}, 422, "k"),
    ("post", "/v1/search", {"query": "算法", "k": "many"}, 422, "k"),
    ("get", "/v1/articles/shanghai-ai-2022/99", None, 404, "has no article 99"),
    ("get", "/v1/articles/beijing/1", None, 400, "unknown regulation 'beijing'"),
    ("get", "/v1/articles/shanghai-ai-2022/sixty", None, 422, "article"),
])
def test_bad_requests_are_4xx_with_a_message(client, method, path, body, status, message):
    response = getattr(client, method)(path, **({"json": body} if body is not None else {}))
    assert response.status_code == status
    assert message in str(response.json()["detail"])


def test_invalid_json_and_huge_bodies(client):
    response = client.post("/v1/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400 and "not valid JSON" in response.json()["detail"]
    response = client.post("/v1/ask", json={"question": "问" * 1_000_000})
    assert response.status_code == 413 and "larger than 64000 bytes" in response.json()["detail"]


def test_body_limit_holds_per_request_while_other_requests_arrive():
    # A chunked 300 kB POST to /v1/ask stays over the API limit even when requests to the UI (which allows
    # 1 MB) arrive while it is still being read.
    import asyncio

    from assistant.serving.api import BodyLimit

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limit = BodyLimit(app, limit=64_000)

    async def request(path: str, chunks: int, size: int) -> int:
        sent = iter([b"x" * size] * chunks)

        async def receive():
            await asyncio.sleep(0.001)
            chunk = next(sent, b"")
            return {"type": "http.request", "body": chunk, "more_body": bool(chunk)}

        statuses = []

        async def send(message):
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await limit({"type": "http", "path": path, "headers": []}, receive, send)
        return statuses[0]

    async def together():
        api = asyncio.create_task(request("/v1/ask", 30, 10_000))
        others = [asyncio.create_task(request("/gradio_api/queue/join", 3, 1_000)) for _ in range(20)]
        return await api, await asyncio.gather(*others)

    api_status, other_statuses = asyncio.run(together())
    assert api_status == 413 and set(other_statuses) == {200}


def test_bearer_token(hash_data_dir, hash_assistant):
    settings = Settings(data_dir=hash_data_dir, embedder="hash", api_token="s3cret")
    client = TestClient(create_api(ReadyService(settings, hash_assistant), settings))
    assert client.post("/v1/ask", json={"question": "算法"}).status_code == 401
    wrong = client.post("/v1/ask", json={"question": "算法"}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "bearer token" in wrong.json()["detail"]
    ok = client.post("/v1/ask", json={"question": "算法"}, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200
    assert client.get("/healthz").status_code == 200  # health stays open for load balancers


def test_openapi_documents_the_routes(client):
    spec = client.get("/openapi.json").json()
    assert {"/v1/ask", "/v1/search", "/v1/articles/{regulation}/{article}", "/v1/regulations", "/healthz"} <= set(
        spec["paths"])
    assert spec["components"]["schemas"]["AskRequest"]["properties"]["question"]["maxLength"] == 2000


class _Links(HTMLParser):
    """Every src and href of an HTML page."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


@pytest.mark.parametrize("page, script", [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")])
def test_docs_pages_load_everything_from_this_server(client, page, script):
    response = client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    links = _Links()
    links.feed(response.text)
    assert any(url.endswith(script) for url in links.urls), links.urls
    assert "://" not in response.text  # no CDN, no Google Fonts, no validator badge: nothing off this server
    for url in links.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 1000, url
    assert "/openapi.json" in response.text and client.get("/openapi.json").status_code == 200


def test_docs_stay_open_with_a_token_and_offer_the_bearer_scheme(hash_data_dir, hash_assistant):
    settings = Settings(data_dir=hash_data_dir, embedder="hash", api_token="s3cret")
    client = TestClient(create_api(ReadyService(settings, hash_assistant), settings))
    assert client.get("/docs").status_code == 200 and client.get("/redoc").status_code == 200
    assert client.get("/docs-assets/swagger-ui.css").status_code == 200
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"] == {"type": "http", "scheme": "bearer"}
    assert "/docs" not in spec["paths"] and "/redoc" not in spec["paths"]  # pages, not API routes
    assert client.post("/v1/ask", json={"question": "算法"}).status_code == 401


def test_requests_during_first_run_build(settings):
    import threading

    release = threading.Event()

    def slow_factory(*_args, progress=None, **_kwargs):
        progress(BuildStep(stage="embedding", done=10, total=217, embedded=10, work_done=1.0, work_total=10.0))
        release.wait(10)
        raise RuntimeError("no index for this test")

    service = AssistantService(settings, factory=slow_factory).start()
    client = TestClient(create_api(service, settings))
    health = client.get("/healthz").json()
    assert health["state"] == "building" and health["progress"] == {"stage": "embedding", "done": 10, "total": 217}
    release.set()
    with pytest.raises(IndexStateError, match="RuntimeError: no index for this test"):
        service.get(timeout=10)
    assert client.get("/healthz").json()["state"] == "failed"
    response = client.post("/v1/ask", json={"question": "算法"})
    assert response.status_code == 503 and "RuntimeError" in response.json()["detail"]


def test_token_also_guards_the_ui_and_gradio_api(hash_data_dir, hash_assistant):
    from assistant.serving.api import create_app

    settings = Settings(data_dir=hash_data_dir, embedder="hash", api_token="s3cret")
    client = TestClient(create_app(settings, service=ReadyService(settings, hash_assistant)))
    bypass = client.post("/gradio_api/call/ask", json={"data": ["算法", "all", "extractive"]})
    assert bypass.status_code in (401, 403)
    assert client.post("/v1/ask", json={"question": "算法"}).status_code == 401
    open_settings = Settings(data_dir=hash_data_dir, embedder="hash")
    open_client = TestClient(create_app(open_settings, service=ReadyService(open_settings, hash_assistant)))
    assert open_client.post("/gradio_api/call/ask", json={"data": ["算法", "all", "extractive"]}).status_code == 200


def test_gradio_footer_does_not_advertise_its_own_api(hash_data_dir, hash_assistant):
    # Gradio's "Use via API" page documents its internal /chat endpoint; programs should use /v1 (see /docs).
    from assistant.serving.api import create_app

    settings = Settings(data_dir=hash_data_dir, embedder="hash")
    client = TestClient(create_app(settings, service=ReadyService(settings, hash_assistant)))
    config = client.get("/config").json()
    assert "api" not in config["footer_links"] and "gradio" in config["footer_links"]
    assert client.get("/docs").status_code == 200  # the REST docs are still reachable beside the UI


def test_ui_bodies_are_limited_too(client):
    assert client.post("/gradio_api/queue/join", content=b"x" * 1_100_000).status_code == 413


def test_ready_service_never_claims_to_be_building(settings, hash_assistant):
    service = AssistantService(settings, factory=lambda *_a, **_k: hash_assistant)
    service._assistant = hash_assistant  # the moment between setting the assistant and publishing "ready"
    assert service.get(timeout=0) is hash_assistant
