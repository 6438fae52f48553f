"""The one module that runs subprocesses: FFmpeg discovery, trial encodes and supervised runs.

Runs report progress from ``-progress pipe:1`` through a callback (throttled to about once a
second), can be canceled through a ``should_cancel`` callable (the process is stopped within
about half a second), and keep the stderr tail for error messages and logs.
"""

from __future__ import annotations

import logging
import os
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

from common.errors import Canceled, DependencyMissing, RenderFailed

logger = logging.getLogger(__name__)

ProgressFn = Callable[[float], None]
CancelFn = Callable[[], bool]

#: FFmpeg reads user media only through these protocols.
PROTOCOL_WHITELIST = "file,pipe"


@lru_cache(maxsize=1)
def ffmpeg_binary() -> str:
    """The system ffmpeg if on PATH (or set in settings), else imageio-ffmpeg's bundled one."""
    from common.settings import get_settings

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
        [ffmpeg_binary(), "-hide_banner", "-version"], capture_output=True, text=True, timeout=30
    )
    return (out.stdout.splitlines() or ["unknown"])[0].strip()


@lru_cache(maxsize=8)
def trial_encode(encoder: str) -> bool:
    """True when a tiny real encode with ``encoder`` succeeds on this machine (cached)."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = [
            ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
            "-i", "color=c=black:s=256x256:r=30:d=0.2", "-c:v", encoder,
            "-pix_fmt", "yuv420p", "-frames:v", "4", "-y", str(Path(tmp) / "t.mp4"),
        ]  # fmt: skip
        try:
            res = subprocess.run(argv, capture_output=True, timeout=60)
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
        text=True,
        start_new_session=True,
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
        raise RenderFailed(f"{what} failed: {last[:300]}", detail=stderr_tail)
    if on_progress is not None:
        on_progress(1.0)


def _kill(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_capture(
    argv: Sequence[str], *, timeout: float = 120, input_bytes: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run a short helper command (espeak-ng, ffmpeg analysis) and capture its output."""
    return subprocess.run(list(argv), capture_output=True, timeout=timeout, input=input_bytes)


def ffmpeg_capture(
    args: Sequence[str], *, timeout: float = 600
) -> subprocess.CompletedProcess[bytes]:
    """Run ``ffmpeg <args>`` to completion and capture output (analysis passes, decodes)."""
    return run_capture([ffmpeg_binary(), "-hide_banner", "-nostdin", *args], timeout=timeout)
