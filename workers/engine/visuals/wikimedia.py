"""Wikimedia Commons files through the MediaWiki action API (``/w/api.php``, anonymous, with
the descriptive User-Agent Wikimedia requires). Each file carries its own licence (mostly
Creative Commons or public domain), read from ``extmetadata``; files without one are skipped.
Images come as thumbnails ``THUMB_WIDTH`` wide; videos (WebM / Ogg) as the original file."""

from __future__ import annotations

from typing import Any

from reelgraph.workers.engine.visuals.candidate import Candidate, Kind, Orientation
from reelgraph.workers.engine.visuals.http import get_json
from reelgraph.workers.engine.visuals.util import interleave, plain_text

NAME = "Wikimedia Commons"
THUMB_WIDTH = 1920
_MIMES = {
    "image": ("image/jpeg", "image/png", "image/webp", "image/gif", "image/tiff"),
    "video": ("video/webm", "video/ogg", "application/ogg"),
}
_FILTER = {"image": "filetype:bitmap", "video": "filetype:video"}
_META = "LicenseShortName|LicenseUrl|Artist|ImageDescription|ObjectName"


class Wikimedia:
    """Wikimedia Commons at ``base_url`` (``Settings.wikimedia_url``)."""

    name = "wikimedia"

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")

    def search(
        self, query: str, *, kind: Kind | None, orientation: Orientation, limit: int
    ) -> list[Candidate]:
        images = self._search(query, "image", limit) if kind in (None, "image") else []
        videos = self._search(query, "video", limit) if kind in (None, "video") else []
        return interleave(images, videos)[:limit]

    def _search(self, query: str, kind: Kind, limit: int) -> list[Candidate]:
        params = {
            "action": "query",
            "format": "json",
            "formatversion": "2",
            "generator": "search",
            "gsrsearch": f"{query[:200]} {_FILTER[kind]}",
            "gsrnamespace": "6",
            "gsrlimit": max(1, min(limit, 50)),
            "prop": "imageinfo",
            "iiprop": "url|size|mime|extmetadata",
            "iiextmetadatafilter": _META,
            "iiurlwidth": THUMB_WIDTH,
        }
        data = get_json(NAME, f"{self.base}/w/api.php", params)
        pages = (data.get("query") or {}).get("pages") if isinstance(data, dict) else None
        if isinstance(pages, dict):  # formatversion=1 answers a dict keyed by page id
            pages = list(pages.values())
        ranked = sorted(pages or [], key=lambda p: int(p.get("index") or 0))
        return [c for c in (_file(p, kind) for p in ranked) if c is not None]


def _meta(info: dict[str, Any], name: str) -> str:
    entry = (info.get("extmetadata") or {}).get(name) or {}
    return plain_text(entry.get("value") if isinstance(entry, dict) else entry)


def _file(page: dict[str, Any], kind: Kind) -> Candidate | None:
    info = (page.get("imageinfo") or [{}])[0]
    license_name = _meta(info, "LicenseShortName")
    if info.get("mime") not in _MIMES[kind] or not license_name or page.get("pageid") is None:
        return None
    thumb = kind == "image" and info.get("thumburl")
    url = info.get("thumburl") if thumb else info.get("url")
    if not url:
        return None
    title = str(page.get("title") or "").removeprefix("File:")
    words = (_meta(info, "ObjectName"), _meta(info, "ImageDescription"), title.rsplit(".", 1)[0])
    return Candidate(
        source="wikimedia",
        id=str(page["pageid"]),
        kind=kind,
        url=str(url),
        text=" ".join(w for w in words if w)[:500],
        width=int(info.get("thumbwidth" if thumb else "width") or 0),
        height=int(info.get("thumbheight" if thumb else "height") or 0),
        duration=float(info.get("duration") or 0),
        page_url=str(info.get("descriptionurl") or ""),
        license=license_name,
        license_url=_meta(info, "LicenseUrl"),
        author=_meta(info, "Artist"),
        extra={"title": title},
    )
