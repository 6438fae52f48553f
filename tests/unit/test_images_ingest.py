"""Image ingest: sniffing, every source form, EXIF, limits and decompression bombs."""

from __future__ import annotations

import base64
import io
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from reelgraph.errors import (
    CorruptMedia,
    FetchRefused,
    InvalidInput,
    MediaTooLarge,
    UnsupportedMedia,
)
from reelgraph.settings import get_settings
from reelgraph.workers.engine.images import ingest_image


@pytest.fixture(autouse=True)
def _settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REELGRAPH_FETCH_ALLOWLIST", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _img_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB", **kw) -> bytes:
    img = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    if mode == "RGB":
        img.paste((10, 200, 10), (0, 0, size[0] // 2, size[1]))
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _bomb_png(w: int, h: int) -> bytes:
    """A tiny file whose header claims w x h pixels (never decode it!)."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF", "BMP"])
def test_accepts_formats_by_content_not_extension(tmp_path: Path, fmt: str) -> None:
    src = tmp_path / "misleading.txt"  # the extension lies; the bytes decide
    src.write_bytes(_img_bytes(fmt))
    out = ingest_image(str(src), tmp_path / "out")
    assert (out["width"], out["height"]) == (64, 48)
    saved = Image.open(out["path"])
    assert saved.format == "PNG" and saved.mode == "RGB"
    assert Path(out["path"]).name == f"{out['sha256']}.png"


def test_data_uri_and_raw_base64_and_dedupe(tmp_path: Path) -> None:
    raw = _img_bytes("PNG")
    b64 = base64.b64encode(raw).decode()
    a = ingest_image(f"data:image/png;base64,{b64}", tmp_path / "o")
    b = ingest_image(b64, tmp_path / "o")
    c = ingest_image(base64.b64encode(_img_bytes("JPEG")).decode(), tmp_path / "o")  # '/9j/...'
    assert a == b and c["width"] == 64
    assert len(list((tmp_path / "o").iterdir())) == 2  # same content, same file


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    img = Image.new("RGB", (80, 40), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW on display
    src = tmp_path / "rot.jpg"
    img.save(src, exif=exif)
    out = ingest_image(str(src), tmp_path / "o")
    assert (out["width"], out["height"]) == (40, 80)


def test_downscale_and_alpha(tmp_path: Path) -> None:
    src = tmp_path / "big.png"
    Image.new("RGBA", (1000, 500), (0, 0, 255, 0)).save(src)
    out = ingest_image(str(src), tmp_path / "o", max_side=200)
    saved = Image.open(out["path"])
    assert saved.size == (200, 100) and saved.mode == "RGB"
    assert saved.getpixel((5, 5)) == (0, 0, 0)  # transparent pixels land on black


@pytest.mark.parametrize(("w", "h"), [(100_000, 100_000), (9000, 9000)])
def test_decompression_bomb_refused_fast(tmp_path: Path, w: int, h: int) -> None:
    src = tmp_path / "bomb.png"
    src.write_bytes(_bomb_png(w, h))
    t0 = time.perf_counter()
    with pytest.raises(MediaTooLarge, match="pixel"):
        ingest_image(str(src), tmp_path / "o")
    assert time.perf_counter() - t0 < 1.0
    assert not (tmp_path / "o").exists()


def test_byte_limit(tmp_path: Path, _settings: pytest.MonkeyPatch) -> None:
    _settings.setenv("REELGRAPH_MAX_IMAGE_BYTES", "1000")
    get_settings.cache_clear()
    src = tmp_path / "a.bmp"
    src.write_bytes(_img_bytes("BMP"))  # about 9 KB
    with pytest.raises(MediaTooLarge, match="1000-byte"):
        ingest_image(str(src), tmp_path / "o")
    with pytest.raises(MediaTooLarge):
        ingest_image(base64.b64encode(src.read_bytes()).decode(), tmp_path / "o")


def test_not_an_image_names_the_input(tmp_path: Path) -> None:
    src = tmp_path / "foo.txt"
    src.write_text("just some words\n")
    with pytest.raises(UnsupportedMedia) as err:
        ingest_image(str(src), tmp_path / "o", label="images[2]")
    msg = str(err.value)
    assert "images[2]" in msg and "foo.txt" in msg and "found text" in msg and "JPEG" in msg


def test_pdf_is_described(tmp_path: Path) -> None:
    src = tmp_path / "doc.png"
    src.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    with pytest.raises(UnsupportedMedia, match="PDF"):
        ingest_image(str(src), tmp_path / "o")


def test_missing_file_and_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"images\[0\] '.*nope.png' does not exist"):
        ingest_image(str(tmp_path / "nope.png"), tmp_path / "o", label="images[0]")
    with pytest.raises(InvalidInput, match="empty"):
        ingest_image("  ", tmp_path / "o")
    with pytest.raises(InvalidInput, match="scheme"):
        ingest_image("file:///etc/passwd", tmp_path / "o")
    with pytest.raises(InvalidInput, match="not a path"):
        ingest_image("/etc/hostname", tmp_path / "o", allow_local=False)


def test_truncated_image_is_corrupt(tmp_path: Path) -> None:
    src = tmp_path / "cut.png"
    src.write_bytes(_img_bytes("PNG", size=(300, 300))[:200])
    with pytest.raises((CorruptMedia, UnsupportedMedia)):
        ingest_image(str(src), tmp_path / "o")


class _ImgHandler(BaseHTTPRequestHandler):
    body = b""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


def test_url_goes_through_the_guard(tmp_path: Path, _settings: pytest.MonkeyPatch) -> None:
    _ImgHandler.body = _img_bytes("WEBP")
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _ImgHandler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{srv.server_port}/pic"
        with pytest.raises(FetchRefused):
            ingest_image(url, tmp_path / "o")
        _settings.setenv("REELGRAPH_FETCH_ALLOWLIST", '["127.0.0.1/32"]')
        get_settings.cache_clear()
        assert ingest_image(url, tmp_path / "o")["width"] == 64
    finally:
        srv.shutdown()
        srv.server_close()
