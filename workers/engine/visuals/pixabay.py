"""Pixabay images and videos (``GET /api/?key=...&q=...``, ``GET /api/videos/``). Everything
on Pixabay is under the Pixabay Content License: free to use and modify, no attribution
required (the credits still name the user and the page). Pixabay asks that search results be
cached for 24 hours, which ``http.get_json`` does; the key is left out of the cache key."""

from __future__ import annotations

from typing import Any

from reelgraph.workers.engine.visuals.candidate import Candidate, Kind, Orientation
from reelgraph.workers.engine.visuals.http import get_json
from reelgraph.workers.engine.visuals.util import interleave, pick_rendition

LICENSE = "Pixabay Content License"
LICENSE_URL = "https://pixabay.com/service/license-summary/"
NAME = "Pixabay"
_ORIENTATION = {"landscape": "horizontal", "portrait": "vertical", "square": "all"}


class Pixabay:
    """The Pixabay API at ``base_url`` (``Settings.pixabay_url``)."""

    name = "pixabay"

    def __init__(self, base_url: str, api_key: str):
        self.base = base_url.rstrip("/")
        self._key = api_key

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        data = get_json(NAME, f"{self.base}{path}", params, secret_params=("key",))
        return data if isinstance(data, dict) else {}

    def search(
        self, query: str, *, kind: Kind | None, orientation: Orientation, limit: int
    ) -> list[Candidate]:
        params = {
            "key": self._key,
            "q": query[:100],
            "orientation": _ORIENTATION[orientation],
            "safesearch": "true",
            "per_page": max(3, min(limit, 200)),
        }
        images: list[Candidate] = []
        videos: list[Candidate] = []
        if kind in (None, "image"):
            hits = self._get("/api/", {**params, "image_type": "photo"}).get("hits") or []
            images = [c for c in map(_image, hits) if c is not None]
        if kind in (None, "video"):
            hits = self._get("/api/videos/", {**params, "video_type": "film"}).get("hits") or []
            videos = [c for c in map(_video, hits) if c is not None]
        return interleave(images, videos)[:limit]


def _common(item: dict[str, Any]) -> dict[str, Any]:
    user, user_id = item.get("user") or "", item.get("user_id")
    return {
        "source": "pixabay",
        "id": str(item["id"]),
        "text": str(item.get("tags") or ""),
        "page_url": str(item.get("pageURL") or ""),
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "author": str(user),
        "author_url": f"https://pixabay.com/users/{user}-{user_id}/" if user and user_id else "",
    }


def _image(item: dict[str, Any]) -> Candidate | None:
    url = item.get("largeImageURL") or item.get("webformatURL")
    if not url or item.get("id") is None:
        return None
    return Candidate(
        kind="image",
        url=str(url),
        width=int(item.get("imageWidth") or 0),
        height=int(item.get("imageHeight") or 0),
        **_common(item),
    )


def _video(item: dict[str, Any]) -> Candidate | None:
    sizes = item.get("videos") or {}
    best = pick_rendition([sizes[k] for k in ("large", "medium", "small", "tiny") if k in sizes])
    if best is None or item.get("id") is None:
        return None
    return Candidate(
        kind="video",
        url=best["url"],
        width=best["width"],
        height=best["height"],
        duration=float(item.get("duration") or 0),
        **_common(item),
    )
