"""yt-dlp's network goes only through the guarded handler; its failures become our errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reelgraph import netguard
from reelgraph.errors import (
    FetchFailed,
    FetchRefused,
    MediaTooLarge,
    MissingAsset,
    UnsupportedMedia,
)
from reelgraph.settings import get_settings

MP4_HEAD = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 100


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.log.append(("GET", self.path, self.headers.get("Cookie")))  # type: ignore[attr-defined]
        if self.path == "/chunked":  # no Content-Length: the budget applies while reading
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for _ in range(32):
                    self.wfile.write(b"1000\r\n" + b"x" * 4096 + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if self.path == "/page":
            self._send(200, b"<html>" + b"a" * 5000, "text/html", {"Set-Cookie": "sid=42; Path=/"})
            return
        if self.path == "/media":
            self._send(200, MP4_HEAD, "video/mp4")
            return
        self._send(404, b"missing", "text/plain")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        self.server.log.append(("POST", self.path, None))  # type: ignore[attr-defined]
        self.send_response(303)
        self.send_header("Location", "/media")
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.log = []  # type: ignore[attr-defined]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REELGRAPH_FETCH_ALLOWLIST", '["127.0.0.1"]')
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _url(srv: ThreadingHTTPServer, path: str) -> str:
    return f"http://127.0.0.1:{srv.server_port}{path}"


def _ydl(tmp_path: Path, max_bytes: int = 1 << 30):
    from reelgraph.workers.engine.pagemedia import _params
    from reelgraph.workers.engine.ytdl_net import Budget, GuardedYDL

    budget = Budget(max_bytes=max_bytes, deadline=time.monotonic() + 60)
    return GuardedYDL(_params(tmp_path, 10), budget), budget


def test_the_guarded_handler_is_the_only_one(env, tmp_path) -> None:
    from yt_dlp.networking.exceptions import RequestError

    ydl, _ = _ydl(tmp_path)
    with ydl:
        assert list(ydl._request_director.handlers) == ["Guarded"]
        for url in ("file:///etc/passwd", "ftp://127.0.0.1/x", "ws://127.0.0.1/x"):
            with pytest.raises(RequestError):
                ydl.urlopen(url)


def test_loopback_is_refused_without_the_allowlist(env, server, tmp_path) -> None:
    from yt_dlp.networking.exceptions import RequestError

    env.delenv("REELGRAPH_FETCH_ALLOWLIST")
    get_settings.cache_clear()
    ydl, budget = _ydl(tmp_path)
    with ydl, pytest.raises(RequestError):
        ydl.urlopen(_url(server, "/page"))
    assert isinstance(budget.refusal, FetchRefused) and "127.0.0.1" in budget.refusal.message
    assert server.log == []  # type: ignore[attr-defined]


def test_cookies_stay_in_the_run_and_post_redirects_become_get(env, server, tmp_path) -> None:
    from yt_dlp.networking.common import Request

    ydl, budget = _ydl(tmp_path)
    with ydl:
        assert ydl.urlopen(_url(server, "/page")).read().startswith(b"<html>")
        res = ydl.urlopen(Request(_url(server, "/form"), data=b"q=1"))
        assert res.status == 200 and res.read() == MP4_HEAD and res.url.endswith("/media")
    log = server.log  # type: ignore[attr-defined]
    assert log[1] == ("POST", "/form", None) and log[2] == ("GET", "/media", "sid=42")
    assert budget.used == 5006 + len(MP4_HEAD)


def test_the_byte_budget_stops_a_stream_without_length(env, server, tmp_path) -> None:
    from yt_dlp.networking.exceptions import RequestError

    ydl, budget = _ydl(tmp_path, max_bytes=50_000)
    with ydl, pytest.raises(RequestError):
        ydl.urlopen(_url(server, "/chunked")).read()
    assert isinstance(budget.refusal, MediaTooLarge)
    assert "50000-byte limit" in budget.refusal.message
    with ydl, pytest.raises(RequestError):  # nothing more is sent once refused
        ydl.urlopen(_url(server, "/media"))


def test_a_page_is_capped_even_under_the_budget(env, server, tmp_path, monkeypatch) -> None:
    from yt_dlp.networking.exceptions import RequestError

    from reelgraph.workers.engine import ytdl_net

    monkeypatch.setattr(ytdl_net, "MAX_TEXT_BYTES", 1000)
    ydl, budget = _ydl(tmp_path)
    with ydl, pytest.raises(RequestError):
        ydl.urlopen(_url(server, "/page")).read()
    assert isinstance(budget.refusal, MediaTooLarge) and "1000-byte" in budget.refusal.message


def test_fetch_if_keeps_media_and_drops_the_rest(env, server, tmp_path) -> None:
    from reelgraph.workers.engine.pagemedia import is_media

    dest = tmp_path / "d" / "file"
    assert not netguard.fetch_if(_url(server, "/page"), dest, max_bytes=10**6, accept=is_media)
    assert not netguard.fetch_if(_url(server, "/nope"), dest, max_bytes=10**6, accept=is_media)
    assert list(dest.parent.iterdir()) == []
    assert netguard.fetch_if(_url(server, "/media"), dest, max_bytes=10**6, accept=is_media)
    assert dest.read_bytes() == MP4_HEAD


def _download_error(msg: str, cause: BaseException | None = None):
    import sys

    from yt_dlp.utils import DownloadError

    if cause is None:
        return DownloadError(msg)
    try:
        raise cause
    except BaseException:
        return DownloadError(msg, sys.exc_info())


@pytest.mark.parametrize(
    ("message", "kind", "code"),
    [
        ("ERROR: [generic] Unsupported URL: https://x.test/a", UnsupportedMedia, "no_video_found"),
        (
            "ERROR: [youtube] abc: Private video. Sign in if you've been granted access to this "
            "video",
            MissingAsset,
            "video_unavailable",
        ),
        (
            "ERROR: [youtube] abc: Video unavailable. This video has been removed by the uploader",
            MissingAsset,
            "video_unavailable",
        ),
        (
            "ERROR: [instagram] x: Requested content is not available, rate-limit reached or login "
            "required",
            MissingAsset,
            "video_unavailable",
        ),
        (
            "ERROR: [youtube] abc: Sign in to confirm your age. This video may be inappropriate",
            FetchRefused,
            "login_required",
        ),
        (
            "ERROR: [tiktok] 1: This post may not be comfortable for some audiences. Log in for "
            "access",
            FetchRefused,
            "login_required",
        ),
        (
            "ERROR: [twitch:stream] x: This live event will begin in 3 hours",
            UnsupportedMedia,
            "live_stream",
        ),
        ("ERROR: [foo] 1: This video is DRM protected", UnsupportedMedia, "unsupported_stream"),
        (
            "ERROR: [generic] page: No video formats found!; please report this issue on ...",
            UnsupportedMedia,
            "no_video_found",
        ),
        ("ERROR: [foo] 1: Unable to extract player config", FetchFailed, "fetch_failed"),
    ],
)
def test_download_errors_are_translated(message, kind, code) -> None:
    from reelgraph.workers.engine.ytdl_errors import translate

    err = translate(_download_error(message), "https://x.test/a", None)
    assert isinstance(err, kind) and err.code == code
    assert err.message.endswith(".") and "\n" not in err.message and "ERROR" not in err.message


def test_causes_win_over_words_and_our_refusal_wins_over_all() -> None:
    from yt_dlp.utils import GeoRestrictedError, UnsupportedError

    from reelgraph.workers.engine.ytdl_errors import translate

    url = "https://x.test/a"
    err = translate(_download_error("ERROR: whatever", UnsupportedError(url)), url, None)
    assert err.code == "no_video_found"
    err = translate(_download_error("ERROR: sign in", GeoRestrictedError("no")), url, None)
    assert err.code == "video_unavailable"
    mine = FetchRefused("The URL points to 10.0.0.1, a private address.")
    assert translate(_download_error("ERROR: Unsupported URL"), url, mine) is mine
    failed = translate(_download_error("ERROR: [foo] Unable to download: timed out"), url, None)
    assert failed.message == (
        "Downloading the video on https://x.test/a failed: Unable to download: timed out."
    )


def test_page_metadata_is_clean_text() -> None:
    from reelgraph.workers.engine.pagemedia import page_metadata

    info = {"title": "Hi\x1b[31m\nthere" + "x" * 400, "channel": "Chan", "duration": 12}
    page = page_metadata("https://x.test/v", info)
    assert page["title"].startswith("Hi [31m there") and len(page["title"]) == 300
    assert page["uploader"] == "Chan" and page["duration"] == 12.0 and page["site"] is None
