"""Page URLs: a page that plays a video is resolved by yt-dlp, every request of it guarded.

A loopback site (allowed through REELGRAPH_FETCH_ALLOWLIST only) serves pages that embed the
real talk video (progressive MP4 and HLS), pages without a video, redirects to private
addresses, a page whose video is too long, and pages whose "video" is a polyglot or text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import pytest

from reelgraph.errors import FetchRefused, MediaTooLarge, UnsupportedMedia
from reelgraph.settings import get_settings
from tests.fixtures_video import ffmpeg, talk_src, video_dir  # noqa: F401  (pytest fixtures)
from tests.page_site import PageSite, serve_site

pytestmark = pytest.mark.integration


def _polyglot(d: Path) -> bytes:
    """ID3, then an HLS playlist naming a local "secret" file, then real MP3 frames: PyAV
    reads MP3, an unguarded FFmpeg follows the playlist (see test_media_polyglot)."""
    secret = d / "secret.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=f=1000:d=2", "-ac", "1", str(secret))
    carrier = d / "carrier.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=f=300:d=2", "-ac", "1", "-id3v2_version", "0", str(carrier))
    playlist = f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n{secret}\n#EXT-X-ENDLIST\n"
    payload = b"\x00" * 16
    tag = b"ID3\x04\x00\x00\x00\x00\x00" + bytes([len(payload)]) + payload
    return tag + playlist.encode() + carrier.read_bytes()


@pytest.fixture(scope="module")
def site(talk_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageSite]:
    work = tmp_path_factory.mktemp("site")
    with serve_site() as s:
        s.add("/media/talk.mp4", talk_src.read_bytes(), "video/mp4")
        s.video_page("/watch/lakeside.html", "Lakeside talk", "/media/talk.mp4")
        s.hls("/media/hls", talk_src, work / "hls")
        s.video_page(
            "/watch/stream.html", "Streamed talk", "/media/hls/index.m3u8", "application/x-mpegurl"
        )
        s.page("/watch/empty.html", "Nothing to see", "<p>Only words here.</p>")
        s.redirect("/watch/moved.html", "http://10.1.2.3/watch.html")
        s.redirect("/media/hop.mp4", "http://192.168.7.7/talk.mp4")
        s.video_page("/watch/hop.html", "Hop", "/media/hop.mp4")
        s.add("/media/long.mp4", talk_src.read_bytes(), "video/mp4")
        s.json_ld_page("/watch/long.html", "A long lecture", "/media/long.mp4", "PT20M")
        s.add("/media/odd.mp4", _polyglot(work), "video/mp4")
        s.video_page("/watch/odd.html", "Odd", "/media/odd.mp4")
        s.add("/media/text.mp4", b"<html><body>not a video at all</body></html>\n" * 40)
        s.video_page("/watch/text.html", "Text", "/media/text.mp4")
        yield s


@pytest.fixture
def allowed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REELGRAPH_FETCH_ALLOWLIST", '["127.0.0.1"]')
    get_settings.cache_clear()
    yield tmp_path / "out"
    get_settings.cache_clear()


def _fetch(url: str, out: Path):
    from reelgraph.workers.engine.pagemedia import fetch_media

    return fetch_media(url, out, "video")


def _streams(path: Path) -> tuple[str, set[str], float]:
    with av.open(str(path)) as c:
        kinds = {s.type for s in c.streams}
        return c.format.name, kinds, float(c.duration or 0) / 1e6


def _clean(out: Path) -> list[str]:
    """What is left in the output folder: no temp folders, partial or half files."""
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


def test_page_video_is_downloaded_and_remuxed_with_its_metadata(site, allowed, talk_src) -> None:
    url = site.base + "/watch/lakeside.html"
    got = _fetch(url, allowed)
    assert got.path == allowed / "video.mkv"
    fmt, kinds, duration = _streams(got.path)
    assert "matroska" in fmt and kinds == {"video", "audio"}
    assert duration == pytest.approx(_streams(talk_src)[2], abs=0.2)
    assert got.page is not None
    assert got.page["url"] == url and got.page["title"].startswith("Lakeside talk")
    assert got.page["site"] and set(got.page) == {"url", "title", "uploader", "duration", "site"}
    assert _clean(allowed) == ["video.mkv"]


def test_direct_media_url_is_used_as_it_is(site, allowed, talk_src) -> None:
    got = _fetch(site.base + "/media/talk.mp4", allowed)
    assert got.page is None and got.path.read_bytes() == talk_src.read_bytes()


def test_hls_page_goes_through_the_native_downloader(site, allowed, talk_src) -> None:
    before = len(site.seen)
    got = _fetch(site.base + "/watch/stream.html", allowed)
    _, kinds, duration = _streams(got.path)
    assert kinds == {"video", "audio"}
    assert duration == pytest.approx(_streams(talk_src)[2], abs=0.5)
    segments = {p for p in site.routes if p.endswith(".ts")}
    assert len(segments) >= 3 and segments <= set(site.seen[before:])  # each one, guarded


def test_loopback_page_is_refused_without_the_allowlist(site, allowed, monkeypatch) -> None:
    monkeypatch.delenv("REELGRAPH_FETCH_ALLOWLIST")
    get_settings.cache_clear()
    with pytest.raises(FetchRefused) as err:
        _fetch(site.base + "/watch/lakeside.html", allowed)
    assert "127.0.0.1" in str(err.value) and "loopback" in str(err.value)
    assert "REELGRAPH_FETCH_ALLOWLIST" in str(err.value)
    assert _clean(allowed) == []


def test_page_redirecting_to_a_private_address_is_refused(site, allowed) -> None:
    with pytest.raises(FetchRefused) as err:
        _fetch(site.base + "/watch/moved.html", allowed)
    assert "10.1.2.3" in str(err.value) and "private" in str(err.value)


def test_embedded_video_redirecting_to_a_private_address_is_refused(site, allowed) -> None:
    """The page is allowed; yt-dlp's request for its video is redirected to 192.168.7.7,
    which the guarded request handler refuses before connecting."""
    with pytest.raises(FetchRefused) as err:
        _fetch(site.base + "/watch/hop.html", allowed)
    assert "192.168.7.7" in str(err.value) and "private" in str(err.value)
    assert "/media/hop.mp4" in site.seen
    assert _clean(allowed) == []


def test_page_without_a_video_says_so(site, allowed) -> None:
    with pytest.raises(UnsupportedMedia) as err:
        _fetch(site.base + "/watch/empty.html", allowed)
    assert err.value.code == "no_video_found"
    assert str(err.value).startswith("No video was found on http://127.0.0.1:")
    assert _clean(allowed) == []


def test_too_long_video_is_refused_before_download(site, allowed) -> None:
    with pytest.raises(MediaTooLarge) as err:
        _fetch(site.base + "/watch/long.html", allowed)
    assert "1200s" in str(err.value) and "900s" in str(err.value)
    assert "Nothing was downloaded" in str(err.value)
    assert "/watch/long.html" in site.seen and "/media/long.mp4" not in site.seen


def test_too_big_video_stops_at_the_byte_limit(site, allowed, monkeypatch, talk_src) -> None:
    limit = talk_src.stat().st_size // 2
    monkeypatch.setenv("REELGRAPH_MAX_MEDIA_BYTES", str(limit))
    get_settings.cache_clear()
    with pytest.raises(MediaTooLarge) as err:
        _fetch(site.base + "/watch/lakeside.html", allowed)
    assert "larger than" in str(err.value) and "limit" in str(err.value)
    assert _clean(allowed) == []


@pytest.mark.parametrize("page", ["odd", "text"])
def test_odd_files_behind_a_page_go_through_sniff_and_probe(site, allowed, page) -> None:
    """A polyglot (MP3 to PyAV, an HLS playlist naming a local file to FFmpeg) and text
    served as video.mp4: both refused by our own sniff and probe, nothing remuxed."""
    with pytest.raises(UnsupportedMedia) as err:
        _fetch(site.base + f"/watch/{page}.html", allowed)
    assert err.value.code == "unsupported_media"
    assert "not an audio or video file reelgraph can read" in str(err.value)
    assert f"/media/{page}.mp4" in site.seen
    assert _clean(allowed) == []
