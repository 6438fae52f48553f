"""Every error leaves the API as ``{"error": {"code", "message"}}`` with the right status.

An error class may carry ``headers`` for its response (``Retry-After``, ``Content-Range``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException

from reelgraph.errors import ReelgraphError

logger = logging.getLogger(__name__)


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The one error shape; a 429 says when to come back (60 s unless ``headers`` say)."""
    if status == 429 and not headers:
        headers = {"Retry-After": "60"}
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


#: Location parts that name where a value came from, not which field it is.
SOURCES = ("body", "query", "path", "header")


#: Error types whose message lists the valid values: the value given is shown beside them.
GIVEN_SHOWN = ("literal_error", "enum")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def describe_errors(errors: Sequence[Any], drop: tuple[str, ...] = ()) -> str:
    """One readable sentence per problem (five at most): 'options.fps: Input should be ...'."""
    msgs = []
    for err in errors[:5]:
        if err.get("type") == "json_invalid":
            why = (err.get("ctx") or {}).get("error", "")
            msgs.append(f"The request body is not valid JSON ({why}); check its syntax.")
            continue
        loc = [str(p) for p in err.get("loc", ()) if p not in SOURCES and p not in drop]
        msg = str(err.get("msg", "is invalid")).removeprefix("Value error, ")
        if err.get("type") in GIVEN_SHOWN:
            msg += f" (got {_shown(err.get('input'))})"
        msgs.append(f"{'.'.join(loc) or 'request'}: {msg}")
    return "; ".join(msgs)


def validation_message(exc: RequestValidationError) -> str:
    return describe_errors(exc.errors())


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ReelgraphError)
    async def _reelgraph(_: Request, exc: ReelgraphError) -> JSONResponse:
        if exc.status >= 500:
            logger.error("request failed: %s (%s)", exc.message, exc.detail or "")
        return error_response(exc.status, exc.code, exc.message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_input", validation_message(exc))

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), exc.headers)

    @app.exception_handler(RedisConnectionError)
    @app.exception_handler(RedisTimeoutError)
    async def _redis_down(_: Request, exc: Exception) -> JSONResponse:
        logger.error("Redis unavailable: %s", exc)
        return error_response(
            503,
            "service_unavailable",
            "The job queue (Redis) is unreachable, so nothing was accepted; retry in a minute.",
        )
