"""The stand-in's answers, in each service's documented response shape (see stock_servers)."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.stock_servers import IMAGE_KEY, PEXELS_KEY, PIXABAY_KEY, png_b64

Answer = tuple[int, Any]


def answer(srv: Any, route: str, query: dict[str, str], headers: Any, body: Any) -> Answer:
    handler = {
        "pexels-photos": _pexels_photos,
        "pexels-videos": _pexels_videos,
        "pixabay-images": _pixabay_images,
        "pixabay-videos": _pixabay_videos,
        "openverse": _openverse,
        "wikimedia": _wikimedia,
        "generate": _generate,
    }[route]
    return handler(srv, query, headers, body)  # type: ignore[operator]


def _pexels_auth(headers: Any) -> Answer | None:
    if headers.get("Authorization") != PEXELS_KEY:
        return 401, {"error": "Unauthorized"}
    return None


def _pexels_photos(srv: Any, query: dict[str, str], headers: Any, body: Any) -> Answer:
    refused = _pexels_auth(headers)
    if refused:
        return refused
    m = srv.media_url
    photos = srv.pexels_photos or [
        {
            "id": 1001,
            "width": 4000,
            "height": 2250,
            "url": "https://www.pexels.com/photo/red-sunset-over-the-sea-1001/",
            "photographer": "Ada Lens",
            "photographer_url": "https://www.pexels.com/@ada-lens",
            "photographer_id": 7,
            "avg_color": "#DC1E1E",
            "src": {
                "original": m("red.jpg"),
                "large2x": m("red.jpg") + "?auto=compress&dpr=2&h=650&w=940",
                "large": m("red.jpg") + "?h=650&w=940",
                "tiny": m("red.jpg") + "?h=200&w=280",
            },
            "liked": False,
            "alt": "Red sunset over the sea",
        },
        {
            "id": 1002,
            "width": 1080,
            "height": 1920,
            "url": "https://www.pexels.com/photo/green-fern-leaves-1002/",
            "photographer": "Bo Green",
            "photographer_url": "https://www.pexels.com/@bo-green",
            "photographer_id": 8,
            "avg_color": "#1EC83C",
            "src": {"original": m("green.png"), "large2x": m("green.png")},
            "liked": False,
            "alt": "",
        },
    ]
    return 200, {
        "page": 1,
        "per_page": int(query.get("per_page", 15)),
        "total_results": len(photos),
        "photos": photos,
    }


def _pexels_videos(srv: Any, query: dict[str, str], headers: Any, body: Any) -> Answer:
    refused = _pexels_auth(headers)
    if refused:
        return refused
    m = srv.media_url

    def file(fid: int, quality: str | None, w: int | None, h: int | None, name: str) -> Any:
        ftype = "video/mp4" if quality != "hls" else "application/x-mpegURL"
        return {
            "id": fid,
            "quality": quality,
            "file_type": ftype,
            "width": w,
            "height": h,
            "fps": 25,
            "link": m(name),
        }

    video = {
        "id": 2001,
        "width": 3840,
        "height": 2160,
        "duration": 1,
        "url": "https://www.pexels.com/video/waves-on-a-sandy-beach-2001/",
        "image": m("grey.jpg"),
        "user": {"id": 9, "name": "Ben Reel", "url": "https://www.pexels.com/@ben-reel"},
        "video_files": [
            file(1, "uhd", 3840, 2160, "missing-4k.mp4"),
            file(2, "hd", 1920, 1080, "clip.mp4"),
            file(3, "sd", 640, 360, "missing-sd.mp4"),
            file(4, "hls", None, None, "missing.m3u8"),
        ],
        "video_pictures": [{"id": 1, "picture": m("grey.jpg"), "nr": 0}],
    }
    return 200, {"page": 1, "per_page": 15, "total_results": 1, "videos": [video]}


def _pixabay_key(query: dict[str, str]) -> Answer | None:
    if query.get("key") != PIXABAY_KEY:
        return 400, "[ERROR 400] Invalid or missing API key (https://pixabay.com/api/docs/)."
    return None


def _pixabay_images(srv: Any, query: dict[str, str], headers: Any, body: Any) -> Answer:
    refused = _pixabay_key(query)
    if refused:
        return refused
    hit = {
        "id": 3001,
        "pageURL": "https://pixabay.com/photos/yellow-flower-spring-3001/",
        "type": "photo",
        "tags": "yellow, flower, spring",
        "previewURL": srv.media_url("yellow.png") + "?w=150",
        "webformatURL": srv.media_url("yellow.png") + "?w=640",
        "webformatWidth": 640,
        "webformatHeight": 427,
        "largeImageURL": srv.media_url("yellow.png"),
        "imageWidth": 1920,
        "imageHeight": 1280,
        "views": 100,
        "downloads": 10,
        "user_id": 42,
        "user": "floral",
        "userImageURL": "",
    }
    return 200, {"total": 1, "totalHits": 1, "hits": [hit]}


def _pixabay_videos(srv: Any, query: dict[str, str], headers: Any, body: Any) -> Answer:
    refused = _pixabay_key(query)
    if refused:
        return refused

    def size(name: str, w: int, h: int) -> Any:
        return {
            "url": srv.media_url(name),
            "width": w,
            "height": h,
            "size": 1000,
            "thumbnail": srv.media_url("grey.jpg"),
        }

    hit = {
        "id": 4001,
        "pageURL": "https://pixabay.com/videos/city-traffic-night-4001/",
        "type": "film",
        "tags": "city, traffic, night",
        "duration": 1,
        "videos": {
            "large": size("missing-4k.mp4", 3840, 2160),
            "medium": size("clip.mp4", 1920, 1080),
            "small": size("missing-720.mp4", 1280, 720),
            "tiny": size("missing-360.mp4", 640, 360),
        },
        "views": 5,
        "user_id": 43,
        "user": "urbanist",
        "userImageURL": "",
    }
    return 200, {"total": 1, "totalHits": 1, "hits": [hit]}


def _openverse(srv: Any, query: dict[str, str], headers: Any, body: Any) -> Answer:
    def item(uid: str, title: str, lic: str, version: str, name: str) -> dict[str, Any]:
        return {
            "id": uid,
            "title": title,
            "indexed_on": "2024-01-01T00:00:00Z",
            "foreign_landing_url": f"https://www.flickr.com/photos/someone/{uid[:8]}",
            "url": srv.media_url(name),
            "creator": "Cam Era",
            "creator_url": "https://www.flickr.com/photos/someone",
            "license": lic,
            "license_version": version,
            "license_url": f"https://creativecommons.org/licenses/{lic}/{version}/",
            "provider": "flickr",
            "source": "flickr",
            "category": None,
            "filesize": None,
            "filetype": "jpg",
            "tags": [{"name": "door"}, {"name": "blue"}],
            "attribution": f'"{title}" by Cam Era is licensed under CC {lic.upper()} {version}.',
            "fields_matched": ["title"],
            "mature": False,
            "height": 90,
            "width": 160,
            "thumbnail": srv.media_url(name),
            "detail_url": f"https://api.openverse.org/v1/images/{uid}/",
            "related_url": f"https://api.openverse.org/v1/images/{uid}/related/",
        }

    results = [
        item("6f1c0a52-1111-4e2b-9a0e-000000000001", "Blue door", "by-sa", "2.0", "blue.jpg"),
        item("6f1c0a52-2222-4e2b-9a0e-000000000002", "Grey wall", "cc0", "1.0", "grey.jpg"),
    ]
    return 200, {"result_count": 2, "page_count": 1, "page_size": 20, "page": 1, "results": results}


def _wikimedia(srv: Any, query: dict[str, str], headers: Any, body: Any) -> Answer:
    if "reelgraph" not in (headers.get("User-Agent") or ""):
        return 403, {"error": "Please set a user-agent and respect our robot policy."}
    video = "filetype:video" in query.get("gsrsearch", "")
    pages = _wiki_video_pages(srv) if video else _wiki_image_pages(srv)
    return 200, {"batchcomplete": True, "query": {"pages": pages}}


def _ext(lic: str, artist: str, desc: str, name: str) -> dict[str, Any]:
    def v(value: str) -> dict[str, str]:
        return {"value": value, "source": "commons-desc-page", "hidden": ""}

    meta = {"Artist": v(artist), "ImageDescription": v(desc), "ObjectName": v(name)}
    if lic:
        meta["LicenseShortName"] = v(lic)
        meta["LicenseUrl"] = v("https://creativecommons.org/licenses/by-sa/4.0")
    return meta


def _wiki_page(pid: int, index: int, title: str, info: dict[str, Any]) -> dict[str, Any]:
    return {"pageid": pid, "ns": 6, "title": title, "index": index, "imageinfo": [info]}


def _wiki_image_pages(srv: Any) -> list[dict[str, Any]]:
    artist = (
        '<a href="//commons.wikimedia.org/wiki/User:Keeper" title="User:Keeper">Light Keeper</a>'
    )

    def info(name: str, mime: str, lic: str) -> dict[str, Any]:
        return {
            "size": 5000,
            "width": 3000,
            "height": 2000,
            "thumburl": srv.media_url(name) + "?width=1920",
            "thumbwidth": 1920,
            "thumbheight": 1280,
            "url": srv.media_url("missing-original.jpg"),
            "descriptionurl": f"https://commons.wikimedia.org/wiki/File:{name}",
            "descriptionshorturl": "https://commons.wikimedia.org/w/index.php?curid=1",
            "mime": mime,
            "extmetadata": _ext(lic, artist, "An <b>old</b> lighthouse &amp; rocks", "Lighthouse"),
        }

    return [
        _wiki_page(
            5001, 2, "File:Old lighthouse.jpg", info("red.jpg", "image/jpeg", "CC BY-SA 4.0")
        ),
        _wiki_page(5002, 1, "File:Harbour at dusk.png", info("green.png", "image/png", "CC0")),
        _wiki_page(5003, 3, "File:Map.svg", info("blue.jpg", "image/svg+xml", "CC BY 4.0")),
        _wiki_page(5004, 4, "File:Unknown.jpg", info("grey.jpg", "image/jpeg", "")),
    ]


def _wiki_video_pages(srv: Any) -> list[dict[str, Any]]:
    info = {
        "size": len(srv.media["clip.webm"]),
        "width": 160,
        "height": 90,
        "duration": 1.0,
        "thumburl": srv.media_url("grey.jpg"),
        "thumbwidth": 160,
        "thumbheight": 90,
        "url": srv.media_url("clip.webm"),
        "descriptionurl": "https://commons.wikimedia.org/wiki/File:Test_pattern.webm",
        "mime": "video/webm",
        "extmetadata": _ext("CC BY 3.0", "Pat Tern", "A test pattern", "Test pattern"),
    }
    return [_wiki_page(6001, 1, "File:Test pattern.webm", info)]


def _generate(srv: Any, query: dict[str, str], headers: Any, body: Any) -> Answer:
    if headers.get("Authorization") != f"Bearer {IMAGE_KEY}":
        return 401, {
            "error": {"message": "Incorrect API key provided.", "type": "invalid_request_error"}
        }
    width, height = (int(x) for x in str(body["size"]).split("x"))
    digest = hashlib.sha256(str(body["prompt"]).encode()).digest()
    colour = (digest[0], digest[1], digest[2])
    item: dict[str, Any] = {"revised_prompt": f"A picture of {body['prompt']}"}
    if srv.image_mode == "url":
        item["url"] = srv.media_url("yellow.png")
    else:
        item["b64_json"] = png_b64(colour, (width, height))
    return 200, {"created": 1700000000, "data": [item]}
