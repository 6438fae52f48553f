"""Shared fixtures: an isolated reelgraph home per test session, FFmpeg helpers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

_SESSION_HOME = None


def pytest_configure(config: pytest.Config) -> None:
    """Every test process gets its own data dir and no LLM endpoint, stock provider or image
    generator from the environment."""
    global _SESSION_HOME
    import tempfile

    _SESSION_HOME = tempfile.mkdtemp(prefix="reelgraph-test-")
    os.environ["REELGRAPH_HOME"] = _SESSION_HOME
    os.environ.pop("OPENAI_API_KEY", None)
    os.environ.pop("OPENAI_BASE_URL", None)
    for name in ("PEXELS_API_KEY", "PIXABAY_API_KEY", "REELGRAPH_PEXELS_API_KEY"):
        os.environ.pop(name, None)
    for name in (
        "REELGRAPH_PIXABAY_API_KEY",
        "REELGRAPH_IMAGE_API_KEY",
        "REELGRAPH_IMAGE_BASE_URL",
    ):
        os.environ.pop(name, None)
    os.environ["REELGRAPH_STOCK_KEYLESS"] = "false"  # no test reaches Openverse or Wikimedia
    os.environ["HF_HUB_OFFLINE"] = "1"
    from reelgraph.settings import get_settings

    get_settings.cache_clear()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SESSION_HOME:
        shutil.rmtree(_SESSION_HOME, ignore_errors=True)


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch):
    """Set env vars for Settings and get a fresh Settings object afterwards."""
    from reelgraph.settings import get_settings

    def _set(**env: str) -> object:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        return get_settings()

    yield _set
    get_settings.cache_clear()


def ffprobe_json(path: str | Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def integrated_loudness(path: str | Path) -> float:
    from reelgraph.workers.engine.ffmpeg import ffmpeg_capture

    res = ffmpeg_capture(["-i", str(path), "-af", "ebur128", "-f", "null", "-"])
    text = res.stderr.decode()
    tail = text[text.rfind("Summary:") :]
    for line in tail.splitlines():
        if line.strip().startswith("I:"):
            return float(line.split()[1])
    raise AssertionError("no loudness summary")


def frame_at(path: str | Path, t: float):
    """The RGB frame at ``t`` seconds as a numpy array (decoded with FFmpeg)."""
    import numpy as np

    info = ffprobe_json(path)
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    w, h = int(v["width"]), int(v["height"])
    from reelgraph.workers.engine.ffmpeg import ffmpeg_capture

    res = ffmpeg_capture(
        [
            "-ss",
            f"{t:.3f}",
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ]
    )
    assert res.returncode == 0, res.stderr[-500:]
    return np.frombuffer(res.stdout, dtype=np.uint8)[: w * h * 3].reshape(h, w, 3)
