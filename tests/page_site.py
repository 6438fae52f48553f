"""A loopback web site for the page-URL tests: HTML pages that embed real media, the media
files, HLS playlists and redirects, with a log of every path requested.

Pages are served on 127.0.0.1, which the tests allow through REELGRAPH_FETCH_ALLOWLIST only.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from tests.fixtures_video import ffmpeg


class _Handler(BaseHTTPRequestHandler):
    site: ClassVar[PageSite]

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, with_body: bool) -> None:
        path = self.path.split("?")[0]
        self.site.seen.append(path)
        status, headers, body = self.site.routes.get(path, (404, {}, b"not found"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # the client may stop reading (a size limit): what some tests want
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if with_body:
                self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(True)

    def do_HEAD(self) -> None:
        self._answer(False)


class PageSite:
    """Routes (path -> status, headers, body) and the paths requested, in order."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.seen: list[str] = []
        self.base = ""

    def add(self, path: str, body: bytes, ctype: str = "text/html; charset=utf-8") -> str:
        self.routes[path] = (200, {"Content-Type": ctype}, body)
        return self.base + path

    def page(self, path: str, title: str, body_html: str, head_html: str = "") -> str:
        html = (
            f"<!doctype html><html><head><title>{title}</title>{head_html}</head>"
            f"<body><h1>{title}</h1>{body_html}</body></html>"
        )
        return self.add(path, html.encode())

    def video_page(self, path: str, title: str, src: str, mime: str = "video/mp4") -> str:
        tag = f'<video controls width="320"><source src="{src}" type="{mime}"></video>'
        return self.page(path, title, tag)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        self.routes[path] = (status, {"Location": location}, b"")
        return self.base + path

    def json_ld_page(self, path: str, name: str, content_url: str, duration: str) -> str:
        """A page whose only video is a schema.org VideoObject (its duration known up front)."""
        ld = {
            "@context": "https://schema.org",
            "@type": "VideoObject",
            "name": name,
            "contentUrl": self.base + content_url,
            "encodingFormat": "video/mp4",
            "duration": duration,
            "uploadDate": "2024-01-01",
            "thumbnailUrl": self.base + "/thumb.jpg",
        }
        head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        return self.page(path, name, "<p>watch it</p>", head)

    def hls(self, prefix: str, src: Path, work: Path) -> str:
        """``src`` cut into an HLS playlist of MPEG-TS segments, served under ``prefix``."""
        work.mkdir(parents=True, exist_ok=True)
        playlist = work / "index.m3u8"
        ffmpeg(
            "-i",
            str(src),
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "30",
            "-c:a",
            "aac",
            "-f",
            "hls",
            "-hls_time",
            "1",
            "-hls_playlist_type",
            "vod",
            "-hls_segment_filename",
            str(work / "seg%03d.ts"),
            str(playlist),
        )
        for seg in sorted(work.glob("seg*.ts")):
            self.add(f"{prefix}/{seg.name}", seg.read_bytes(), "video/mp2t")
        return self.add(
            f"{prefix}/index.m3u8", playlist.read_bytes(), "application/vnd.apple.mpegurl"
        )


@contextmanager
def serve_site() -> Iterator[PageSite]:
    """A PageSite on a free loopback port for the duration of the block."""
    site = PageSite()
    handler = type("Handler", (_Handler,), {"site": site})
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    site.base = f"http://127.0.0.1:{srv.server_port}"
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        srv.shutdown()
        srv.server_close()
