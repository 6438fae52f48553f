"""The FastAPI application: ``create_app()`` wires Redis clients, routes and error handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from redis import BlockingConnectionPool, Redis
from redis.asyncio import Redis as AsyncRedis

from common.settings import get_settings

logger = logging.getLogger(__name__)


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
        app.state.aredis = AsyncRedis.from_url(s.redis_url, socket_connect_timeout=2)
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
    return app
