"""The serve command: the web UI and the REST API."""

from __future__ import annotations

from typing import Annotated

import typer

from ..settings import load_settings
from ._app import app
from .progress import ProgressLine


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option("--host", help="Interface to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 7860).")] = None,
) -> None:
    """Serve the chat UI and the REST API (/v1/ask, /v1/search, /docs).

    Example: lawqa serve --port 7860   then open http://127.0.0.1:7860
    """
    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import uvicorn

    from ..serving.api import create_app
    from ..serving.service import AssistantService

    overrides = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = load_settings(**overrides)
    typer.echo(f"lawqa: serving on http://{settings.host}:{settings.port} (Ctrl-C stops)", err=True)
    # A first run builds the index in the background; its progress line is drawn here as in `lawqa index`.
    app_ = create_app(settings, service=AssistantService(settings, listener=ProgressLine()))
    uvicorn.run(app_, host=settings.host, port=settings.port, log_level="warning")


