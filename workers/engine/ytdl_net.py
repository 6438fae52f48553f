"""yt-dlp's network, through reelgraph's guarded fetcher: every request it makes (the page, its
API calls, manifests, media and fragments) goes through ``GuardedRH``.

``GuardedRH`` is a yt-dlp request handler (``yt_dlp.networking``) built on ``reelgraph.netguard``:
each URL and every redirect hop is checked (no loopback, private, link-local or metadata
address unless REELGRAPH_FETCH_ALLOWLIST names it), the connection goes to the checked address
(DNS pinning), bodies count against one byte budget for the whole download and a deadline, and
each request has a timeout. ``guarded_director`` makes it the only handler a YoutubeDL has, so
no other transport (urllib, requests, curl_cffi, websockets) can be chosen; ``GuardedYDL`` is
a YoutubeDL built that way, with yt-dlp's plugins switched off.
"""

from __future__ import annotations

import email.message
import functools
import io
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from yt_dlp import YoutubeDL
from yt_dlp.globals import plugin_dirs
from yt_dlp.networking.common import Request, RequestDirector, RequestHandler, Response
from yt_dlp.networking.exceptions import HTTPError, RequestError, TransportError

from reelgraph import netguard
from reelgraph.errors import FetchFailed, MediaTooLarge, ReelgraphError


def size_text(n: float) -> str:
    """A byte count for a message: "2147 MB", or bytes below a megabyte."""
    return f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n:.0f}-byte"


@dataclass
class Budget:
    """What one page download may spend, and the first refusal that stopped it."""

    max_bytes: int
    deadline: float
    """``time.monotonic()`` past which no request starts and no body is read."""
    used: int = 0
    refusal: ReelgraphError | None = field(default=None)
    """The guard's own error (refused address, over a limit): the one to report."""

    def refuse(self, err: ReelgraphError) -> RequestError:
        """Record ``err`` (the first one wins) and the yt-dlp error that carries it."""
        if self.refusal is None:
            self.refusal = err
        return RequestError(err.message, cause=err)

    def check(self) -> None:
        if self.refusal is not None:
            raise RequestError(self.refusal.message, cause=self.refusal)
        if time.monotonic() > self.deadline:
            msg = "Downloading the video took too long; try a shorter video or a faster source."
            raise self.refuse(FetchFailed(msg))

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.max_bytes:
            raise self.refuse(
                MediaTooLarge(
                    f"The video is larger than the {size_text(self.max_bytes)} limit; "
                    "pick a shorter or smaller one."
                )
            )


#: The most one page, API answer or manifest may hold: yt-dlp reads those into memory.
MAX_TEXT_BYTES = 32 * 1024 * 1024
_MEDIA_TYPES = ("video/", "audio/", "application/octet-stream", "binary/", "application/mp4")


def _is_media_type(resp: httpx.Response) -> bool:
    return resp.headers.get("content-type", "").lower().startswith(_MEDIA_TYPES)


class _Body(io.RawIOBase):
    """A streamed httpx body as the file object yt-dlp reads, counted against the budget; a
    body that is not media (a page, a manifest) stops at MAX_TEXT_BYTES."""

    def __init__(self, resp: httpx.Response, budget: Budget):
        self._resp = resp
        self._chunks: Iterator[bytes] = resp.iter_bytes(1 << 16)
        self._buf = bytearray()
        self._budget = budget
        self._cap = None if _is_media_type(resp) else MAX_TEXT_BYTES
        self._read = 0

    def readable(self) -> bool:
        return True

    def _more(self) -> bool:
        self._budget.check()
        try:
            chunk = next(self._chunks, b"")
        except httpx.HTTPError as exc:
            raise TransportError(cause=exc) from exc
        self._budget.spend(len(chunk))
        self._read += len(chunk)
        if self._cap is not None and self._read > self._cap:
            cap = size_text(self._cap)
            msg = f"A page or playlist of that site is over {cap}, too big for a video page."
            raise self._budget.refuse(MediaTooLarge(msg))
        self._buf += chunk
        return bool(chunk)

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            while self._more():
                pass
            size = len(self._buf)
        while len(self._buf) < size and self._more():
            pass
        out = bytes(self._buf[:size])
        del self._buf[:size]
        return out

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._resp.close()
        super().close()


class _SetCookies:
    """The Set-Cookie headers of a response, shaped as ``CookieJar.extract_cookies`` reads them."""

    def __init__(self, headers: httpx.Headers):
        self._msg = email.message.Message()
        for name, value in headers.multi_items():
            if name.lower() in ("set-cookie", "set-cookie2"):
                self._msg[name] = value

    def info(self) -> email.message.Message:
        return self._msg


class GuardedRH(RequestHandler):
    """http(s) only, through ``reelgraph.netguard``; no proxies, no file:// or data: URLs.

    Cookies live only in the run's in-memory jar (set by the site during this download); no
    cookie file or browser profile is ever read.
    """

    _SUPPORTED_URL_SCHEMES = ("http", "https")
    _SUPPORTED_PROXY_SCHEMES = None  # proxies are never used (the guard connects directly)
    _SUPPORTED_FEATURES = None
    RH_NAME = "reelgraph-guarded"

    def __init__(self, *, budget: Budget, **kwargs: Any):
        super().__init__(**kwargs)
        self.budget = budget
        self._client = netguard.guarded_client(self.timeout)

    def _check_extensions(self, extensions: dict[str, Any]) -> None:
        super()._check_extensions(extensions)
        for name in ("cookiejar", "timeout", "legacy_ssl", "keep_header_casing"):
            extensions.pop(name, None)

    def close(self) -> None:
        self._client.close()

    def _send(self, request: Request) -> Response:
        self.budget.check()
        headers = self._get_headers(request)
        jar = self._get_cookiejar(request)
        cookie = jar.get_cookie_header(request.url)
        if cookie:
            headers["Cookie"] = cookie
        try:
            resp, final_url = netguard.open_response(
                self._client, request.url, request.method, headers, _body(request.data)
            )
        except ReelgraphError as exc:
            if isinstance(exc, FetchFailed):  # DNS or network: yt-dlp may retry
                raise TransportError(exc.message, cause=exc) from exc
            raise self.budget.refuse(exc) from exc
        except httpx.HTTPError as exc:
            raise TransportError(cause=exc) from exc
        declared = resp.headers.get("content-length", "")
        over = declared.isdigit() and self.budget.used + int(declared) > self.budget.max_bytes
        if over and request.method != "HEAD":
            resp.close()
            self.budget.spend(int(declared))  # refuses: over the limit before any byte is read
        jar.extract_cookies(_SetCookies(resp.headers), urllib.request.Request(final_url))
        res = Response(_Body(resp, self.budget), final_url, {}, resp.status_code)
        for name, value in resp.headers.multi_items():
            res.headers.add_header(name, value)
        if not 200 <= resp.status_code < 300:
            raise HTTPError(res)
        return res


def _body(data: Any) -> bytes | None:
    """A request body as bytes (yt-dlp may give bytes, a file object or an iterable)."""
    if data is None or isinstance(data, bytes):
        return data
    if hasattr(data, "read"):
        return bytes(data.read())
    return b"".join(data)


def guarded_director(ydl: Any, budget: Budget) -> RequestDirector:
    """A request director whose only handler is ``GuardedRH`` (built with ``ydl``'s settings)."""

    def make(**kwargs: Any) -> GuardedRH:
        return GuardedRH(budget=budget, **kwargs)

    return ydl.build_request_director([make])  # type: ignore[no-any-return]


def _no_plugins() -> None:
    """yt-dlp loads no plugin package or plugin folder in this process."""
    plugin_dirs.value = []


class GuardedYDL(YoutubeDL):  # type: ignore[misc]
    """A YoutubeDL whose only network is ``GuardedRH``, spending one download's ``budget``."""

    def __init__(self, params: dict[str, Any], budget: Budget):
        _no_plugins()
        self._guard_budget = budget
        super().__init__(params)

    @functools.cached_property
    def _request_director(self) -> RequestDirector:
        return guarded_director(self, self._guard_budget)
