"""The guarded fetcher: the only way reelgraph touches a user-given URL (media, callbacks).

Rules, checked on the first request and again on every redirect hop:
- http and https only, a host is required;
- every address the host resolves to must be public: loopback, private (RFC 1918, CGNAT,
  ULA), link-local, multicast, unspecified, reserved and cloud-metadata addresses are refused
  unless ``Settings.fetch_allowlist`` names the host or a CIDR holding the address, or
  ``Settings.fetch_allow_private`` is set (metadata addresses still need the allowlist);
- the connection goes to the address that was checked (the URL is rewritten to the IP, the
  Host header and TLS SNI/certificate check keep the name), so DNS rebinding has no window;
- bodies stream to a temp file with a byte cap and a deadline, then ``os.replace``.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from reelgraph.errors import FetchFailed, FetchRefused, MediaTooLarge
from reelgraph.settings import get_settings

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
_SAFE = ("GET", "HEAD")
_BODY_HEADERS = ("content-type", "content-length", "content-encoding")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_METADATA_IPS = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}
_METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``ip``) and what to say (``url``, ``host``)."""

    url: str
    host: str
    ip: IPAddress
    port: int


def _embedded_v4(ip: IPAddress) -> IPAddress:
    """The IPv4 address hidden in a mapped / 6to4 / Teredo / NAT64 IPv6 address, else ``ip``."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return ip.ipv4_mapped
        if ip.sixtofour:
            return ip.sixtofour
        if ip.teredo:
            return ip.teredo[1]
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def classify(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public address ('loopback', 'private', ...), or None when it is."""
    ip = _embedded_v4(ip)
    if ip in _METADATA_IPS:
        return "cloud-metadata"
    checks = [
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("carrier-grade NAT", isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved or not ip.is_global),
    ]
    return next((name for name, hit in checks if hit), None)


def _allowlisted(host: str, ip: IPAddress) -> bool:
    for entry in get_settings().fetch_allowlist:
        entry = entry.strip().lower()
        if not entry:
            continue
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
            continue
        except ValueError:
            pass
        if host == entry or (entry.startswith(".") and host.endswith(entry)):
            return True
    return False


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(f"The host {host!r} could not be resolved; check the URL.") from exc
    ips: list[IPAddress] = []
    for info in infos:
        addr = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if addr not in ips:
            ips.append(addr)
    if not ips:
        raise FetchFailed(f"The host {host!r} has no addresses; check the URL.")
    return ips


def check_target(url: str) -> Target:
    """Validate ``url`` and resolve it to the one address we will connect to."""
    shown = url if len(url) <= 200 else url[:200] + "..."
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchRefused(f"The URL {shown!r} is malformed; give a full http(s) URL.") from exc
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"The URL {shown!r} is not http or https; only those are fetched.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise FetchRefused(f"The URL {shown!r} has no host; give a full http(s) URL.")
    settings = get_settings()
    ips = _resolve(host, port)
    for ip in ips:
        reason = "cloud-metadata" if host in _METADATA_HOSTS else classify(ip)
        if reason is None or _allowlisted(host, ip):
            continue
        if settings.fetch_allow_private and reason != "cloud-metadata":
            continue
        raise FetchRefused(
            f"The URL {shown!r} points to {ip}, a {reason} address, which reelgraph does not "
            "fetch; add the host or its network to REELGRAPH_FETCH_ALLOWLIST to permit it."
        )
    return Target(url=url, host=host, ip=ips[0], port=port)


def check_url(url: str) -> None:
    """Raise FetchRefused (or FetchFailed for DNS errors) unless ``url`` may be fetched."""
    check_target(url)


def _pinned_request(client: httpx.Client, method: str, t: Target, **kw: Any) -> httpx.Request:
    """A request to ``t.ip`` that keeps the Host header and TLS name of ``t.host``."""
    parts = urlsplit(t.url)
    ip_host = f"[{t.ip}]" if t.ip.version == 6 else str(t.ip)
    netloc = f"{ip_host}:{t.port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    default_port = 443 if parts.scheme == "https" else 80
    host_header = t.host if t.port == default_port else f"{t.host}:{t.port}"
    headers = {"Host": host_header, "User-Agent": "reelgraph-fetch/1", **kw.pop("headers", {})}
    return client.build_request(
        method, pinned, headers=headers, extensions={"sni_hostname": t.host}, **kw
    )


def guarded_client(timeout: float) -> httpx.Client:
    """An httpx client for ``open_response``: no redirects followed by httpx, no proxy from the
    environment, and no connection kept open (a pooled connection would outlive its check)."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    )


def open_response(
    client: httpx.Client,
    url: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
) -> tuple[httpx.Response, str]:
    """Send ``method url`` (streamed), following up to MAX_REDIRECTS redirects by hand and
    checking every hop; returns the response and the URL it came from.

    A 303, or a 301/302 after a method other than GET/HEAD, continues as a GET without a body,
    as browsers do; 307/308 repeat the request.
    """
    headers = {k: v for k, v in (headers or {}).items() if k.lower() != "host"}
    for _ in range(MAX_REDIRECTS + 1):
        target = check_target(url)
        req = _pinned_request(client, method, target, headers=headers, content=content)
        resp = client.send(req, stream=True)
        if resp.status_code in (301, 302, 303, 307, 308) and "location" in resp.headers:
            resp.close()
            url = urljoin(url, resp.headers["location"])
            if resp.status_code == 303 or (resp.status_code < 303 and method not in _SAFE):
                method = "HEAD" if method == "HEAD" else "GET"
                content = None
                headers = {k: v for k, v in headers.items() if k.lower() not in _BODY_HEADERS}
            logger.info("fetch redirected to %s", url)
            continue
        return resp, url
    raise FetchRefused(f"The URL {url[:200]!r} redirects more than {MAX_REDIRECTS} times.")


def _raise_for_status(resp: httpx.Response, url: str) -> None:
    if resp.status_code < 400:
        return
    err = FetchFailed(f"Fetching {url[:200]!r} failed with HTTP {resp.status_code}.")
    err.retryable = resp.status_code == 429 or resp.status_code >= 500
    raise err


#: How many leading bytes ``fetch_if`` shows its ``accept`` callback.
HEAD_BYTES = 64


def _stream_body(
    resp: httpx.Response,
    fh: Any,
    url: str,
    max_bytes: int,
    deadline: float,
    accept: Callable[[bytes], bool] | None = None,
) -> bool:
    """Write the body to ``fh`` under the caps; False (nothing written) when ``accept`` refuses
    its first HEAD_BYTES bytes."""
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise MediaTooLarge(f"{url[:200]!r} is {int(declared)} bytes; the limit is {max_bytes}.")
    total = 0
    head = b"" if accept is not None else None
    for chunk in resp.iter_bytes(1 << 16):
        total += len(chunk)
        if total > max_bytes:
            raise MediaTooLarge(f"{url[:200]!r} is larger than the {max_bytes}-byte limit.")
        if time.monotonic() > deadline:
            raise FetchFailed(f"Fetching {url[:200]!r} took too long; try a faster source.")
        if head is not None:  # hold the first bytes back until ``accept`` has seen them
            head += chunk
            if len(head) < HEAD_BYTES:
                continue
            if accept is not None and not accept(head):
                return False
            chunk, head = head, None
        fh.write(chunk)
    if head is not None:  # the whole body was shorter than HEAD_BYTES
        if accept is not None and not accept(head):
            return False
        fh.write(head)
    return True


def stream_body(
    resp: httpx.Response, fh: Any, url: str, *, max_bytes: int, deadline: float
) -> None:
    """Write an ``open_response`` body to ``fh`` under the byte cap and the deadline
    (``time.monotonic()`` seconds); MediaTooLarge / FetchFailed past them."""
    _stream_body(resp, fh, url, max_bytes, deadline)


def _download(url: str, dest: Path, max_bytes: int, accept: Callable[[bytes], bool] | None) -> bool:
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    timeout = get_settings().fetch_timeout_s
    deadline = time.monotonic() + timeout * 4
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh, guarded_client(timeout) as client:
            resp = open_response(client, url)[0]
            try:
                if accept is not None and resp.status_code >= 400:
                    return False
                _raise_for_status(resp, url)
                if not _stream_body(resp, fh, url, max_bytes, deadline, accept):
                    return False
            finally:
                resp.close()
        os.replace(tmp, dest)
    except httpx.HTTPError as exc:
        raise FetchFailed(f"Fetching {url[:200]!r} failed: {type(exc).__name__}.") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return True


def fetch_to_file(url: str, dest: Path, *, max_bytes: int) -> Path:
    """Download ``url`` to ``dest`` (atomically) under every guard above; return ``dest``."""
    _download(url, dest, max_bytes, None)
    return Path(dest)


def fetch_if(url: str, dest: Path, *, max_bytes: int, accept: Callable[[bytes], bool]) -> bool:
    """``fetch_to_file``, keeping the body only when ``accept`` takes its first bytes.

    False, with nothing written, when ``accept`` refuses them or the server answers an error
    status (the caller decides what else to try); refused addresses, caps and network errors
    raise as in ``fetch_to_file``.
    """
    return _download(url, dest, max_bytes, accept)


def post_json(
    url: str,
    payload: dict[str, Any],
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
    *,
    body: bytes | None = None,
) -> int:
    """Guarded POST of JSON (callbacks); returns the HTTP status; redirects are not followed.

    The bytes sent are ``body`` when given (so a signature computed over it stays valid), else
    ``payload`` as compact UTF-8 JSON in insertion order (``separators=(",", ":")``).
    """
    target = check_target(url)
    if body is None:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        body = text.encode("utf-8")
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    with guarded_client(timeout or get_settings().fetch_timeout_s) as client:
        req = _pinned_request(client, "POST", target, content=body, headers=hdrs)
        try:
            resp = client.send(req)
        except httpx.HTTPError as exc:
            raise FetchFailed(f"POST to {url[:200]!r} failed: {type(exc).__name__}.") from exc
        return resp.status_code
