"""One guarded, cached JSON helper for the stock providers and the image generator.

- Every request goes through ``reelgraph.netguard``: address checks on every redirect hop, the
  connection pinned to the checked address, a byte cap and a deadline on the body.
- Search results are cached for ``Settings.stock_query_ttl_s`` under a key made of the URL and
  the parameters, never the API key (``secret_params`` are left out of the key).
- 429, 5xx and network errors are retried ``Settings.stock_retries`` times with exponential
  backoff from ``Settings.stock_backoff_s``, honouring ``Retry-After`` (capped at
  ``Settings.stock_retry_after_max_s``); 401 / 403 raise ``ProviderAuthError`` at once.
- A provider whose search failed is paused for ``Settings.stock_pause_s`` in this process: its
  next searches raise the same error without a request (cached results are still served), so
  one dead provider does not cost every scene its retries.
- API keys never reach logs, cache keys or error messages: every message is redacted.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import time
from collections.abc import Callable, Iterable
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus, urlencode

import httpx

from reelgraph import netguard
from reelgraph.errors import (
    FetchFailed,
    ProviderAuthError,
    ProviderError,
    ReelgraphError,
)
from reelgraph.files import write_json_atomic
from reelgraph.settings import get_settings
from reelgraph.workers.engine.cache import make_key

logger = logging.getLogger(__name__)

T = TypeVar("T")
#: Largest JSON answer read from a provider.
MAX_JSON_BYTES = 16 * 1024 * 1024
_paused: dict[str, tuple[float, ProviderError]] = {}


class Retry(Exception):
    """A failure worth another try (429, 5xx, network); ``retry_after`` from the server."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


def secrets() -> list[str]:
    """Every configured API key (what ``redact`` hides)."""
    s = get_settings()
    keys = (s.pexels_api_key, s.pixabay_api_key, s.image_api_key)
    return [k.get_secret_value() for k in keys if k is not None and k.get_secret_value()]


def redact(text: str) -> str:
    """``text`` with every API key (plain or URL-encoded) replaced by ``***``."""
    for key in secrets():
        for form in {key, quote(key, safe=""), quote_plus(key)}:
            text = text.replace(form, "***")
    return text


class _RedactFilter(logging.Filter):
    """Hides API keys in records of loggers that print URLs (httpx logs every request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if secrets():
            record.msg = redact(record.getMessage())
            record.args = None
        return True


for _name in ("httpx", "reelgraph.netguard"):
    _log = logging.getLogger(_name)
    if not any(isinstance(f, _RedactFilter) for f in _log.filters):
        _log.addFilter(_RedactFilter())


def clean(exc: ReelgraphError) -> ReelgraphError:
    """A copy of ``exc`` (same class and code) whose message carries no API key."""
    copy = type(exc)(redact(exc.message), code=exc.code)
    copy.retryable = exc.retryable
    return copy


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


def status_error(provider: str, status: int, headers: httpx.Headers) -> Exception:
    """The error for a non-success status: ``Retry`` for 429 / 5xx, else a ProviderError."""
    if status in (401, 403):
        return ProviderAuthError(
            f"{provider} refused the API key (HTTP {status}); check its key setting."
        )
    if status == 429:
        return Retry(
            f"{provider} rate-limited us (HTTP 429)", retry_after(headers.get("retry-after"))
        )
    if status >= 500:
        return Retry(f"{provider} failed (HTTP {status})", retry_after(headers.get("retry-after")))
    err = ProviderError(f"{provider} answered HTTP {status}; the request was not accepted.")
    err.retryable = False
    return err


def with_retries(provider: str, attempt: Callable[[], T]) -> T:
    """``attempt()``, retried on ``Retry`` with backoff; ProviderError when retries run out."""
    s = get_settings()
    tries = max(0, s.stock_retries) + 1
    for n in range(tries):
        try:
            return attempt()
        except Retry as r:
            if n == tries - 1:
                raise ProviderError(
                    f"{r.reason} {tries} times; it is skipped for now, try again later."
                ) from None
            delay = r.retry_after if r.retry_after is not None else s.stock_backoff_s * 2**n
            delay = max(0.0, min(delay, s.stock_retry_after_max_s))
            logger.warning("%s; retry %d/%d in %.1f s", r.reason, n + 1, tries - 1, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


def _exchange(
    provider: str, method: str, url: str, headers: dict[str, str], content: bytes | None
) -> bytes:
    """One request through the guarded fetcher; the body of a 2xx answer."""
    s = get_settings()
    timeout = s.image_timeout_s if content is not None else s.fetch_timeout_s
    hdrs = {"User-Agent": s.stock_user_agent, "Accept": "application/json", **headers}
    if content is not None:
        hdrs["Content-Type"] = "application/json"
    try:
        with netguard.guarded_client(timeout) as client:
            resp, _ = netguard.open_response(client, url, method, hdrs, content)
            try:
                if not 200 <= resp.status_code < 300:
                    raise status_error(provider, resp.status_code, resp.headers)
                buf = io.BytesIO()
                deadline = time.monotonic() + timeout * 2
                netguard.stream_body(resp, buf, url, max_bytes=MAX_JSON_BYTES, deadline=deadline)
                return buf.getvalue()
            finally:
                resp.close()
    except httpx.HTTPError as exc:
        raise Retry(f"{provider} could not be reached ({type(exc).__name__})") from None
    except FetchFailed as exc:  # DNS failures and slow bodies
        raise unreached(provider, exc) from None
    except ReelgraphError as exc:
        raise clean(exc) from None


def unreached(provider: str, exc: FetchFailed) -> Exception:
    """A name that does not resolve (offline, a typo) fails at once; a slow body is retried."""
    reason = f"{provider} could not be reached: {redact(exc.message)}"
    if isinstance(exc.__cause__, socket.gaierror | UnicodeError) or "resolve" in exc.message:
        err = ProviderError(reason)
        err.retryable = False
        return err
    return Retry(reason)


def _check_paused(provider: str) -> None:
    until, err = _paused.get(provider, (0.0, None))
    if err is not None and time.monotonic() < until:
        raise clean(err)


def resume_all() -> None:
    """Forget every paused provider (tests; a long-lived process after a fix)."""
    _paused.clear()


def request_json(
    provider: str,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    payload: dict[str, Any] | None = None,
) -> Any:
    """``method url`` (JSON ``payload`` when given), retried, parsed; never cached."""
    _check_paused(provider)
    content = None if payload is None else json.dumps(payload).encode("utf-8")
    try:
        body = with_retries(
            provider, lambda: _exchange(provider, method, url, headers or {}, content)
        )
    except ProviderError as exc:
        _paused[provider] = (time.monotonic() + get_settings().stock_pause_s, exc)
        raise
    try:
        return json.loads(body)
    except ValueError:
        err = ProviderError(f"{provider} answered something that is not JSON; it is skipped.")
        err.retryable = False
        raise err from None


def _query_file(key: str) -> Path:
    return get_settings().cache_dir / "stock" / "queries" / key[:2] / f"{key}.json"


def _read_kept(path: Path) -> tuple[float, Any] | None:
    """(when it was fetched, the answer) of a kept search result, or None."""
    try:
        kept = json.loads(path.read_text())
        return float(kept["at"]), kept["data"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def get_json(
    provider: str,
    url: str,
    params: dict[str, Any],
    *,
    headers: dict[str, str] | None = None,
    secret_params: Iterable[str] = (),
) -> Any:
    """A cached GET of ``url?params``; the cache key leaves out ``secret_params`` and headers.

    A result older than ``Settings.stock_query_ttl_s`` is asked again; when the provider then
    fails (not when it refuses the key), the older result is used.
    """
    hidden = set(secret_params)
    public = {k: v for k, v in params.items() if k not in hidden}
    path = _query_file(make_key("stock-query", {"url": url, "params": public}))
    kept = _read_kept(path)
    if kept is not None and time.time() - kept[0] < get_settings().stock_query_ttl_s:
        return kept[1]
    try:
        data = request_json(provider, "GET", f"{url}?{urlencode(params)}", headers=headers)
    except ProviderError as exc:
        if kept is None or isinstance(exc, ProviderAuthError):
            raise
        logger.warning("%s; using its older search result", exc.message)
        return kept[1]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(path, {"at": time.time(), "data": data})
    except OSError as exc:  # a cache that cannot be written costs a request, nothing more
        logger.warning("%s: search result not cached: %s", provider, exc)
    return data


__all__ = [
    "MAX_JSON_BYTES",
    "Retry",
    "clean",
    "get_json",
    "redact",
    "request_json",
    "resume_all",
    "retry_after",
    "status_error",
    "unreached",
    "with_retries",
]
