"""Pexels photos and videos (``GET /v1/search``, ``GET /videos/search``; the key in the
``Authorization`` header). Everything on Pexels is under the Pexels License: free to use and
modify, attribution appreciated (the credits name the photographer and the page)."""

from __future__ import annotations

from typing import Any

from reelgraph.workers.engine.visuals.candidate import Candidate, Kind, Orientation
from reelgraph.workers.engine.visuals.http import get_json
from reelgraph.workers.engine.visuals.util import interleave, pick_rendition, slug_words

LICENSE = "Pexels License"
LICENSE_URL = "https://www.pexels.com/license/"
NAME = "Pexels"
#: The box ``src.large2x`` fits a photo into (940 x 650 at DPR 2), the size downloaded.
LARGE2X = (1880, 1300)


class Pexels:
    """The Pexels API at ``base_url`` (``Settings.pexels_url``)."""

    name = "pexels"

    def __init__(self, base_url: str, api_key: str):
        self.base = base_url.rstrip("/")
        self._headers = {"Authorization": api_key}

    def search(
        self, query: str, *, kind: Kind | None, orientation: Orientation, limit: int
    ) -> list[Candidate]:
        params = {"query": query, "orientation": orientation, "per_page": max(1, min(limit, 80))}
        photos: list[Candidate] = []
        videos: list[Candidate] = []
        if kind in (None, "image"):
            data = get_json(NAME, f"{self.base}/v1/search", params, headers=self._headers)
            photos = [c for c in map(_photo, data.get("photos") or []) if c is not None]
        if kind in (None, "video"):
            data = get_json(NAME, f"{self.base}/videos/search", params, headers=self._headers)
            videos = [c for c in map(_video, data.get("videos") or []) if c is not None]
        return interleave(photos, videos)[:limit]


def _large2x_size(width: int, height: int) -> tuple[int, int]:
    """The size of ``src.large2x``: the original fitted into 940 x 650 at twice the density."""
    if width <= 0 or height <= 0:
        return width, height
    scale = min(LARGE2X[0] / width, LARGE2X[1] / height, 1.0)
    return round(width * scale), round(height * scale)


def _photo(item: dict[str, Any]) -> Candidate | None:
    src = item.get("src") or {}
    width, height = int(item.get("width") or 0), int(item.get("height") or 0)
    url = src.get("large2x") or src.get("original") or ""
    if not url or item.get("id") is None:
        return None
    if src.get("large2x"):
        width, height = _large2x_size(width, height)
    page = str(item.get("url") or "")
    return Candidate(
        source="pexels",
        id=str(item["id"]),
        kind="image",
        url=str(url),
        text=str(item.get("alt") or "") or slug_words(page),
        width=width,
        height=height,
        page_url=page,
        license=LICENSE,
        license_url=LICENSE_URL,
        author=str(item.get("photographer") or ""),
        author_url=str(item.get("photographer_url") or ""),
        extra={
            "avg_color": item.get("avg_color") or "",
            "original": {
                "url": src.get("original") or "",
                "width": item.get("width") or 0,
                "height": item.get("height") or 0,
            },
        },
    )


def _video(item: dict[str, Any]) -> Candidate | None:
    files = [
        {"url": f.get("link"), "width": f.get("width"), "height": f.get("height")}
        for f in item.get("video_files") or []
        if f.get("file_type") == "video/mp4"
    ]
    best = pick_rendition(files)
    if best is None or item.get("id") is None:
        return None
    page = str(item.get("url") or "")
    user = item.get("user") or {}
    return Candidate(
        source="pexels",
        id=str(item["id"]),
        kind="video",
        url=best["url"],
        text=slug_words(page),
        width=best["width"],
        height=best["height"],
        duration=float(item.get("duration") or 0),
        page_url=page,
        license=LICENSE,
        license_url=LICENSE_URL,
        author=str(user.get("name") or ""),
        author_url=str(user.get("url") or ""),
        extra={"poster": item.get("image") or ""},
    )
