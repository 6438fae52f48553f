"""NVDEC forced on a machine without CUDA: the render's hardware decode fails in real FFmpeg,
the render runs again with software decoding and the video is whole."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from reelgraph.workers.engine import gpu
from tests.conftest import ffprobe_json

pytestmark = pytest.mark.integration


def _clip(path: Path) -> Path:
    sources = ["-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=2", "-f", "lavfi", "-i"]
    codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
    subprocess.run(
        ["ffmpeg", "-v", "error", *sources, "sine=f=440:d=2", *codecs, "-y", str(path)], check=True
    )
    return path


def test_forced_nvdec_without_cuda_renders_with_software_decoding(
    tmp_path: Path, settings_env
) -> None:
    from reelgraph.workers.engine.cache import get_cache
    from reelgraph.workers.engine.render import render_spec

    if gpu.nvdec_finding().value == "cuda":
        pytest.skip("this machine decodes with NVDEC, so the forced decode would not fail")
    settings_env(REELGRAPH_HWDECODE="on")
    src = _clip(tmp_path / "src.mp4")
    spec = {
        "duration": 2,
        "output": {"width": 180, "height": 320, "fps": 25, "quality": "draft"},
        "visuals": [{"kind": "video", "path": str(src), "duration": 2}],
        "audio": {"source_audio": True},
    }
    out = tmp_path / "out.mp4"
    result = render_spec(spec, str(out))
    assert result["decode"] == "software (nvdec failed)"
    info = ffprobe_json(out)
    assert float(info["format"]["duration"]) == pytest.approx(2.0, abs=0.1)
    assert {s["codec_type"] for s in info["streams"]} == {"video", "audio"}
    argv = json.loads((get_cache().entry_dir("render", result["key"]) / "argv.json").read_text())
    assert "-hwaccel" not in argv  # the argv that made the cached file is the software one
