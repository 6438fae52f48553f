"""Each stock provider and the image generator against the local stand-in (tests/stock_servers):
search answers become Candidates with licence, author and page; downloads are checked files."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from reelgraph.settings import get_settings
from reelgraph.workers.engine.probe import probe
from reelgraph.workers.engine.visuals import providers
from tests import stock_servers as _stock
from tests.stock_servers import PEXELS_KEY, PIXABAY_KEY, StockServer

pytestmark = pytest.mark.integration


media = _stock.media
srv = _stock.srv


def _query(srv: StockServer, route: str) -> dict[str, str]:
    entry = next(e for e in reversed(srv.seen) if e["route"] == route)
    return {k: v[-1] for k, v in parse_qs(urlsplit(entry["path"]).query).items()}


def _source(name: str) -> providers.Source:
    source = providers.get_source(name)
    assert source is not None, name
    return source


def test_configured_sources_follow_keys_and_settings(srv: StockServer, monkeypatch) -> None:
    assert [s.name for s in providers.configured_sources()] == list(providers.PROVIDERS)
    for name in ("PEXELS_API_KEY", "PIXABAY_API_KEY", "REELGRAPH_IMAGE_API_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.delenv("REELGRAPH_IMAGE_BASE_URL")
    get_settings.cache_clear()
    assert [s.name for s in providers.configured_sources()] == ["openverse", "wikimedia"]
    monkeypatch.setenv("REELGRAPH_STOCK_KEYLESS", "false")
    get_settings.cache_clear()
    assert providers.configured_sources() == []
    with pytest.raises(Exception, match="Unknown visual source"):
        providers.get_source("flickr")


def test_pexels_photos(srv: StockServer) -> None:
    found = _source("pexels").search("sunset", kind="image", orientation="landscape", limit=5)
    assert [c.id for c in found] == ["1001", "1002"]
    red, green = found
    assert red.kind == "image" and "/media/red.jpg?" in red.url and "dpr=2" in red.url
    assert (red.width, red.height) == (1880, 1058)  # 4000 x 2250 fitted into large2x's box
    assert red.extra["original"] == {"url": srv.media_url("red.jpg"), "width": 4000, "height": 2250}
    assert red.text == "Red sunset over the sea"
    assert (red.author, red.author_url) == ("Ada Lens", "https://www.pexels.com/@ada-lens")
    assert red.page_url == "https://www.pexels.com/photo/red-sunset-over-the-sea-1001/"
    assert (red.license, red.license_url) == ("Pexels License", "https://www.pexels.com/license/")
    assert green.text == "green fern leaves"  # no alt text: the page's slug
    assert _query(srv, "pexels-photos") == {
        "query": "sunset",
        "orientation": "landscape",
        "per_page": "5",
    }
    assert srv.seen[-1]["headers"]["Authorization"] == PEXELS_KEY
    path = providers.download(red)
    with Image.open(path) as im:
        assert path.suffix == ".jpg" and im.size == (160, 90)
        r, g, b = im.convert("RGB").getpixel((80, 45))
        assert r > 180 and g < 80 and b < 80


def test_pexels_video_takes_the_hd_mp4(srv: StockServer) -> None:
    (clip,) = _source("pexels").search("waves", kind="video", orientation="landscape", limit=3)
    assert clip.kind == "video" and clip.url.endswith("/media/clip.mp4")
    assert (clip.width, clip.height, clip.duration) == (1920, 1080, 1.0)
    assert clip.text == "waves on a sandy beach" and clip.author == "Ben Reel"
    path = providers.download(clip)
    info = probe(path)
    assert path.suffix == ".mp4" and info.has_video and 0.8 < info.duration < 1.3


def test_pixabay_images_and_videos(srv: StockServer) -> None:
    found = _source("pixabay").search("city", kind=None, orientation="portrait", limit=4)
    assert [(c.kind, c.id) for c in found] == [("image", "3001"), ("video", "4001")]
    image, video = found
    assert image.url.endswith("/media/yellow.png") and (image.width, image.height) == (1920, 1280)
    assert image.text == "yellow, flower, spring"
    assert image.license == "Pixabay Content License"
    assert (image.author, image.author_url) == ("floral", "https://pixabay.com/users/floral-42/")
    assert image.page_url == "https://pixabay.com/photos/yellow-flower-spring-3001/"
    assert video.url.endswith("/media/clip.mp4") and video.duration == 1.0
    query = _query(srv, "pixabay-videos")
    assert query["key"] == PIXABAY_KEY and query["orientation"] == "vertical"
    assert query["per_page"] == "4" and query["video_type"] == "film"
    assert providers.download(image).suffix == ".png"


def test_openverse_images_carry_their_cc_licence(srv: StockServer) -> None:
    found = _source("openverse").search("door", kind="image", orientation="square", limit=10)
    assert [c.license for c in found] == ["CC BY-SA 2.0", "CC0 1.0"]
    door = found[0]
    assert door.text == "Blue door door blue" and door.author == "Cam Era"
    assert door.page_url.startswith("https://www.flickr.com/photos/someone/")
    assert door.license_url == "https://creativecommons.org/licenses/by-sa/2.0/"
    query = _query(srv, "openverse")
    assert query["aspect_ratio"] == "square" and query["license_type"] == "commercial,modification"
    hits = srv.hits["openverse"]
    assert _source("openverse").search("door", kind="video", orientation="square", limit=3) == []
    assert srv.hits["openverse"] == hits  # no video on Openverse: nothing asked


def test_wikimedia_ranks_strips_html_and_skips_unlicensed(srv: StockServer) -> None:
    found = _source("wikimedia").search("harbour", kind="image", orientation="landscape", limit=10)
    assert [c.id for c in found] == ["5002", "5001"]  # by search index; SVG and no-licence left out
    lighthouse = found[1]
    assert lighthouse.author == "Light Keeper" and lighthouse.license == "CC BY-SA 4.0"
    assert "An old lighthouse & rocks" in lighthouse.text
    assert lighthouse.page_url == "https://commons.wikimedia.org/wiki/File:red.jpg"
    assert (lighthouse.width, lighthouse.height) == (1920, 1280)
    query = _query(srv, "wikimedia")
    assert query["generator"] == "search" and query["gsrnamespace"] == "6"
    assert query["gsrsearch"] == "harbour filetype:bitmap" and "extmetadata" in query["iiprop"]
    assert "reelgraph" in srv.seen[-1]["headers"]["User-Agent"]
    (video,) = _source("wikimedia").search(
        "pattern", kind="video", orientation="landscape", limit=2
    )
    assert video.kind == "video" and video.url.endswith("/media/clip.webm")
    assert probe(providers.download(video)).has_video


def test_generator_writes_one_image_per_request(srv: StockServer) -> None:
    gen = _source("generate")
    (shot,) = gen.search("a lighthouse at night", kind="image", orientation="portrait", limit=3)
    assert srv.hits["generate"] == 1
    body = srv.seen[-1]["body"]
    assert body == {
        "model": "gpt-image-1",
        "prompt": "a lighthouse at night",
        "size": "1024x1536",
        "n": 1,
    }
    path = Path(shot.path)
    assert providers.download(shot) == path and path.is_file()
    with Image.open(path) as im:
        assert im.size == (1024, 1536) == (shot.width, shot.height)
    assert shot.source == "generate" and shot.author == "gpt-image-1"
    assert shot.extra["revised_prompt"] == "A picture of a lighthouse at night"
    again = gen.search("a lighthouse at night", kind="image", orientation="portrait", limit=1)
    assert srv.hits["generate"] == 1 and again == [shot]  # cached, not paid twice
    (other,) = gen.search("a red bus", kind="image", orientation="landscape", limit=1)
    assert srv.hits["generate"] == 2 and other.path != shot.path
    assert gen.search("a red bus", kind="video", orientation="landscape", limit=1) == []


def test_generator_url_answers_and_older_models(srv: StockServer, monkeypatch) -> None:
    monkeypatch.setenv("REELGRAPH_IMAGE_MODEL", "dall-e-3")
    get_settings.cache_clear()
    srv.image_mode = "url"
    (shot,) = _source("generate").search("flowers", kind=None, orientation="square", limit=1)
    assert srv.seen[-2]["body"]["response_format"] == "b64_json"  # dall-e models are asked for it
    assert srv.seen[-1]["route"] == "media"  # the answer's URL went through the guarded fetcher
    with Image.open(shot.path) as im:
        assert im.size == (160, 90)


def test_query_results_and_files_are_cached(srv: StockServer, monkeypatch) -> None:
    pexels = _source("pexels")
    first = pexels.search("sunset", kind="image", orientation="landscape", limit=5)
    path = providers.download(first[0])
    hits = dict(srv.hits)
    assert pexels.search("sunset", kind="image", orientation="landscape", limit=5) == first
    assert providers.download(first[0]) == path
    assert dict(srv.hits) == hits  # neither the search nor the file asked the server again
    monkeypatch.setenv("REELGRAPH_STOCK_QUERY_TTL_S", "0")
    monkeypatch.setenv("REELGRAPH_STOCK_FILE_TTL_S", "0")
    get_settings.cache_clear()
    pexels.search("sunset", kind="image", orientation="landscape", limit=5)
    assert providers.download(first[0]) == path
    assert srv.hits["pexels-photos"] == hits["pexels-photos"] + 1
    assert srv.hits["media"] == hits["media"] + 1
    revalidation = srv.seen[-1]["headers"]
    assert revalidation["If-None-Match"] == srv.etag("red.jpg")  # answered 304, file kept
    cached = list((get_settings().cache_dir / "stock" / "queries").rglob("*.json"))
    assert cached and all(json.loads(p.read_text())["data"] for p in cached)
