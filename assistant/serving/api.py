"""The REST API, served beside the Gradio UI (FastAPI, OpenAPI at /openapi.json).

    POST /v1/ask                           the `lawqa ask --json` object
    POST /v1/search                        retriever only: articles with scores and metadata
    GET  /v1/articles/{regulation}/{n}     one article, both languages
    GET  /v1/regulations                   what is loaded
    GET  /healthz                          liveness and index state
    GET  /docs, /redoc                     Swagger UI and ReDoc, with their scripts served from here (offline)

Bad requests are 4xx with a message naming the problem, never 500. When LAWQA_API_TOKEN is set, /v1/* needs
`Authorization: Bearer <token>`; like /openapi.json and /healthz, the documentation pages stay open (they hold
no data: Swagger UI's "Authorize" button takes the token for the calls it makes). Request bodies are limited to
LAWQA_MAX_REQUEST_BYTES.
"""

from __future__ import annotations

import hmac
from importlib.resources import files
from typing import Literal

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, swagger_ui_default_parameters
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from ..corpus.model import article_record
from ..errors import IndexStateError, InputError, LawqaError, NotFoundError
from ..settings import Settings
from .service import AssistantService

WAIT_FOR_INDEX = 120.0  # seconds a request waits for a first-run build
DOCS_ASSETS = "/docs-assets"  # Swagger UI and ReDoc files, shipped by the fastapi-offline package


class Message(BaseModel):
    """One earlier message of the conversation."""

    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class AskRequest(BaseModel):
    """A question, with its conversation so far."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=2000, examples=["深圳条例第七十一条规定了什么？"])
    history: list[Message] = Field(default_factory=list, max_length=50)
    regulation: str | None = Field(None, examples=["shenzhen-ai-2022"])
    mode: Literal["extractive", "llm"] | None = None

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty")
        return value


class CitationOut(BaseModel):
    """An article: an inserted one (第X条之一, Article Xa) also has "suffix": 1 (2 for 之二 / b)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"properties": {"suffix": {"type": "integer"}}})
    regulation: str
    article: int


class RetrievedOut(CitationOut):
    score: float


class DroppedOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    regulation: str | None
    article: int
    reason: str


class AskResponse(BaseModel):
    """The same object `lawqa ask --json` prints."""

    answer: str
    citations: list[CitationOut]
    language: Literal["zh", "en"]
    abstained: bool
    retrieved: list[RetrievedOut]
    dropped_citations: list[DroppedOut]
    mode: Literal["extractive", "llm"] = Field(description="How the answer was made (extractive after a fallback).")
    see_also: list[CitationOut] = Field(description="Nearby articles an abstaining answer points at (not cited).")
    note: str | None = Field(None, description="Why an LLM answer fell back, or that a long question was cut.")


class SearchRequest(BaseModel):
    """A retrieval-only query."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(5, ge=1, le=50)
    regulation: str | None = None


class SearchResult(BaseModel):
    regulation: str
    article: int
    article_id: str
    score: float
    chapter: str
    title: str
    languages: list[str]
    language: str
    text: str


class SearchResponse(BaseModel):
    results: list[SearchResult]


class RegulationOut(BaseModel):
    id: str
    title: dict[str, str]
    short_name: dict[str, str]
    jurisdiction: dict[str, str]
    issuing_body: dict[str, str]
    adopted: str | None
    effective: str | None
    status: str
    articles: int


class ErrorOut(BaseModel):
    """Every error but 422: one line naming the problem and the fix."""

    detail: str


class FieldErrorOut(BaseModel):
    field: str = Field(description="The offending field, dotted (e.g. history.0.role).")
    message: str


class ValidationErrorOut(BaseModel):
    """422: the request does not match its schema, one entry per offending field."""

    detail: list[FieldErrorOut]


# What /v1 routes answer besides 200, documented so clients (and generated tests) can rely on it.
API_ERRORS: dict[int | str, dict] = {
    400: {"model": ErrorOut, "description": "Unknown regulation, body that is not JSON, llm mode without an LLM"},
    401: {"model": ErrorOut, "description": "Missing or wrong bearer token (when LAWQA_API_TOKEN is set)"},
    404: {"model": ErrorOut, "description": "No such article"},
    413: {"model": ErrorOut, "description": "Request body over LAWQA_MAX_REQUEST_BYTES"},
    422: {"model": ValidationErrorOut, "description": "The request does not match its schema"},
    503: {"model": ErrorOut, "description": "The index is being built, damaged or missing (the message says the fix)"},
}


class Unauthorized(Exception):
    """The bearer token is missing or wrong."""


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


UI_BODY_LIMIT = 1_000_000  # the chat UI posts whole conversations


class BodyLimit:
    """Refuse request bodies over the limit with 413 (declared or streamed): `limit` under /v1/, 1 MB elsewhere.

    The limit is worked out per request (a local, never an attribute of this shared middleware object), so
    concurrent requests to different paths cannot change each other's limit.
    """

    def __init__(self, app, limit: int):
        self.app, self.api_limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.api_limit if scope["path"].startswith("/v1/") else max(self.api_limit, UI_BODY_LIMIT)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_big = declared is not None and declared.isdigit() and int(declared) > limit
        body, more = b"", not too_big
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                too_big = True
                break
        if too_big:
            response = _error(413, f"request body is larger than {limit} bytes; send a shorter request")
            return await response(scope, receive, send)
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        return await self.app(scope, replay, send)


def create_api(service: AssistantService, settings: Settings) -> FastAPI:
    """The FastAPI app with the /v1 routes (the UI is mounted by `create_app`)."""
    app = FastAPI(title="lawqa", version="0.1.0", docs_url=None, redoc_url=None,
                  description="Answers about regulations with cited articles. Information, not legal advice.")
    _add_offline_docs(app)
    bearer = HTTPBearer(auto_error=False)

    def authorize(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if settings.api_token is None:
            return
        expected = settings.api_token.get_secret_value()
        if credentials is None or not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
            raise Unauthorized()

    @app.exception_handler(Unauthorized)
    async def _unauthorized(_: Request, __: Unauthorized) -> JSONResponse:
        return JSONResponse({"detail": "missing or wrong bearer token; send Authorization: Bearer <token>"},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return _error(404 if isinstance(exc, NotFoundError) else 400, str(exc))

    @app.exception_handler(IndexStateError)
    async def _index(_: Request, exc: IndexStateError) -> JSONResponse:
        return _error(503, str(exc))

    @app.exception_handler(LawqaError)
    async def _other(_: Request, exc: LawqaError) -> JSONResponse:
        return _error(503, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if errors and errors[0]["type"] == "json_invalid":
            return _error(400, "the request body is not valid JSON")
        detail = [{"field": ".".join(str(p) for p in e["loc"] if p != "body"), "message": e["msg"]} for e in errors]
        return JSONResponse({"detail": detail}, status_code=422)

    async def assistant():
        return await run_in_threadpool(service.get, timeout=WAIT_FOR_INDEX)

    @app.get("/healthz")
    async def healthz() -> dict:
        """Liveness and the index: status "ok", "starting"/"building" (with progress on a first run), "degraded"
        (answering from an older index, or the index is damaged: see "note" and "error", which say the fix) or
        "failed"."""
        status = await run_in_threadpool(service.check)
        body = {"status": status.health, "state": status.state,
                "progress": {"stage": status.stage, "done": status.done, "total": status.total}}
        if (serving := service.serving) is not None:
            body.update(index=serving.index.meta.build_id, articles=serving.index.meta.articles,
                        embedder=serving.embedder.name)
        for key in ("error", "note"):
            if getattr(status, key):
                body[key] = getattr(status, key)
        return body

    @app.post("/v1/ask", response_model=AskResponse, dependencies=[Depends(authorize)], responses=API_ERRORS)
    async def ask(request: AskRequest) -> dict:
        """Answer a question: the same object as `lawqa ask --json`."""
        if (request.mode or settings.mode) == "llm" and not settings.llm_configured:
            raise InputError("mode 'llm' needs an LLM endpoint: set LAWQA_LLM_BASE_URL and LAWQA_LLM_MODEL on the "
                             "server, or ask with mode 'extractive'")
        ready = await assistant()
        answer = await run_in_threadpool(ready.ask, request.question, history=[m.model_dump() for m in request.history],
                                         regulation=request.regulation, mode=request.mode)
        return answer.to_json()

    @app.post("/v1/search", response_model=SearchResponse, dependencies=[Depends(authorize)], responses=API_ERRORS)
    async def search(request: SearchRequest) -> dict:
        """Retrieval only: the best articles with scores and metadata, for tools of your own."""
        ready = await assistant()
        return {"results": await run_in_threadpool(_search, ready, request)}

    @app.get("/v1/articles/{regulation}/{article}", dependencies=[Depends(authorize)], responses=API_ERRORS)
    async def get_article(regulation: str, article: int) -> dict:
        """One article: chapter, texts in every language, notes."""
        ready = await assistant()
        return article_record(ready.corpus, ready.corpus.require_article(regulation, article))

    @app.get("/v1/regulations", response_model=list[RegulationOut], dependencies=[Depends(authorize)],
             responses=API_ERRORS)
    async def regulations() -> list[dict]:
        """The regulations that are loaded."""
        ready = await assistant()
        return [{"id": r.id, "title": r.title, "short_name": r.short_name, "jurisdiction": r.jurisdiction,
                 "issuing_body": r.issuing_body, "adopted": r.adopted.isoformat() if r.adopted else None,
                 "effective": r.effective.isoformat() if r.effective else None, "status": r.status,
                 "articles": len(r.articles)} for r in ready.corpus.regulations]

    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    return app


def _add_offline_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc with every script, style sheet and icon served here, so they work offline.

    FastAPI's own pages load them from a CDN (and ReDoc its fonts from Google): blank on an intranet.
    """
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets")
    title = f"{app.title} · REST API"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        # validatorUrl None: Swagger UI would otherwise send the spec to validator.swagger.io for a badge
        return get_swagger_ui_html(openapi_url=root + app.openapi_url, title=title,
                                   swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
                                   swagger_ui_parameters={**swagger_ui_default_parameters, "validatorUrl": None})

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(openapi_url=root + app.openapi_url, title=title,
                              redoc_js_url=f"{root}{DOCS_ASSETS}/redoc.standalone.js",
                              redoc_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png", with_google_fonts=False)


def _search(assistant, request: SearchRequest) -> list[dict]:
    from ..retrieval.langchain import search_documents

    documents = search_documents(assistant.searcher, request.query, k=request.k, regulation=request.regulation)
    return [{**document.metadata, "text": document.page_content} for document in documents]


def create_app(settings: Settings, *, service: AssistantService | None = None):
    """REST API plus the Gradio UI mounted at "/" (routes first: later routes under "/" would be shadowed).

    With LAWQA_API_TOKEN set the UI (and Gradio's own API beside it) asks for the token as its password, so
    the token protects every way in, not only /v1/*.
    """
    import gradio as gr

    from .ui import HEAD, build_ui

    service = (service or AssistantService(settings)).start()
    app = create_api(service, settings)
    auth = None
    if settings.api_token is not None:
        token = settings.api_token.get_secret_value()

        def auth(_username: str, password: str) -> bool:
            return hmac.compare_digest(password.encode(), token.encode())
    # No "Use via API" link in the footer: it would advertise Gradio's internal /chat endpoint; the API for
    # other programs is /v1 (documented at /docs).
    return gr.mount_gradio_app(app, build_ui(service, settings), path="/", head=HEAD, show_error=True, auth=auth,
                               auth_message="Enter any user name and the API token (LAWQA_API_TOKEN) as password.",
                               footer_links=["gradio", "settings"])

