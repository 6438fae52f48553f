"""Optional bearer API keys and a per-key (or per-client when open) rate limit in Redis.

With ``Settings.api_keys`` empty the API is open and every caller is the owner ``anon``; with keys
set, ``Authorization: Bearer <key>`` is required and each key owns its own jobs. The rate limit
is a fixed one-minute window per owner (per client address when open); 0 disables it.
Failed authentications are counted per client address: past ``Settings.auth_fail_limit`` in a
window of ``auth_fail_window_s`` the address gets 429 with Retry-After until the window ends.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from fastapi import Request, WebSocket
from redis.asyncio import Redis as AsyncRedis
from starlette.requests import HTTPConnection

from reelgraph.errors import ReelgraphError
from reelgraph.settings import get_settings

logger = logging.getLogger(__name__)

ANON = "anon"


class Unauthorized(ReelgraphError):
    code = "unauthorized"
    status = 401


class BadKey(Unauthorized):
    """A key was sent and matches none: a guess, counted toward the address's lockout."""


class RateLimited(ReelgraphError):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.headers = {"Retry-After": str(max(1, retry_after))}


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
    raise BadKey("The API key is not valid; check the key or ask the operator for one.")


def _window(seconds: int) -> tuple[int, int]:
    """The fixed window holding now (its index) and the seconds left in it."""
    now = time.time()
    return int(now // seconds), seconds - int(now) % seconds


def _fail_key(ip: str) -> tuple[str, int]:
    window, left = _window(max(1, get_settings().auth_fail_window_s))
    return f"reelgraph:authfail:{ip}:{window}", left


def _locked_out(failures: int, left: int) -> RateLimited | None:
    """The lockout error once ``failures`` (before this request) reach the limit, else None."""
    limit = get_settings().auth_fail_limit
    if limit <= 0 or failures < limit:
        return None
    return RateLimited(
        f"Too many failed authentications from this address; retry in {left} s "
        "with a valid API key.",
        left,
    )


async def count_auth_failure(aredis: AsyncRedis, ip: str) -> RateLimited | None:
    """Record one failed authentication from ``ip``; the lockout error once past the limit."""
    key, left = _fail_key(ip)
    async with aredis.pipeline(transaction=False) as pipe:
        pipe.incr(key)
        pipe.expire(key, left + 1)
        failures = int((await pipe.execute())[0])
    if failures == get_settings().auth_fail_limit + 1:
        logger.warning("client %s locked out after %d wrong API keys", ip, failures - 1)
    return _locked_out(failures - 1, left)


async def check_rate(aredis: AsyncRedis, subject: str | None, ip: str | None = None) -> None:
    """Count one request for ``subject`` (None: count none); RateLimited past the per-minute
    limit, or while ``ip`` is locked out for failed authentications (even with a valid key, so
    a locked-out guesser learns nothing). One Redis round trip."""
    limit = get_settings().rate_limit_per_minute if subject is not None else 0
    if limit <= 0 and ip is None:
        return
    window, left = _window(60)
    fail_key, fail_left = _fail_key(ip) if ip is not None else ("", 0)
    async with aredis.pipeline(transaction=False) as pipe:
        if limit > 0:
            pipe.incr(f"reelgraph:rl:{subject}:{window}")
            pipe.expire(f"reelgraph:rl:{subject}:{window}", 120)
        if ip is not None:
            pipe.get(fail_key)
        replies = await pipe.execute()
    lockout = _locked_out(int(replies[-1] or 0), fail_left) if ip is not None else None
    if lockout is not None:
        raise lockout
    if limit > 0 and int(replies[0]) > limit:
        raise RateLimited(
            f"Rate limit of {limit} requests per minute reached; retry in {left} s.", left
        )


def client_ip(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "-"


async def _authenticate(conn: HTTPConnection, token: str | None = None) -> str:
    """``authenticate``, counting a wrong key against the client address; then the lockout
    check (which only applies once keys are configured)."""
    aredis: AsyncRedis = conn.app.state.aredis
    ip = client_ip(conn)
    try:
        owner = authenticate(conn.headers.get("authorization"), token)
    except BadKey as exc:
        raise (await count_auth_failure(aredis, ip)) or exc from None
    locking = owner != ANON and get_settings().auth_fail_limit > 0
    subject = owner if owner != ANON else f"ip:{ip}"
    await check_rate(
        aredis, subject if conn.scope["type"] == "http" else None, ip if locking else None
    )
    return owner


async def require_owner(request: Request) -> str:
    """FastAPI dependency: authenticate and rate-limit; returns the caller's owner id.

    A wrong key counts against the client address; past ``auth_fail_limit`` in
    ``auth_fail_window_s`` the address gets 429 with Retry-After, whatever key it sends.
    """
    return await _authenticate(request)


async def ws_owner(websocket: WebSocket) -> str:
    """The owner of a WebSocket (header, or ``?token=`` since browsers cannot set headers);
    wrong keys count toward the same lockout as HTTP requests, and no request is counted."""
    return await _authenticate(websocket, websocket.query_params.get("token"))
