"""The FastAPI application: ``create_app()`` wires Redis clients, routes and error handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from redis import BlockingConnectionPool, Redis
from redis.asyncio import Redis as AsyncRedis

from common.settings import get_settings

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent / "web"
#: The page loads only its own script, style and media (blob: for videos fetched with a key).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def create_app() -> FastAPI:
    """A new app bound to ``Settings.redis_url``; nothing connects until the first request."""
    from app.api import events, jobs, ops, seeds
    from app.api.errors import install_error_handlers

    s = get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = BlockingConnectionPool.from_url(
            s.redis_url, max_connections=64, timeout=5, socket_timeout=5, socket_connect_timeout=2
        )
        app.state.redis = Redis(connection_pool=pool)
        app.state.aredis = AsyncRedis.from_url(
            # reads must outlive the event stream's blocking XREAD (events.BLOCK_MS)
            s.redis_url,
            socket_connect_timeout=2,
            socket_timeout=30,
        )
        try:
            yield
        finally:
            await app.state.aredis.aclose()
            pool.disconnect()

    app = FastAPI(
        title="reelgraph",
        version="0.1.0",
        description="Prompt to finished short video: jobs, uploads, events and artifacts.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for module in (jobs, events, ops, seeds):
        app.include_router(module.router)
    install_web_page(app)
    return app


def install_web_page(app: FastAPI) -> None:
    """The single-page studio at ``/`` and its script and style under ``/web``."""

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html", headers=PAGE_HEADERS)

    app.mount("/web", StaticFiles(directory=WEB_DIR), name="web")
