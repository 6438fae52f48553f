"""Downloaded and generated media: fetched through the guarded fetcher, checked, kept by URL.

A file is accepted only after its first bytes sniff as the kind it was listed as, an image's
header passes the byte and pixel limits of user images (``images.precheck_image``), and the
decoder agrees (``probe.probe``: PyAV and the system FFmpeg read it with the same demuxer and
its first frame decodes). Accepted files live at ``cache/stock/files/<sha256><ext>``; an index
entry per URL (``cache/stock/index/``) remembers the file and its ``ETag`` / ``Last-Modified``.
Within ``Settings.stock_file_ttl_s`` a URL is served from the cache without a request; after
that it is revalidated with ``If-None-Match`` / ``If-Modified-Since`` (a 304 keeps the file,
and so does a provider that fails to answer).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from reelgraph import netguard
from reelgraph.errors import (
    CorruptMedia,
    FetchFailed,
    MediaTooLarge,
    ProviderError,
    ReelgraphError,
    UnsupportedMedia,
)
from reelgraph.files import write_json_atomic
from reelgraph.settings import get_settings
from reelgraph.sniff import sniff
from reelgraph.workers.engine.cache import hash_file, make_key
from reelgraph.workers.engine.visuals.http import (
    Retry,
    clean,
    redact,
    status_error,
    unreached,
    with_retries,
)

logger = logging.getLogger(__name__)


def _root() -> Path:
    return get_settings().cache_dir / "stock"


def files_dir() -> Path:
    """Where accepted media files live (named by the sha256 of their bytes)."""
    return _root() / "files"


def _index_path(key: str) -> Path:
    return _root() / "index" / key[:2] / f"{key}.json"


def recall(key: str) -> tuple[Path, dict[str, Any]] | None:
    """The file and index entry remembered under ``key``, if the file is still there."""
    try:
        meta = _load(_index_path(key))
        path = files_dir() / str(meta["file"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (path, meta) if path.is_file() else None


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    if not isinstance(data, dict):
        raise ValueError("index entry is not an object")
    return data


def remember(key: str, path: Path, **meta: Any) -> None:
    """Index ``path`` (a file in ``files_dir``) under ``key``; best effort."""
    target = _index_path(key)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(target, {"file": path.name, "at": time.time(), **meta})
    except OSError as exc:
        logger.warning("media index not written: %s", exc)


def accept(tmp: Path, kind: str, label: str) -> Path:
    """Check a downloaded file (see the module docstring) and move it into ``files_dir``."""
    from reelgraph.workers.engine.images import precheck_image
    from reelgraph.workers.engine.probe import probe

    with tmp.open("rb") as fh:
        found = sniff(fh.read(64))
    if found is None or found.kind not in ("image", "video"):
        raise UnsupportedMedia(f"{label} is not an image or a video file; it is skipped.")
    if found.kind != kind:
        raise UnsupportedMedia(f"{label} is a {found.kind}, not the {kind} it was listed as.")
    if kind == "image":
        precheck_image(str(tmp), label)
    try:
        info = probe(tmp)
    except (CorruptMedia, UnsupportedMedia) as exc:
        raise type(exc)(
            f"{label} does not decode as a plain {kind} file; it is skipped.", detail=exc.message
        ) from exc
    if not info.has_video:
        raise CorruptMedia(f"{label} has no picture that decodes; it is skipped.")
    if info.duration > get_settings().max_duration_s:
        raise MediaTooLarge(f"{label} lasts {info.duration:.0f} s, over the duration limit.")
    final = files_dir() / f"{hash_file(tmp)}{found.ext}"
    if final.exists():
        tmp.unlink()
    else:
        os.replace(tmp, final)
    return final


def keep_bytes(data: bytes, kind: str, label: str) -> Path:
    """Check ``data`` like a download (``accept``) and keep it; returns the file."""
    fd, name = _temp()
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    try:
        return accept(Path(name), kind, label)
    finally:
        Path(name).unlink(missing_ok=True)


def _temp() -> tuple[int, str]:
    folder = files_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(prefix=".download-", suffix=".partial", dir=folder)


_VALIDATORS = {"If-None-Match", "If-Modified-Since"}


def _cap(kind: str) -> int:
    s = get_settings()
    return s.max_image_bytes if kind == "image" else s.max_media_bytes


def _get(url: str, kind: str, provider: str, headers: dict[str, str]) -> tuple[Path, Any] | None:
    """One guarded GET of ``url`` into a temp file: (file, response headers), None on a 304."""
    s = get_settings()
    fd, name = _temp()
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh, netguard.guarded_client(s.fetch_timeout_s) as client:
            hdrs = {"User-Agent": s.stock_user_agent, **headers}
            resp, _ = netguard.open_response(client, url, "GET", hdrs)
            try:
                if resp.status_code == 304 and _VALIDATORS & hdrs.keys():
                    tmp.unlink()
                    return None
                if not 200 <= resp.status_code < 300:
                    raise status_error(provider, resp.status_code, resp.headers)
                deadline = time.monotonic() + s.fetch_timeout_s * 4
                netguard.stream_body(resp, fh, url, max_bytes=_cap(kind), deadline=deadline)
                return tmp, resp.headers
            finally:
                resp.close()
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, httpx.HTTPError):
            raise Retry(f"{provider} could not be reached ({type(exc).__name__})") from None
        if isinstance(exc, FetchFailed):
            raise unreached(provider, exc) from None
        if isinstance(exc, ReelgraphError):
            raise clean(exc) from None
        raise


def fetch_file(
    url: str, *, kind: str, provider: str, headers: dict[str, str] | None = None
) -> Path:
    """``url``'s media as a checked local file, from the cache when it is fresh or unchanged."""
    key = make_key("stock-file", {"url": url})
    known = recall(key)
    cond: dict[str, str] = {}
    if known is not None:
        path, meta = known
        if time.time() - float(meta.get("at", 0)) < get_settings().stock_file_ttl_s:
            return path
        if meta.get("etag"):
            cond["If-None-Match"] = str(meta["etag"])
        if meta.get("last_modified"):
            cond["If-Modified-Since"] = str(meta["last_modified"])
    label = f"{provider} file {redact(url)[:120]!r}"
    try:
        got = with_retries(provider, lambda: _get(url, kind, provider, {**(headers or {}), **cond}))
    except ProviderError as exc:
        if known is None:
            raise
        logger.warning("%s; using the copy fetched before", exc.message)
        return known[0]
    if got is None and known is not None:
        remember(key, known[0], **{k: v for k, v in known[1].items() if k not in ("file", "at")})
        return known[0]
    if got is None:
        raise AssertionError("a 304 without a cached file")
    tmp, resp_headers = got
    try:
        path = accept(tmp, kind, label)
    finally:
        tmp.unlink(missing_ok=True)
    validators = {
        "etag": resp_headers.get("etag", ""),
        "last_modified": resp_headers.get("last-modified", ""),
    }
    remember(key, path, kind=kind, **validators)
    return path


__all__ = ["accept", "fetch_file", "files_dir", "keep_bytes", "recall", "remember"]
