"""Silence removal in the one render keeps picture and sound together (within one frame)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures_video import (
    MARKER_BEEP,
    beep_time,
    decode_luma_and_audio,
    flash_time,
    marker_src,  # noqa: F401  (pytest fixture)
    video_dir,  # noqa: F401
)

pytestmark = pytest.mark.integration


OPTIONS = {
    "plain": {"remove_silence": True, "style": "clean"},
    "reframed_zoomed": {
        "remove_silence": True,
        "aspect": "9:16",
        "width": 180,
        "height": 320,
        "zoom": True,
        "fps": 25,
    },
}


@pytest.mark.parametrize("case", list(OPTIONS))
def test_marker_stays_in_sync_after_silence_removal(
    marker_src: Path,
    tmp_path: Path,
    case: str,
) -> None:
    from reelgraph.graph.caption import run_caption

    res = run_caption({"source": str(marker_src)}, OPTIONS[case], out_dir=tmp_path)
    spec = json.loads(Path(res["artifacts"]["spec.json"]).read_text())
    assert len(spec["cuts"]) == 2  # the two pauses around the beep
    removed = sum(c["end"] - c["start"] for c in spec["cuts"] if c["end"] <= MARKER_BEEP[0])
    luma, samples, fps = decode_luma_and_audio(Path(res["artifacts"]["video.mp4"]))
    flash, beep = flash_time(luma, fps), beep_time(samples)
    assert abs(flash - beep) <= 1 / fps, (flash, beep)
    # the marker moved earlier by exactly the silence cut before it
    assert flash == pytest.approx(MARKER_BEEP[0] - removed, abs=1 / fps)
    assert len(luma) / fps == pytest.approx(spec["duration"], abs=1 / fps)
    assert len(samples) / 48000 == pytest.approx(spec["duration"], abs=0.05)
    assert res["report"]["edits"]["cuts"] == 2
    assert res["report"]["cache"]["silence"] in ("hit", "miss")
