"""A local stand-in for Pexels, Pixabay, Openverse, Wikimedia Commons and an OpenAI-compatible
image endpoint, on loopback, answering each service's documented response shape and serving
real media bytes (Pillow images of distinct colours, an FFmpeg MP4 and WebM).

Routes (all on one server; each provider's base URL setting points at it):
``GET /v1/search``, ``/videos/search`` (Pexels, ``Authorization: <key>``), ``/api/``,
``/api/videos/`` (Pixabay, ``?key=``), ``/v1/images/`` (Openverse), ``/w/api.php`` (Wikimedia),
``POST /v1/images/generations`` (images), ``GET /media/<name>`` (files, with ETag and
Last-Modified, answering 304 to a matching validator).

Switches: ``fail(route, *statuses)`` answers those statuses first (429 with ``Retry-After:
retry_after``), then the normal answer; ``hits`` counts requests per route; ``seen`` keeps
each request (method, path, headers, body).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import struct
import threading
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from tests.fixtures_video import ffmpeg

PEXELS_KEY = "pexels-test-key-5f3a9c1e7b"
PIXABAY_KEY = "pixabay-test-key-8d2e6b4a0c"
IMAGE_KEY = "image-test-key-1b7d3f9e5a"
LAST_MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT"

COLOURS = {
    "red.jpg": (220, 30, 30),
    "green.png": (30, 200, 60),
    "blue.jpg": (30, 60, 220),
    "yellow.png": (240, 220, 30),
    "grey.jpg": (128, 128, 128),
}
ROUTES = {
    "/v1/search": "pexels-photos",
    "/videos/search": "pexels-videos",
    "/api/": "pixabay-images",
    "/api/videos/": "pixabay-videos",
    "/v1/images/": "openverse",
    "/w/api.php": "wikimedia",
    "/v1/images/generations": "generate",
}


def _image_bytes(
    colour: tuple[int, int, int], fmt: str, size: tuple[int, int] = (160, 90)
) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format=fmt)
    return buf.getvalue()


def _bomb_png() -> bytes:
    """A PNG whose header claims 30000 x 30000 pixels (never decoded by a careful reader)."""
    data = bytearray(_image_bytes((0, 0, 0), "PNG", (8, 8)))
    ihdr = struct.pack(">II", 30000, 30000) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


def make_media(folder: Path) -> dict[str, bytes]:
    """Every file the stand-in serves, by name."""
    folder.mkdir(parents=True, exist_ok=True)
    media = {
        name: _image_bytes(rgb, "PNG" if name.endswith(".png") else "JPEG")
        for name, rgb in COLOURS.items()
    }
    mp4, webm = folder / "clip.mp4", folder / "clip.webm"
    src = ["-f", "lavfi", "-i", "testsrc=size=160x90:rate=10:duration=1"]
    ffmpeg(*src, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(mp4))
    ffmpeg(*src, "-c:v", "libvpx", "-deadline", "realtime", "-b:v", "200k", str(webm))
    media["clip.mp4"] = mp4.read_bytes()
    media["clip.webm"] = webm.read_bytes()
    media["page.jpg"] = b"<!doctype html><html><body>not an image</body></html>\n" * 4
    media["bomb.png"] = _bomb_png()
    return media


class StockServer:
    """The stand-in; use as a context manager. ``url`` is its root (every provider's base)."""

    def __init__(self, media: dict[str, bytes]):
        self.media = media
        self.hits: Counter[str] = Counter()
        self.seen: list[dict[str, Any]] = []
        self.scripts: dict[str, list[int]] = {}
        self.retry_after = "0"
        self.image_mode = "b64"
        self.pexels_photos: list[dict[str, Any]] | None = None
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> StockServer:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def fail(self, route: str, *statuses: int) -> None:
        """Answer ``statuses`` (in order) to the next requests on ``route``."""
        self.scripts.setdefault(route, []).extend(statuses)

    def media_url(self, name: str) -> str:
        return f"{self.url}/media/{name}"

    def record(self, route: str, entry: dict[str, Any]) -> int | None:
        """Count a request; the scripted status to answer instead, if any."""
        with self._lock:
            self.hits[route] += 1
            self.seen.append({"route": route, **entry})
            queue = self.scripts.get(route)
            return queue.pop(0) if queue else None

    def answer(self, route: str, query: dict[str, str], headers: Any, body: Any) -> Any:
        """The JSON answer for a search route: (status, payload)."""
        from tests import stock_answers

        return stock_answers.answer(self, route, query, headers, body)

    def etag(self, name: str) -> str:
        return '"' + hashlib.sha256(self.media[name]).hexdigest()[:16] + '"'


def _handler(server: StockServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str]) -> None:
            self.send_response(status)
            for k, v in {"Content-Type": ctype, **extra}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _scripted(self, status: int) -> None:
            extra = {"Retry-After": server.retry_after} if status == 429 else {}
            body = json.dumps({"error": f"scripted {status}"}).encode()
            self._send(status, body, "application/json", extra)

        def _route(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            if parts.path.startswith("/media/"):
                return self._media(parts.path.removeprefix("/media/"))
            route = ROUTES.get(parts.path)
            if route is None:
                return self._send(404, b"{}", "application/json", {})
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            entry = {"method": method, "path": self.path, "headers": dict(self.headers)}
            scripted = server.record(route, {**entry, "body": body})
            if scripted is not None:
                return self._scripted(scripted)
            status, payload = server.answer(route, query, self.headers, body)
            self._send(status, json.dumps(payload).encode(), "application/json", {})

        def _media(self, name: str) -> None:
            entry = {
                "method": "GET",
                "path": self.path,
                "name": name,
                "headers": dict(self.headers),
            }
            scripted = server.record("media", entry)
            if scripted is not None:
                return self._scripted(scripted)
            if name not in server.media:
                return self._send(404, b"not found", "text/plain", {})
            etag = server.etag(name)
            validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", "image/jpeg", validators)
            ctype = "video/mp4" if name.endswith((".mp4", ".webm")) else "image/jpeg"
            self._send(200, server.media[name], ctype, validators)

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

    return Handler


def png_b64(colour: tuple[int, int, int], size: tuple[int, int]) -> str:
    return base64.b64encode(_image_bytes(colour, "PNG", size)).decode()


def point_settings_at(srv: StockServer, mp: Any, home: Path, **extra: str) -> None:
    """Every provider's base URL at ``srv``, test keys set, loopback allowlisted, no backoff."""
    from reelgraph.settings import get_settings
    from reelgraph.workers.engine.visuals.http import resume_all

    env = {
        "REELGRAPH_HOME": str(home),
        "PEXELS_API_KEY": PEXELS_KEY,
        "PIXABAY_API_KEY": PIXABAY_KEY,
        "REELGRAPH_IMAGE_API_KEY": IMAGE_KEY,
        "REELGRAPH_IMAGE_BASE_URL": f"{srv.url}/v1",
        "REELGRAPH_PEXELS_URL": srv.url,
        "REELGRAPH_PIXABAY_URL": srv.url,
        "REELGRAPH_OPENVERSE_URL": srv.url,
        "REELGRAPH_WIKIMEDIA_URL": srv.url,
        "REELGRAPH_STOCK_KEYLESS": "true",
        "REELGRAPH_FETCH_ALLOWLIST": '["127.0.0.1"]',
        "REELGRAPH_STOCK_BACKOFF_S": "0",
        **extra,
    }
    for key, value in env.items():
        mp.setenv(key, value)
    get_settings.cache_clear()
    resume_all()


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The stand-in's real image and video bytes, made once per test module."""
    return make_media(tmp_path_factory.mktemp("stock-media"))


@pytest.fixture
def srv(media: dict[str, bytes], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """A running stand-in with the settings pointed at it (a private home), stopped after."""
    from reelgraph.settings import get_settings
    from reelgraph.workers.engine.visuals.http import resume_all

    with StockServer(media) as server:
        point_settings_at(server, monkeypatch, tmp_path / "home")
        yield server
    get_settings.cache_clear()
    resume_all()
