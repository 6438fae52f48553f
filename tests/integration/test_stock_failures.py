"""Stock providers when things go wrong, against the local stand-in (tests/stock_servers):
refused addresses, 429 with Retry-After, 5xx backoff and giving up, refused keys, bad files,
and API keys that never reach errors, logs, the cache or the items."""

from __future__ import annotations

import logging

import pytest

from reelgraph.errors import (
    FetchRefused,
    MediaTooLarge,
    ProviderAuthError,
    ProviderError,
    UnsupportedMedia,
)
from reelgraph.settings import get_settings
from reelgraph.workers.engine.visuals import http, providers
from reelgraph.workers.engine.visuals.candidate import Candidate
from reelgraph.workers.engine.visuals.http import resume_all
from tests import stock_servers as _stock
from tests.stock_servers import (
    IMAGE_KEY,
    PEXELS_KEY,
    PIXABAY_KEY,
    StockServer,
)

pytestmark = pytest.mark.integration
KEYS = (PEXELS_KEY, PIXABAY_KEY, IMAGE_KEY)


media = _stock.media
srv = _stock.srv


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The backoff delays asked for (recorded, not slept)."""
    asked: list[float] = []
    monkeypatch.setattr(http.time, "sleep", asked.append)
    return asked


def _search(name: str, kind: str | None = "image") -> list[Candidate]:
    source = providers.get_source(name)
    assert source is not None
    return source.search("sunset", kind=kind, orientation="landscape", limit=3)  # type: ignore[arg-type]


def _item(srv: StockServer, name: str, kind: str = "image") -> Candidate:
    return Candidate(source="pexels", id=name, kind=kind, url=srv.media_url(name))  # type: ignore[arg-type]


def test_loopback_is_refused_without_the_allowlist(srv: StockServer, monkeypatch) -> None:
    monkeypatch.delenv("REELGRAPH_FETCH_ALLOWLIST")
    get_settings.cache_clear()
    with pytest.raises(FetchRefused, match="REELGRAPH_FETCH_ALLOWLIST") as refused:
        _search("pixabay")  # the key is in Pixabay's query string, and so in netguard's message
    assert "key=***" in str(refused.value) and PIXABAY_KEY not in str(refused.value)
    with pytest.raises(FetchRefused):
        providers.download(_item(srv, "red.jpg"))
    assert sum(srv.hits.values()) == 0  # nothing reached the server


def test_429_is_retried_after_retry_after_then_succeeds(srv: StockServer, sleeps) -> None:
    srv.retry_after = "1"
    srv.fail("pexels-photos", 429, 429)
    assert [c.id for c in _search("pexels")] == ["1001", "1002"]
    assert srv.hits["pexels-photos"] == 3 and sleeps == [1.0, 1.0]


def test_5xx_backs_off_exponentially(srv: StockServer, sleeps, monkeypatch) -> None:
    monkeypatch.setenv("REELGRAPH_STOCK_BACKOFF_S", "0.25")
    get_settings.cache_clear()
    srv.fail("openverse", 503, 502)
    srv.fail("media", 500)
    found = _search("openverse")
    assert len(found) == 2 and sleeps == [0.25, 0.5]
    assert providers.download(found[0]).is_file() and srv.hits["media"] == 2


def test_persistent_5xx_gives_up_and_pauses_the_provider(srv: StockServer, sleeps) -> None:
    srv.fail("wikimedia", *[503] * 10)
    with pytest.raises(ProviderError, match=r"Wikimedia Commons failed \(HTTP 503\) 4 times"):
        _search("wikimedia")
    assert srv.hits["wikimedia"] == 4 and len(sleeps) == 3  # 1 try + stock_retries (3)
    with pytest.raises(ProviderError, match="4 times"):
        _search("wikimedia", kind="video")  # paused: the same error, no request
    assert srv.hits["wikimedia"] == 4
    assert [c.id for c in _search("pexels")] == ["1001", "1002"]  # the next source still works
    resume_all()
    srv.scripts.clear()
    assert _search("wikimedia")


def test_a_failing_provider_falls_back_to_what_was_kept(
    srv: StockServer, sleeps, monkeypatch
) -> None:
    found = _search("pixabay")
    path = providers.download(found[0])
    monkeypatch.setenv("REELGRAPH_STOCK_QUERY_TTL_S", "0")
    monkeypatch.setenv("REELGRAPH_STOCK_FILE_TTL_S", "0")
    get_settings.cache_clear()
    srv.fail("pixabay-images", *[503] * 4)
    srv.fail("media", *[503] * 4)
    assert _search("pixabay") == found  # asked again (4 tries), then the older result
    assert providers.download(found[0]) == path
    assert srv.hits["pixabay-images"] == 5 and srv.hits["media"] == 5


def test_a_host_that_does_not_resolve_fails_at_once(srv: StockServer, sleeps, monkeypatch) -> None:
    monkeypatch.setenv(
        "REELGRAPH_OPENVERSE_URL", "http://stock.invalid"
    )  # RFC 6761: never resolves
    get_settings.cache_clear()
    with pytest.raises(ProviderError, match="could not be resolved") as failed:
        _search("openverse")
    assert not failed.value.retryable and sleeps == []


def test_a_refused_key_fails_at_once(srv: StockServer, monkeypatch, sleeps) -> None:
    srv.fail("generate", 401)
    with pytest.raises(ProviderAuthError, match=r"HTTP 401"):
        _search("generate")
    monkeypatch.setenv("PEXELS_API_KEY", "a-wrong-key-123456")
    get_settings.cache_clear()
    with pytest.raises(ProviderAuthError) as refused:
        _search("pexels")
    assert refused.value.code == "provider_auth" and "a-wrong-key" not in str(refused.value)
    assert srv.hits["generate"] == 1 and srv.hits["pexels-photos"] == 1 and sleeps == []


def test_downloads_are_sniffed_decoded_and_capped(srv: StockServer, monkeypatch) -> None:
    with pytest.raises(UnsupportedMedia, match="not an image or a video"):
        providers.download(_item(srv, "page.jpg"))  # HTML sent as image/jpeg
    with pytest.raises(UnsupportedMedia, match="is a video, not the image"):
        providers.download(_item(srv, "clip.mp4"))
    with pytest.raises(MediaTooLarge, match="pixel"):
        providers.download(_item(srv, "bomb.png"))  # refused from its header, never decoded
    with pytest.raises(ProviderError, match="HTTP 404"):
        providers.download(_item(srv, "missing.jpg"))
    monkeypatch.setenv("REELGRAPH_MAX_IMAGE_BYTES", "200")
    get_settings.cache_clear()
    with pytest.raises(MediaTooLarge):
        providers.download(_item(srv, "red.jpg"))
    files = get_settings().cache_dir / "stock" / "files"
    assert not [p for p in files.iterdir() if not p.name.startswith(".")]  # nothing was kept
    assert not list(files.glob("*.partial"))


def test_keys_never_reach_errors_logs_cache_or_items(
    srv: StockServer, caplog: pytest.LogCaptureFixture, sleeps
) -> None:
    caplog.set_level(logging.DEBUG)
    messages: list[str] = []
    items: list[Candidate] = []
    for name in ("pexels", "pixabay", "generate"):
        items += _search(name, kind=None)
    items += [c for c in _search("pexels", kind="video")]
    for item in items:
        providers.download(item)
    srv.fail("pixabay-videos", *[429] * 4)
    srv.fail("pexels-videos", 403)
    for name in ("pixabay", "pexels"):
        resume_all()
        with pytest.raises(ProviderError) as failed:
            source = providers.get_source(name)
            assert source is not None
            source.search("night", kind="video", orientation="portrait", limit=3)
        messages.append(str(failed.value))
    texts = [caplog.text, *messages, *(repr(i.to_dict()) for i in items), repr(get_settings())]
    cache = get_settings().cache_dir
    texts += [p.read_bytes().decode("latin-1") for p in cache.rglob("*") if p.is_file()]
    assert "HTTP Request" in caplog.text  # httpx logged the request lines, redacted
    for key in KEYS:
        assert not [t for t in texts if key in t]
