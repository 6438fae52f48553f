"""Crossfades between stills, rendered by real FFmpeg: exact frame count, a real blend mid-fade.

The compiler renders each crossfade as its own short xfade between the two clips' overlapping
frames (so the rest of the timeline stays yuv420p); this checks the seams land where the spec
says and that nothing is dropped or repeated.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ffprobe_json, frame_at

pytestmark = pytest.mark.integration

FPS = 30


def _still(path: Path, rgb: tuple[int, int, int]) -> str:
    Image.new("RGB", (320, 180), rgb).save(path)
    return str(path)


def test_three_stills_crossfade_at_the_right_frames(tmp_path: Path) -> None:
    from reelgraph.workers.engine.render import render_spec

    colours = {"r": (220, 20, 20), "g": (20, 220, 20), "b": (20, 20, 220)}
    red, green, blue = (_still(tmp_path / f"{n}.png", c) for n, c in colours.items())
    still = {"motion": {"zoom_from": 1.0, "zoom_to": 1.0}}
    fade = {"kind": "crossfade", "duration": 0.5}
    spec = {
        "duration": 5.0,
        "output": {"width": 320, "height": 180, "fps": FPS, "quality": "draft"},
        "visuals": [
            {"kind": "image", "path": red, "duration": 2.0, "transition": fade, **still},
            {"kind": "image", "path": green, "duration": 2.0, "transition": fade, **still},
            {
                "kind": "image",
                "path": blue,
                "duration": 2.0,
                "transition": {"kind": "none", "duration": 0},
                **still,
            },
        ],
    }
    out = tmp_path / "x.mp4"
    render_spec(spec, str(out))
    v = next(s for s in ffprobe_json(out)["streams"] if s["codec_type"] == "video")
    assert int(v["nb_frames"]) == 5 * FPS  # 3 x 60 frames - 2 x 15 overlapping

    def rgb(t: float) -> np.ndarray:
        return frame_at(out, t)[60:120, 100:220].reshape(-1, 3).mean(axis=0)

    assert np.allclose(rgb(0.5), (220, 20, 20), atol=12)  # red alone
    mid1 = rgb(1.5 + 0.25)  # first fade: 1.5 s .. 2.0 s
    assert 60 < mid1[0] < 170 and 60 < mid1[1] < 170 and mid1[2] < 40, mid1
    assert np.allclose(rgb(2.6), (20, 220, 20), atol=12)  # green alone
    mid2 = rgb(3.0 + 0.25)  # second fade: 3.0 s .. 3.5 s
    assert 60 < mid2[1] < 170 and 60 < mid2[2] < 170 and mid2[0] < 40, mid2
    assert np.allclose(rgb(4.8), (20, 20, 220), atol=12)  # blue to the end
