"""Media from a URL: a direct link to a file, or a page that plays a video (TikTok, Instagram,
YouTube, any page with a ``<video>``), resolved by yt-dlp.

``fetch_media(url, folder, stem)`` is the one way a media URL becomes a local file:

1. the guarded fetch reads the response's first bytes; when they sniff as media the body is
   saved as it is (``folder/stem``), as a direct download always was;
2. otherwise (an HTML page, an error status, a manifest) yt-dlp resolves the page to its
   video. Every request it makes goes through ``ytdl_net.GuardedRH`` (netguard's address checks
   on each URL and redirect, DNS pinning, one byte budget, a deadline, a timeout per request).
   The duration, live state and announced size are checked before any media byte is fetched.
   Only yt-dlp's own HTTP, HLS and DASH downloaders run: no FFmpeg, external downloader, JS
   runtime, plugin, config file, cookie file or cache directory, and nothing is written outside
   a temporary folder beside the output;
3. what it downloaded is sniffed and probed (whitelisted demuxers, ``probe``) and remuxed by our
   FFmpeg (``input_args``: format and protocol whitelists, the probed demuxer forced) into one
   plain Matroska file, ``folder/<stem>.mkv``.

The page's title, uploader, address and duration come back as ``Fetched.page``.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reelgraph import netguard
from reelgraph.errors import CorruptMedia, MediaTooLarge, UnsupportedMedia
from reelgraph.settings import get_settings
from reelgraph.sniff import sniff
from reelgraph.workers.engine import ytdl_errors
from reelgraph.workers.engine.ytdl_net import Budget, GuardedYDL, size_text

logger = logging.getLogger(__name__)

#: yt-dlp's protocols whose downloaders are its own Python code going through ``ydl.urlopen``.
PROTOCOLS = ("http", "https", "m3u8_native", "m3u8", "http_dash_segments")
#: Prefer one file with sound and picture up to 1080p, then video + audio downloaded apart.
FORMAT_SPEC = "b[height<=?1080]/bv*[height<=?1080]+ba/b/bv*+ba/b*"
_LIVE = ("is_live", "is_upcoming", "post_live")
_TEXT_MAX = 300


@dataclass(frozen=True)
class Fetched:
    path: Path
    page: dict[str, Any] | None
    """For a page URL: {url, title, uploader, duration, site}; None for a direct file."""


def is_media(head: bytes) -> bool:
    """True when the first bytes of a response are a media file (sniffed, never the header)."""
    return sniff(head) is not None


def fetch_media(url: str, folder: Path, stem: str) -> Fetched:
    """``url`` as a local media file in ``folder`` (see the module docstring)."""
    s = get_settings()
    direct = folder / stem
    if netguard.fetch_if(url, direct, max_bytes=s.max_media_bytes, accept=is_media):
        return Fetched(direct, None)
    logger.info("%s is not a media file; resolving it as a page", url[:200])
    return fetch_page_video(url, folder / f"{Path(stem).stem or 'video'}.mkv")


def fetch_page_video(url: str, out: Path) -> Fetched:
    """The video a page plays, downloaded under the guard and remuxed to ``out`` (.mkv)."""
    s = get_settings()
    out.parent.mkdir(parents=True, exist_ok=True)
    budget = Budget(max_bytes=s.max_media_bytes, deadline=time.monotonic() + s.page_timeout_s)
    work = Path(tempfile.mkdtemp(prefix=".page-", dir=out.parent))
    try:
        with GuardedYDL(_params(work, s.fetch_timeout_s), budget) as ydl:
            ydl.format_selector = _selector(ydl, budget)
            info = _extract(ydl, url, budget)
            _check_before_download(info, url)
            files = _download(ydl, info, work, budget, url)
        remux(files, out, url)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Fetched(out, page_metadata(url, info))


class _YtLogger:
    """yt-dlp's messages into our log (nothing on stdout or stderr)."""

    def debug(self, msg: str) -> None:
        logger.debug("yt-dlp: %s", msg)

    def info(self, msg: str) -> None:
        logger.debug("yt-dlp: %s", msg)

    def warning(self, msg: str) -> None:
        logger.info("yt-dlp: %s", msg)

    def error(self, msg: str) -> None:
        logger.info("yt-dlp: %s", msg)


def _params(work: Path, timeout: float) -> dict[str, Any]:
    """yt-dlp's options: its own downloaders only, no files or programs outside ``work``.

    A YoutubeDL built from a dict reads no configuration file (only yt-dlp's command line
    does); ``ffmpeg_location`` names a path that does not exist, so no FFmpeg is ever run by it.
    """
    return {
        "logger": _YtLogger(),
        "quiet": True,
        "no_warnings": False,
        "noprogress": True,
        "color": "no_color",
        "cachedir": False,
        "cookiefile": None,
        "usenetrc": False,
        "noplaylist": True,
        "playlist_items": "1",
        "paths": {"home": str(work), "temp": str(work)},
        "ffmpeg_location": str(work / "no-ffmpeg"),
        "external_downloader": {"default": "native"},
        "js_runtimes": {},
        "remote_components": [],
        "fixup": "never",
        "postprocessors": [],
        "socket_timeout": timeout,
        "retries": 2,
        "fragment_retries": 2,
        "extractor_retries": 1,
        "concurrent_fragment_downloads": 1,
        "overwrites": True,
        "continuedl": False,
        "check_formats": False,
        "geo_bypass": False,
    }


def _selector(ydl: Any, budget: Budget) -> Any:
    """FORMAT_SPEC applied to the formats our downloaders may fetch (no DRM, RTMP, websockets)."""
    from yt_dlp.utils import determine_protocol

    inner = ydl.build_format_selector(FORMAT_SPEC)

    def select(ctx: dict[str, Any]) -> Any:
        usable = [
            f
            for f in ctx["formats"]
            if determine_protocol(f) in PROTOCOLS and not f.get("has_drm") and f.get("url")
        ]
        if not usable and ctx["formats"]:
            budget.refusal = ytdl_errors.unusable_formats()
        return inner({**ctx, "formats": usable}) if usable else iter(())

    return select


def _extract(ydl: Any, url: str, budget: Budget) -> dict[str, Any]:
    """The page's video info with its format chosen; nothing downloaded yet."""
    from yt_dlp.utils import YoutubeDLError

    try:
        info = ydl.extract_info(url, download=False)
    except YoutubeDLError as exc:
        raise ytdl_errors.translate(exc, url, budget.refusal) from exc
    while info and info.get("_type") == "playlist":
        info = next((e for e in info.get("entries") or [] if e), None)
    if not info:
        raise ytdl_errors.no_video(url)
    return dict(info)


def _check_before_download(info: dict[str, Any], url: str) -> None:
    """Refuse live streams, and videos over the duration or size limit, before downloading."""
    s = get_settings()
    if info.get("is_live") or info.get("live_status") in _LIVE:
        raise ytdl_errors.live(url)
    duration = info.get("duration")
    if isinstance(duration, int | float) and duration > s.max_duration_s:
        raise MediaTooLarge(
            f"The video on {_short(url)} lasts {duration:.0f}s, over the {s.max_duration_s:.0f}s "
            "limit; trim it or pick a shorter one. Nothing was downloaded."
        )
    sizes = [f.get("filesize") or f.get("filesize_approx") or 0 for f in _formats(info)]
    if sum(sizes) > s.max_media_bytes:
        raise MediaTooLarge(
            f"The video on {_short(url)} is about {size_text(sum(sizes))}, over the "
            f"{size_text(s.max_media_bytes)} limit. Nothing was downloaded."
        )


def _formats(info: dict[str, Any]) -> list[dict[str, Any]]:
    """The chosen format(s), each as a complete info dict one downloader can fetch."""
    chosen = info.get("requested_formats") or [info]
    out = []
    for f in chosen:
        merged = {**info, **f}
        merged.pop("requested_formats", None)
        out.append(merged)
    return out


def _download(ydl: Any, info: dict[str, Any], work: Path, budget: Budget, url: str) -> list[Path]:
    from yt_dlp.downloader import get_suitable_downloader
    from yt_dlp.downloader.dash import DashSegmentsFD
    from yt_dlp.downloader.hls import HlsFD
    from yt_dlp.downloader.http import HttpFD
    from yt_dlp.utils import YoutubeDLError

    files = []
    for i, fmt in enumerate(_formats(info)):
        if get_suitable_downloader(fmt, ydl.params) not in (HttpFD, HlsFD, DashSegmentsFD):
            raise ytdl_errors.unusable_formats()
        path = work / f"part{i}.media"
        try:
            ok, _ = ydl.dl(str(path), fmt)
        except YoutubeDLError as exc:  # DownloadError, or a request error raised as it is
            raise ytdl_errors.translate(exc, url, budget.refusal) from exc
        if budget.refusal is not None:
            raise budget.refusal
        if not ok or not path.is_file():
            raise ytdl_errors.failed(url, "the download did not complete")
        files.append(path)
    return files


def _sniff_download(path: Path) -> None:
    """A downloaded part must start like audio or video (or be an MPEG-TS from HLS)."""
    with path.open("rb") as fh:
        head = fh.read(188 * 3)
    kind = sniff(head)
    ts = len(head) == 188 * 3 and head[0] == head[188] == head[376] == 0x47
    if ts or (kind is not None and kind.kind in ("video", "audio")):
        return
    raise ytdl_errors.unreadable()


def remux(files: list[Path], out: Path, url: str) -> Path:
    """Sniff and probe each part, then copy its streams into one Matroska file at ``out``."""
    from reelgraph.workers.engine.ffmpeg import input_args, run_ffmpeg
    from reelgraph.workers.engine.probe import probe

    args: list[str] = ["-y"]
    video = audio = None
    for i, path in enumerate(files):
        _sniff_download(path)
        try:
            info = probe(path)
        except (UnsupportedMedia, CorruptMedia) as exc:
            raise ytdl_errors.unreadable(exc.message) from exc
        args += input_args(str(path), info.demuxer)
        if info.has_video and video is None:
            video = f"{i}:v:0"
        if info.has_audio and audio is None:
            audio = f"{i}:a:0"
    maps = [m for stream in (video, audio) if stream for m in ("-map", stream)]
    if not maps:
        raise ytdl_errors.unreadable("no audio or video stream")
    tmp = out.with_name(f".{out.name}.partial")
    args += [*maps, "-c", "copy", "-map_metadata", "-1", "-map_chapters", "-1"]
    args += ["-f", "matroska", str(tmp)]
    try:
        run_ffmpeg(args, timeout=600, what="Remuxing the page's video")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _text(value: Any) -> str | None:
    """A page-given string made safe to show: no control characters, at most _TEXT_MAX long."""
    if not isinstance(value, str):
        return None
    clean = re.sub(r"[\x00-\x1f\x7f]+", " ", value).strip()
    return clean[:_TEXT_MAX] or None


def page_metadata(url: str, info: dict[str, Any]) -> dict[str, Any]:
    """Where a page URL's video came from: what the report shows as ``source.page``."""
    uploader = next(
        (info.get(k) for k in ("uploader", "channel", "creator", "uploader_id") if info.get(k)),
        None,
    )
    duration = info.get("duration")
    return {
        "url": url,
        "title": _text(info.get("title")),
        "uploader": _text(uploader),
        "duration": float(duration) if isinstance(duration, int | float) else None,
        "site": _text(info.get("extractor_key")),
    }


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:120] + "..."
