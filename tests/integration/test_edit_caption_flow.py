"""The caption flow end to end: reframe + zoom + silence cuts + b-roll + logo in one render,
then a re-style run that reuses the transcript, faces and silence map from the cache."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ffprobe_json, frame_at
from tests.fixtures_video import talk_src, video_dir  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.integration

W, H = 180, 320


@pytest.fixture
def extras(tmp_path: Path) -> tuple[Path, Path]:
    broll = tmp_path / "broll"
    broll.mkdir()
    Image.new("RGB", (64, 36), (0, 200, 0)).save(broll / "fox.png")
    Image.new("RGB", (64, 36), (0, 0, 200)).save(broll / "unrelated_kitten.png")
    logo = tmp_path / "logo.png"
    Image.new("RGB", (40, 20), (230, 0, 0)).save(logo)
    return broll, logo


def test_caption_reframe_broll_logo_then_restyle_hits_cache(
    talk_src: Path,
    extras: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    from reelgraph.graph.caption import run_caption

    broll, logo = extras
    opts = {
        "aspect": "9:16",
        "width": W,
        "height": H,
        "zoom": True,
        "remove_silence": True,
        "min_silence": 0.3,
        "silence_padding": 0.1,
        "broll_dir": str(broll),
        "logo": str(logo),
        "caption_style": "karaoke",
    }
    first = run_caption({"source": str(talk_src)}, opts, out_dir=tmp_path / "a")
    art = first["artifacts"]
    for name in (
        "video.mp4",
        "captions.ass",
        "captions.srt",
        "captions.vtt",
        "transcript.json",
        "spec.json",
        "report.json",
        "thumbnail.jpg",
    ):
        assert Path(art[name]).is_file(), name
    spec = json.loads(Path(art["spec.json"]).read_text())
    info = ffprobe_json(art["video.mp4"])
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (v["width"], v["height"], v["r_frame_rate"]) == (W, H, "30/1")
    assert int(v["nb_frames"]) == pytest.approx(spec["duration"] * 30, abs=1)
    assert any(s["codec_type"] == "audio" for s in info["streams"])
    assert spec["visuals"][0]["motion"]["periodic_zoom"] > 0
    assert "fox" in Path(art["captions.srt"]).read_text().lower()

    broll_ov = [o for o in spec["overlays"] if o["path"].endswith("fox.png")]
    assert len(broll_ov) == 1 and len(spec["overlays"]) == 2  # b-roll + logo, not the kitten
    mid = (broll_ov[0]["start"] + broll_ov[0]["end"]) / 2
    px = frame_at(art["video.mp4"], mid)[H // 2, W // 2].astype(int)
    assert px[1] > 150 and px[0] < 80, px  # the green b-roll fills the frame
    logo_px = frame_at(art["video.mp4"], max(0.1, broll_ov[0]["start"] - 0.3))
    y, x = int(0.06 * H), int(0.88 * W)
    assert np.mean(logo_px[y - 2 : y + 3, x - 2 : x + 3, 0]) > 150  # red logo, top right

    report = json.loads(Path(art["report.json"]).read_text())
    assert report["edits"]["overlays"] == 2 and report["edits"]["reframe"] is True
    assert report["duration_out"] < report["duration_in"]

    second = run_caption(
        {"source": str(talk_src)}, {**opts, "caption_style": "pop"}, out_dir=tmp_path / "b"
    )
    cache = second["report"]["cache"]
    assert cache["transcribe"] == "hit" and cache["faces"] == "hit"
    assert cache["silence"] == "hit" and cache["extract_audio"] == "hit"
    assert cache["render"] == "miss"  # the new caption style needs a new render
    assert second["report"]["caption_style"] == "pop"
    spec2 = json.loads(Path(second["artifacts"]["spec.json"]).read_text())
    assert spec2["cuts"] == spec["cuts"] and spec2["duration"] == spec["duration"]
