"""The one module that runs subprocesses: FFmpeg discovery, trial encodes and supervised runs.

Runs report progress from ``-progress pipe:1`` through a callback (throttled to about once a
second), can be canceled through a ``should_cancel`` callable (the process is stopped within
about half a second), and keep the stderr tail for error messages and logs.
"""

from __future__ import annotations

import logging
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from contextvars import copy_context
from functools import lru_cache
from pathlib import Path

from reelgraph.errors import Canceled, DependencyMissing, RenderFailed
from reelgraph.process import child_setup

logger = logging.getLogger(__name__)

ProgressFn = Callable[[float], None]
CancelFn = Callable[[], bool]

#: FFmpeg (and PyAV) read user media only through these protocols: local files, nothing else.
PROTOCOL_WHITELIST = "file"

#: The only demuxers FFmpeg (and PyAV) may use for user media, as FFmpeg 5.1 names them:
#: single-file containers, raw audio streams and single images. Playlist and reference formats
#: that open other files (hls, dash, concat, imf, ...) are absent on purpose.
FORMAT_WHITELIST = (
    "mov,matroska,avi,flv,mpegts,mpeg,asf,"
    "wav,w64,mp3,ogg,flac,aac,aiff,caf,amr,ac3,eac3,"
    "image2,png_pipe,jpeg_pipe,webp_pipe,bmp_pipe,tiff_pipe,gif_pipe,gif"
)

_INPUT_LINE = re.compile(r"^Input #0, ([\w,]+), from ", re.MULTILINE)
_ABS_PATH = re.compile(r"(?<![\w.])/(?:[^/\s'\"]+/)+([^/\s'\"]*)")


@lru_cache(maxsize=1)
def ffmpeg_binary() -> str:
    """The system ffmpeg if on PATH (or set in settings), else imageio-ffmpeg's bundled one."""
    from reelgraph.settings import get_settings

    configured = get_settings().ffmpeg_binary
    if configured:
        return configured
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except Exception as exc:  # pragma: no cover - depends on the install
        raise DependencyMissing(
            "No FFmpeg found: install it (apt-get install ffmpeg) or pip install imageio-ffmpeg."
        ) from exc


@lru_cache(maxsize=1)
def ffmpeg_version() -> str:
    """First line of ``ffmpeg -version``: part of every render cache key."""
    out = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-version"],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        encoding="utf-8",
        errors="replace",
        timeout=30,
    )
    return (out.stdout.splitlines() or ["unknown"])[0].strip()


@lru_cache(maxsize=8)
def trial_encode(encoder: str) -> bool:
    """True when a tiny real encode with ``encoder`` succeeds on this machine (cached)."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = [
            ffmpeg_binary(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=black:s=256x256:r=30:d=0.2",
            "-c:v",
            encoder,
            "-pix_fmt",
            "yuv420p",
            "-frames:v",
            "4",
            "-y",
            str(Path(tmp) / "t.mp4"),
        ]
        try:
            # never inherit stdin: FFmpeg reads keys from it (and ate `create --review` answers)
            res = subprocess.run(argv, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return res.returncode == 0 and (Path(tmp) / "t.mp4").stat().st_size > 0


def choose_encoder(preference: str = "auto") -> str:
    """h264_nvenc where a trial encode works, else libx264; an explicit choice is honoured."""
    if preference not in ("auto", ""):
        return preference
    if trial_encode("h264_nvenc"):
        return "h264_nvenc"
    return "libx264"


def run_ffmpeg(
    args: Sequence[str],
    *,
    duration: float | None = None,
    on_progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
    timeout: float | None = None,
    what: str = "FFmpeg",
) -> None:
    """Run ``ffmpeg <args>`` with progress on stdout; raise RenderFailed with the stderr tail.

    ``args`` excludes the binary. ``-progress pipe:1 -nostats`` is added here.
    """
    argv = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-progress", "pipe:1", "-nostats", *args]
    logger.info("running %s: %s", what, " ".join(argv))
    tail: deque[str] = deque(maxlen=30)
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
        errors="replace",  # stderr echoes media metadata, which may be any bytes
        # in the caller's process group, and killed by the kernel if the caller dies: killing a
        # worker (or RQ killing its work horse) never leaves an FFmpeg running on its own
        preexec_fn=child_setup(signal.SIGKILL),
    )

    def _drain_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            tail.append(line.rstrip())

    t_err = threading.Thread(target=_drain_stderr, daemon=True)
    t_err.start()
    canceled = threading.Event()

    def _watch() -> None:
        start = time.monotonic()
        while proc.poll() is None:
            if should_cancel is not None and should_cancel():
                canceled.set()
                _kill(proc)
                return
            if timeout is not None and time.monotonic() - start > timeout:
                _kill(proc)
                return
            time.sleep(0.2)

    # copy_context: a should_cancel that reads context variables (workers.progress) sees ours
    t_watch = threading.Thread(target=copy_context().run, args=(_watch,), daemon=True)
    t_watch.start()
    last_emit = 0.0
    assert proc.stdout is not None
    for line in proc.stdout:
        key, _, value = line.strip().partition("=")
        if key == "out_time_us" and duration and on_progress is not None:
            try:
                frac = min(1.0, max(0.0, int(value) / 1e6 / duration))
            except ValueError:
                continue
            now = time.monotonic()
            if now - last_emit >= 1.0:
                last_emit = now
                on_progress(frac)
    rc = proc.wait()
    t_err.join(timeout=2)
    if canceled.is_set():
        raise Canceled("The job was canceled.")
    if rc != 0:
        stderr_tail = "\n".join(tail)
        logger.error("%s failed (rc=%s): %s\n%s", what, rc, " ".join(argv), stderr_tail)
        last = next((ln for ln in reversed(tail) if ln.strip()), "no output")
        raise RenderFailed(f"{what} failed: {without_paths(last)[:300]}", detail=stderr_tail)
    if on_progress is not None:
        on_progress(1.0)


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=1.0)
    except subprocess.TimeoutExpired:
        proc.kill()


def run_capture(
    argv: Sequence[str], *, timeout: float = 120, input_bytes: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run a short helper command (espeak-ng, ffmpeg analysis) and capture its output."""
    if input_bytes is None:  # a helper never reads the caller's stdin
        return subprocess.run(
            list(argv), capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    return subprocess.run(list(argv), capture_output=True, timeout=timeout, input=input_bytes)


def ffmpeg_capture(
    args: Sequence[str], *, timeout: float = 600
) -> subprocess.CompletedProcess[bytes]:
    """Run ``ffmpeg <args>`` to completion and capture output (analysis passes, decodes)."""
    return run_capture([ffmpeg_binary(), "-hide_banner", "-nostdin", *args], timeout=timeout)


def input_args(path: str, demuxer: str | None, *pre: str) -> list[str]:
    """The options that open ``path`` as one FFmpeg input of user media, ending in ``-i path``.

    ``demuxer`` is the one the probe found (``MediaInfo.demuxer``) and is forced with ``-f``, so
    FFmpeg never probes the bytes itself; without one FFmpeg probes and refuses any demuxer off
    FORMAT_WHITELIST. ``pre`` are input options such as ``-loop 1``.
    """
    forced = ["-f", demuxer] if demuxer else []
    whitelists = ["-format_whitelist", FORMAT_WHITELIST, "-protocol_whitelist", PROTOCOL_WHITELIST]
    return [*pre, *forced, *whitelists, "-i", path]


def system_demuxer(path: str, timeout: float = 60) -> tuple[str, str]:
    """The demuxer this FFmpeg's own probe picks for ``path`` and the end of its log.

    The name is "" when FFmpeg refuses the file (a demuxer off FORMAT_WHITELIST) or cannot
    open it. No output is written and no other file is opened: the whitelists apply.
    """
    res = ffmpeg_capture(["-v", "info", *input_args(path, None)], timeout=timeout)
    log = res.stderr.decode("utf-8", "replace")
    found = None if "not on whitelist" in log else _INPUT_LINE.search(log)
    return (found.group(1) if found else ""), log[-2000:]


def without_paths(text: str) -> str:
    """``text`` with every absolute path cut to its file name, for messages users see."""
    return _ABS_PATH.sub(r"\1", text)
