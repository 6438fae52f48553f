"""yt-dlp's failures as reelgraph errors: a stable code and one sentence a person can act on.

``translate`` reads the DownloadError yt-dlp raised (its cause's class first, then the text of
its message) and returns the error to raise: no video on the page or an unsupported site, a
private or removed video, a login wall, a live stream, DRM, a refusal of our own guard (the
address, the size or the time limit), or a failed download.
"""

from __future__ import annotations

import re
from typing import Any

from reelgraph.errors import (
    FetchFailed,
    FetchRefused,
    MissingAsset,
    ReelgraphError,
    UnsupportedMedia,
)

_UNAVAILABLE = re.compile(
    r"private video|video is private|is private|been removed|was removed|video unavailable|"
    r"is unavailable|not available|no longer available|does not exist|doesn't exist|"
    r"deleted|terminated|not found|http error 404|http error 410|copyright",
    re.IGNORECASE,
)
_LOGIN = re.compile(
    r"sign in|log ?in|login|logged-in|cookies|authenticat|account|members[- ]only|"
    r"confirm your age|age[- ]restricted|--username|subscri",
    re.IGNORECASE,
)
_NO_VIDEO = re.compile(
    r"unsupported url|no video formats|no video could be found|no media found|"
    r"requested format is not available|no formats found|did not find any",
    re.IGNORECASE,
)
_LIVE = re.compile(r"live event|is live|livestream|premieres in|will begin in", re.IGNORECASE)
_DRM = re.compile(r"\bdrm\b", re.IGNORECASE)
_NOISE = re.compile(r"\x1b\[[0-9;]*m|^ERROR:\s*|\[[\w:.-]+\]\s*(?:[\w-]+:\s*)?", re.IGNORECASE)


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:120] + "..."


def no_video(url: str) -> UnsupportedMedia:
    return UnsupportedMedia(
        f"No video was found on {_short(url)}; give the address of a page that plays one "
        "video (or a direct link to the media file), and check it opens in a browser.",
        code="no_video_found",
    )


def unavailable(url: str) -> MissingAsset:
    return MissingAsset(
        f"The video on {_short(url)} is private, removed or not available here; check that "
        "it plays in a browser without signing in.",
        code="video_unavailable",
    )


def login_required(url: str) -> FetchRefused:
    return FetchRefused(
        f"{_short(url)} shows its video only to signed-in accounts, and reelgraph does not sign "
        "in; download the video yourself and give the file instead.",
        code="login_required",
    )


def live(url: str) -> UnsupportedMedia:
    return UnsupportedMedia(
        f"{_short(url)} is a live or upcoming stream; use it once the recording is published.",
        code="live_stream",
    )


def unusable_formats() -> UnsupportedMedia:
    return UnsupportedMedia(
        "The page's video is only offered in a form reelgraph does not download (DRM, RTMP or "
        "another streaming protocol); give a direct link to the media file instead.",
        code="unsupported_stream",
    )


def unreadable(reason: str | None = None) -> UnsupportedMedia:
    return UnsupportedMedia(
        "The media on that page is not an audio or video file reelgraph can read; give a "
        "direct link to an MP4, MOV, MKV or WebM file instead.",
        detail=reason,
    )


def failed(url: str, why: str) -> FetchFailed:
    return FetchFailed(f"Downloading the video on {_short(url)} failed: {why}.")


def _cause(exc: BaseException) -> BaseException | None:
    info = getattr(exc, "exc_info", None)
    return info[1] if info and len(info) > 1 else exc.__cause__


def _http_status(cause: Any) -> int | None:
    for err in (cause, getattr(cause, "cause", None)):
        status = getattr(err, "status", None)
        if isinstance(status, int):
            return status
    return None


def reason_text(exc: BaseException) -> str:
    """yt-dlp's message without its prefixes and colour codes: for logs and FetchFailed."""
    text = _NOISE.sub("", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return text.split("; please report this issue")[0].strip()[:200] or "unknown error"


def _by_text(text: str, url: str) -> ReelgraphError | None:
    if _UNAVAILABLE.search(text):  # before the login words: "Private video. Sign in if ..."
        return unavailable(url)
    if _LOGIN.search(text):
        return login_required(url)
    if _LIVE.search(text):
        return live(url)
    if _DRM.search(text):
        return unusable_formats()
    if _NO_VIDEO.search(text):
        return no_video(url)
    return None


def translate(exc: BaseException, url: str, refusal: ReelgraphError | None) -> ReelgraphError:
    """The reelgraph error for a DownloadError raised on ``url``.

    ``refusal`` (our guard's own error during the run: a refused address, a limit) wins, since
    yt-dlp reports it only as a failed request.
    """
    from yt_dlp.networking.exceptions import TransportError
    from yt_dlp.utils import GeoRestrictedError, UnsupportedError

    if refusal is not None:
        return refusal
    cause = _cause(exc)
    if isinstance(cause, UnsupportedError):
        return no_video(url)
    if isinstance(cause, GeoRestrictedError):
        return unavailable(url)
    status = _http_status(cause)
    if status in (404, 410):
        return unavailable(url)
    if status == 401:
        return login_required(url)
    found = _by_text(str(exc), url)
    if found is not None:
        return found
    err = failed(url, reason_text(exc))
    network = isinstance(cause, TransportError) or isinstance(
        getattr(cause, "cause", None), TransportError
    )
    err.retryable = status == 429 or (status or 0) >= 500 or (status is None and network)
    return err
