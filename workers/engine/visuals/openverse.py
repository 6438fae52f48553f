"""Openverse images (``GET /v1/images/?q=...``, anonymous). Each item carries its own Creative
Commons licence or public-domain mark; only items whose licence allows commercial use and
modification are asked for, since a video is a derivative work."""

from __future__ import annotations

from typing import Any

from reelgraph.workers.engine.visuals.candidate import Candidate, Kind, Orientation
from reelgraph.workers.engine.visuals.http import get_json
from reelgraph.workers.engine.visuals.util import cc_license

NAME = "Openverse"
_ASPECT = {"landscape": "wide", "portrait": "tall", "square": "square"}
#: Anonymous requests may ask for at most 20 results a page.
MAX_PAGE = 20


class Openverse:
    """The Openverse API at ``base_url`` (``Settings.openverse_url``)."""

    name = "openverse"

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")

    def search(
        self, query: str, *, kind: Kind | None, orientation: Orientation, limit: int
    ) -> list[Candidate]:
        if kind == "video":
            return []
        params = {
            "q": query[:200],
            "page_size": max(1, min(limit, MAX_PAGE)),
            "aspect_ratio": _ASPECT[orientation],
            "license_type": "commercial,modification",
            "mature": "false",
        }
        data = get_json(NAME, f"{self.base}/v1/images/", params)
        results = data.get("results") if isinstance(data, dict) else None
        return [c for c in map(_image, results or []) if c is not None][:limit]


def _image(item: dict[str, Any]) -> Candidate | None:
    license_name = cc_license(
        str(item.get("license") or ""), str(item.get("license_version") or "")
    )
    if not item.get("url") or not item.get("id") or not license_name:
        return None
    tags = " ".join(str(t.get("name") or "") for t in item.get("tags") or [] if isinstance(t, dict))
    return Candidate(
        source="openverse",
        id=str(item["id"]),
        kind="image",
        url=str(item["url"]),
        text=" ".join(x for x in (str(item.get("title") or ""), tags) if x),
        width=int(item.get("width") or 0),
        height=int(item.get("height") or 0),
        page_url=str(item.get("foreign_landing_url") or ""),
        license=license_name,
        license_url=str(item.get("license_url") or ""),
        author=str(item.get("creator") or ""),
        author_url=str(item.get("creator_url") or ""),
        extra={
            "provider": item.get("provider") or "",
            "attribution": item.get("attribution") or "",
        },
    )
