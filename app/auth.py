"""Optional bearer API keys and a per-key (or per-client when open) rate limit in Redis.

With ``Settings.api_keys`` empty the API is open and every caller is the owner ``anon``; with keys
set, ``Authorization: Bearer <key>`` is required and each key owns its own jobs. The rate limit
is a fixed one-minute window per owner (per client address when open); 0 disables it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from fastapi import Request, WebSocket
from redis.asyncio import Redis as AsyncRedis

from common.errors import ReelgraphError
from common.settings import get_settings

logger = logging.getLogger(__name__)

ANON = "anon"


class Unauthorized(ReelgraphError):
    code = "unauthorized"
    status = 401


class RateLimited(ReelgraphError):
    code = "rate_limited"
    status = 429


def owner_of(key: str) -> str:
    """A stable, non-reversible owner id for an API key."""
    return "key_" + hashlib.sha256(key.encode()).hexdigest()[:16]


def authenticate(authorization: str | None, token: str | None = None) -> str:
    """The owner for these credentials, or Unauthorized when keys are configured and none match."""
    keys = get_settings().api_keys
    if not keys:
        return ANON
    given = token
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer":
            given = value.strip()
    if not given:
        raise Unauthorized("This server needs an API key: send 'Authorization: Bearer <key>'.")
    for key in keys:
        if hmac.compare_digest(given.encode(), key.encode()):
            return owner_of(key)
    raise Unauthorized("The API key is not valid; check the key or ask the operator for one.")


async def check_rate(aredis: AsyncRedis, subject: str) -> None:
    """Count one request for ``subject``; RateLimited past the per-minute limit."""
    limit = get_settings().rate_limit_per_minute
    if limit <= 0:
        return
    window = int(time.time() // 60)
    key = f"reelgraph:rl:{subject}:{window}"
    async with aredis.pipeline(transaction=False) as pipe:
        pipe.incr(key)
        pipe.expire(key, 120)
        count = int((await pipe.execute())[0])
    if count > limit:
        raise RateLimited(
            f"Rate limit of {limit} requests per minute reached; "
            f"retry in {60 - int(time.time()) % 60} s."
        )


async def require_owner(request: Request) -> str:
    """FastAPI dependency: authenticate and rate-limit; returns the caller's owner id."""
    owner = authenticate(request.headers.get("authorization"))
    subject = owner if owner != ANON else f"ip:{request.client.host if request.client else '-'}"
    await check_rate(request.app.state.aredis, subject)
    return owner


def ws_owner(websocket: WebSocket) -> str:
    """The owner of a WebSocket (header, or ``?token=`` since browsers cannot set headers)."""
    return authenticate(websocket.headers.get("authorization"), websocket.query_params.get("token"))
