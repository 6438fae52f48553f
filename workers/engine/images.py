"""Image ingest: local path, http(s) URL (guarded), data: URI or raw base64 -> a clean RGB PNG.

The type is sniffed from the bytes with Pillow (never the extension). Sizes are checked before
decoding: bytes against ``Settings.max_image_bytes`` and the header's width x height against
``Settings.max_image_pixels``, so a decompression bomb is refused without being decoded.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from reelgraph.errors import CorruptMedia, InvalidInput, MediaTooLarge, UnsupportedMedia
from reelgraph.settings import get_settings

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP"}
_B64_RE = re.compile(rb"^[A-Za-z0-9+/_\-\s]+={0,2}\s*$")
_DATA_URI_RE = re.compile(r"^data:([\w.+/-]*)((?:;[\w=.+-]+)*?)(;base64)?,", re.IGNORECASE)
_SIGNATURES = [
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1aE\xdf\xa3", "a video"),
    (b"ID3", "audio"),
    (b"RIFF", "a RIFF file (audio or video)"),
    (b"OggS", "audio"),
    (b"fLaC", "audio"),
    (b"GIF8", "a damaged GIF"),
    (b"\x89PNG", "a damaged PNG"),
    (b"\xff\xd8\xff", "a damaged JPEG"),
    (b"<svg", "an SVG drawing"),
    (b"<?xml", "XML"),
]


def _describe(data: bytes) -> str:
    """A few words saying what ``data`` looks like, for error messages."""
    head = data[:64]
    if head[4:8] == b"ftyp":
        return "a video (MP4/MOV)"
    for sig, what in _SIGNATURES:
        if head.lstrip().startswith(sig):
            return what
    if b"<html" in data[:512].lower():
        return "an HTML page"
    try:
        data[:4096].decode("utf-8")
        return "text"
    except UnicodeDecodeError:
        return "unknown binary data"


def _short(src: str) -> str:
    return src if len(src) <= 60 else src[:40] + "..." + src[-12:]


def _decode_b64(payload: str | bytes, label: str, limit: int) -> bytes:
    raw = payload.encode() if isinstance(payload, str) else payload
    if len(raw) * 3 // 4 > limit:
        raise MediaTooLarge(f"{label} is larger than the {limit}-byte image limit.")
    compact = re.sub(rb"\s+", b"", raw)
    compact += b"=" * (-len(compact) % 4)
    try:
        if b"-" in compact or b"_" in compact:
            return base64.urlsafe_b64decode(compact)
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"{label} is not valid base64 data; send the file's bytes.") from exc


def _read_local(path: Path, label: str, limit: int) -> bytes:
    if not path.is_file():
        raise InvalidInput(f"{label} '{_short(str(path))}' does not exist or is not a file.")
    if path.stat().st_size > limit:
        raise MediaTooLarge(f"{label} '{path.name}' is larger than the {limit}-byte image limit.")
    return path.read_bytes()


def _load_bytes(src: str, label: str, limit: int, allow_local: bool) -> bytes:
    """The source's bytes, whatever form it came in."""
    if src.startswith("data:"):
        m = _DATA_URI_RE.match(src[:300])
        if not m or not m.group(3):
            raise InvalidInput(f"{label} is a data: URI without ';base64'; send base64 data.")
        return _decode_b64(src[m.end() :], label, limit)
    if re.match(r"^https?://", src, re.IGNORECASE):
        from reelgraph.netguard import fetch_to_file

        with tempfile.TemporaryDirectory(prefix="reelgraph-img-") as tmp:
            return fetch_to_file(src, Path(tmp) / "download", max_bytes=limit).read_bytes()
    if re.match(r"^[a-z][a-z0-9+.-]*://", src, re.IGNORECASE):
        raise InvalidInput(f"{label} '{_short(src)}' uses an unsupported scheme; use http(s).")
    looks_b64 = len(src) >= 16 and bool(_B64_RE.match(src[:4096].encode()))
    if allow_local and not (looks_b64 and len(src) > 1024) and _is_file(src):
        return _read_local(Path(src).expanduser(), label, limit)
    if looks_b64 and "." not in src:
        return _decode_b64(src, label, limit)
    if not allow_local:
        raise InvalidInput(f"{label} must be a URL, an upload id or base64 data, not a path.")
    return _read_local(Path(src).expanduser(), label, limit)


def _is_file(src: str) -> bool:
    try:
        return Path(src).expanduser().is_file()
    except (OSError, ValueError):
        return False


def _open_checked(data: bytes, label: str, src: str) -> Image.Image:
    """Open (header only) and check format and pixel count before anything is decoded."""
    max_pixels = get_settings().max_image_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise MediaTooLarge(f"{label} has too many pixels; the limit is {max_pixels}.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnsupportedMedia(
            f"{label} '{_short(src)}' is not an image (found {_describe(data)}); "
            "use JPEG, PNG or WebP."
        ) from exc
    if img.format not in ACCEPTED_FORMATS:
        raise UnsupportedMedia(
            f"{label} '{_short(src)}' is a {img.format} image; use JPEG, PNG, WebP, GIF or BMP."
        )
    w, h = img.size
    if w < 1 or h < 1 or w * h > max_pixels:
        raise MediaTooLarge(
            f"{label} is {w}x{h} pixels, over the {max_pixels}-pixel limit; resize it first."
        )
    return img


def _normalize(img: Image.Image, max_side: int, label: str) -> Image.Image:
    """First frame, EXIF orientation, RGB (alpha over black), fit within ``max_side``."""
    try:
        if img.format == "JPEG" and max(img.size) > max_side * 2:
            img.draft("RGB", (max_side, max_side))  # decode at reduced size: fast and small
        img.seek(0)
        img.load()
        img = ImageOps.exif_transpose(img) or img
        if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
            rgba = img.convert("RGBA")
            img = Image.new("RGB", rgba.size, (0, 0, 0))
            img.paste(rgba, mask=rgba.getchannel("A"))
        else:
            img = img.convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise CorruptMedia(f"{label} could not be decoded (damaged or truncated file).") from exc
    if max(img.size) > max_side:
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return img


def _save_png(img: Image.Image, dest_dir: Path) -> tuple[Path, str]:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False, compress_level=3)
    data = buf.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    dest_dir.mkdir(parents=True, exist_ok=True)
    path = dest_dir / f"{digest}.png"
    if not path.exists():
        fd, tmp = tempfile.mkstemp(prefix=f".{digest}.", suffix=".partial", dir=dest_dir)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
    return path, digest


def precheck_image(src: str, label: str = "image") -> None:
    """Fail fast on a bad local or base64 image (URLs are checked when they are fetched)."""
    if not isinstance(src, str) or not src.strip():
        raise InvalidInput(f"{label} is empty; give a path, an http(s) URL or base64 data.")
    src = src.strip()
    if re.match(r"^https?://", src, re.IGNORECASE):
        return
    _open_checked(_load_bytes(src, label, get_settings().max_image_bytes, True), label, src)


def ingest_image(
    src: str,
    dest_dir: Path,
    *,
    max_side: int = 4096,
    label: str = "image",
    allow_local: bool = True,
) -> dict[str, Any]:
    """Validate and normalise one image; return {"path", "width", "height", "sha256"}.

    ``label`` names the input in error messages (e.g. ``images[2]``); ``allow_local=False``
    refuses file paths (for API callers, whose inputs must be URLs, uploads or base64).
    """
    if not isinstance(src, str) or not src.strip():
        raise InvalidInput(f"{label} is empty; give a path, an http(s) URL or base64 data.")
    src = src.strip()
    data = _load_bytes(src, label, get_settings().max_image_bytes, allow_local)
    img = _normalize(_open_checked(data, label, src), max_side, label)
    path, digest = _save_png(img, Path(dest_dir))
    logger.info("ingested %s -> %s (%dx%d)", label, path.name, img.width, img.height)
    return {"path": str(path), "width": img.width, "height": img.height, "sha256": digest}
