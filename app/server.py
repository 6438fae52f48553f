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
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

from reelgraph.settings import Settings, get_settings

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


def _retry() -> Retry:
    """One immediate retry on a dropped connection (a stale pooled socket), none on a timeout:
    a Redis that accepts but never answers costs a request one timeout, not four."""
    return Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))


def _aretry() -> AsyncRetry:
    return AsyncRetry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))


def redis_clients(s: Settings) -> tuple[Redis, AsyncRedis, AsyncRedis]:
    """The API's Redis clients: sync, async, and async for the event streams' blocking reads.

    Every request-path call times out after ``api_redis_timeout_s`` (the handlers answer 503);
    only the event stream's XREAD, which blocks up to ``events.BLOCK_MS``, may wait longer.
    """
    from reelgraph.app.api.events import BLOCK_MS

    timeout, connect = s.api_redis_timeout_s, s.api_redis_connect_timeout_s
    pool = BlockingConnectionPool.from_url(
        s.redis_url,
        max_connections=64,
        timeout=5,
        retry=_retry(),
        socket_timeout=timeout,
        socket_connect_timeout=connect,
    )
    aredis = AsyncRedis.from_url(
        s.redis_url, retry=_aretry(), socket_timeout=timeout, socket_connect_timeout=connect
    )
    streams = AsyncRedis.from_url(
        s.redis_url,
        retry=_aretry(),
        socket_timeout=BLOCK_MS / 1000 + timeout,
        socket_connect_timeout=connect,
    )
    return Redis(connection_pool=pool), aredis, streams


def create_app() -> FastAPI:
    """A new app bound to ``Settings.redis_url``; nothing connects until the first request."""
    from reelgraph.app.api import events, jobs, ops, reviews, seeds, threads
    from reelgraph.app.api.errors import install_error_handlers
    from reelgraph.app.api.limits import BodySizeLimit

    s = get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.redis, app.state.aredis, app.state.aredis_events = redis_clients(s)
        try:
            yield
        finally:
            await app.state.aredis.aclose()
            await app.state.aredis_events.aclose()
            app.state.redis.connection_pool.disconnect()

    app = FastAPI(
        title="reelgraph",
        version="0.1.0",
        description="Prompt to finished short video: jobs, uploads, events and artifacts.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for module in (jobs, reviews, events, ops, seeds, threads):
        app.include_router(module.router)
    install_web_page(app)
    app.add_middleware(BodySizeLimit, exempt_paths=jobs.STREAMED_BODY_PATHS)
    return app


def install_web_page(app: FastAPI) -> None:
    """The single-page studio at ``/`` and its script and style under ``/web``."""

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html", headers=PAGE_HEADERS)

    app.mount("/web", StaticFiles(directory=WEB_DIR), name="web")
