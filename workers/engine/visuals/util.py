"""Small pure helpers the provider modules share: renditions, words from a page URL, licences."""

from __future__ import annotations

import html
import re
from itertools import zip_longest
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

T = TypeVar("T")
#: The largest rendition worth downloading: a 1080x1920 frame needs no more.
MAX_LONG_SIDE = 1920
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def interleave(first: list[T], second: list[T]) -> list[T]:
    """first[0], second[0], first[1], ... (the rest of the longer list at the end)."""
    out: list[T] = []
    for a, b in zip_longest(first, second):
        out.extend(x for x in (a, b) if x is not None)
    return out


def pick_rendition(files: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The largest rendition whose long side is at most MAX_LONG_SIDE, else the smallest one.

    Items are ``{"url", "width", "height"}``; those without a URL or a size are ignored. The
    answer has ``url`` as str and ``width`` / ``height`` as int.
    """
    sized: list[dict[str, Any]] = [
        {"url": str(f["url"]), "width": int(f["width"]), "height": int(f["height"])}
        for f in files
        if f.get("url") and f.get("width") and f.get("height")
    ]
    if not sized:
        return None
    fits = [f for f in sized if max(f["width"], f["height"]) <= MAX_LONG_SIDE]
    if fits:
        return max(fits, key=lambda f: f["width"] * f["height"])
    return min(sized, key=lambda f: f["width"] * f["height"])


def slug_words(page_url: str) -> str:
    """The words of a page URL's last path segment: ``.../video/a-red-bus-123/`` -> a red bus."""
    segments = [s for s in urlsplit(page_url).path.split("/") if s]
    if not segments:
        return ""
    words = re.split(r"[-_\s]+", unquote(segments[-1]))
    while words and words[-1].isdigit():
        words.pop()
    return " ".join(w for w in words if w)


def plain_text(value: Any) -> str:
    """HTML (Wikimedia's extmetadata values) as one line of plain text."""
    text = html.unescape(_TAG.sub(" ", str(value or "")))
    return _SPACE.sub(" ", text).strip()


def cc_license(code: str, version: str) -> str:
    """A readable licence name from Openverse's code and version: ``by-sa``, ``4.0`` ->
    ``CC BY-SA 4.0``; ``cc0`` -> ``CC0 1.0``; ``pdm`` -> ``Public Domain Mark 1.0``."""
    code = (code or "").strip().lower()
    version = (version or "").strip()
    if code == "pdm":
        name = "Public Domain Mark"
    elif code == "cc0":
        name = "CC0"
    elif code:
        name = "CC " + code.upper()
    else:
        return ""
    return f"{name} {version}".strip()
