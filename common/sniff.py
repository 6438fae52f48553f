"""Media type from the first bytes of a file (magic numbers); never from a user's name or header."""

from __future__ import annotations

from typing import NamedTuple

HEAD_BYTES = 64


class Sniffed(NamedTuple):
    kind: str  # image | audio | video
    mime: str
    ext: str


_ISO_AUDIO = {b"M4A ", b"M4B ", b"F4A "}
_ISO_VIDEO = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"qt  ",
    b"M4V ",
    b"3gp4",
    b"3gp5",
    b"3g2a",
    b"dash",
    b"MSNV",
    b"f4v ",
}


_BMP_DIB = {12, 40, 52, 56, 64, 108, 124}


def _riff(head: bytes) -> Sniffed | None:
    sub = head[8:12]
    if sub == b"WAVE":
        return Sniffed("audio", "audio/wav", ".wav")
    if sub == b"WEBP":
        return Sniffed("image", "image/webp", ".webp")
    if sub == b"AVI ":
        return Sniffed("video", "video/x-msvideo", ".avi")
    return None


def _iso(head: bytes) -> Sniffed | None:
    brand = head[8:12]
    if brand in (b"heic", b"heix", b"mif1", b"avif"):
        return Sniffed("image", "image/avif" if brand == b"avif" else "image/heic", ".heic")
    if brand in _ISO_AUDIO:
        return Sniffed("audio", "audio/mp4", ".m4a")
    if brand == b"qt  ":
        return Sniffed("video", "video/quicktime", ".mov")
    if brand in _ISO_VIDEO or brand.startswith((b"mp4", b"iso", b"3g")):
        return Sniffed("video", "video/mp4", ".mp4")
    return None


def _mp3(head: bytes) -> bool:
    if head.startswith(b"ID3"):
        return True
    return len(head) > 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0


def sniff(head: bytes) -> Sniffed | None:
    """The media type of data starting with ``head`` (>= 16 bytes), or None if not media."""
    h = head[:HEAD_BYTES]
    simple = [
        (b"\x89PNG\r\n\x1a\n", Sniffed("image", "image/png", ".png")),
        (b"\xff\xd8\xff", Sniffed("image", "image/jpeg", ".jpg")),
        (b"GIF87a", Sniffed("image", "image/gif", ".gif")),
        (b"GIF89a", Sniffed("image", "image/gif", ".gif")),
        (b"BM", Sniffed("image", "image/bmp", ".bmp")),
        (b"II*\x00", Sniffed("image", "image/tiff", ".tif")),
        (b"MM\x00*", Sniffed("image", "image/tiff", ".tif")),
        (b"fLaC", Sniffed("audio", "audio/flac", ".flac")),
        (
            b"\x1a\x45\xdf\xa3",
            Sniffed(
                "video",
                "video/webm" if b"webm" in h else "video/x-matroska",
                ".webm" if b"webm" in h else ".mkv",
            ),
        ),
    ]
    for magic, result in simple:
        if h.startswith(magic):
            if magic == b"BM" and int.from_bytes(h[14:18], "little") not in _BMP_DIB:
                continue
            return result
    if h.startswith(b"RIFF") and len(h) >= 12:
        return _riff(h)
    if h[4:8] == b"ftyp":
        return _iso(h)
    if h.startswith(b"OggS"):
        kind = "video" if b"theora" in h else "audio"
        return Sniffed(kind, f"{kind}/ogg", ".ogv" if kind == "video" else ".ogg")
    if _mp3(h):
        return Sniffed("audio", "audio/mpeg", ".mp3")
    return None
