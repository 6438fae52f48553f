"""Every error leaves the API as ``{"error": {"code", "message"}}`` with the right status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException

from common.errors import ReelgraphError

logger = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    headers = {"Retry-After": "60"} if status == 429 else None
    return JSONResponse({"error": {"code": code, "message": message, **extra}},
                        status_code=status, headers=headers)  # fmt: skip


def _field(loc: tuple[object, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


def validation_message(exc: RequestValidationError) -> str:
    """One readable sentence per problem: 'options.fps: Input should be ...'."""
    msgs = []
    for err in exc.errors()[:5]:
        msg = str(err.get("msg", "is invalid")).removeprefix("Value error, ")
        msgs.append(f"{_field(tuple(err.get('loc', ())))}: {msg}")
    return "; ".join(msgs)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ReelgraphError)
    async def _reelgraph(_: Request, exc: ReelgraphError) -> JSONResponse:
        if exc.status >= 500:
            logger.error("request failed: %s (%s)", exc.message, exc.detail or "")
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_input", validation_message(exc))

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(RedisConnectionError)
    @app.exception_handler(RedisTimeoutError)
    async def _redis_down(_: Request, exc: Exception) -> JSONResponse:
        logger.error("Redis unavailable: %s", exc)
        return error_response(
            503, "service_unavailable",
            "The job queue (Redis) is unreachable, so nothing was accepted; retry in a minute.",
        )  # fmt: skip
