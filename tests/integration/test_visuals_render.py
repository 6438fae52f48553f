"""End to end: a library folder matched to scenes offline, checked by the pixels of the video.

Three distinctly coloured library items are named after words of three scenes (a red fox
still, a green whale clip of one second that must loop, a blue balloon still); a fourth scene
matches nothing and gets a card with its number as a counting figure. Also: report visuals
and the credits.txt sidecar.
"""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
from PIL import Image

from reelgraph.app.cli import main
from tests.conftest import frame_at

pytestmark = pytest.mark.integration

SCRIPT = (
    "A sly fox crept through the tall grass at the edge of the quiet forest. "
    "Far out at sea, a humpback whale rose slowly from the deep cold water. "
    "At dawn the balloon drifted gently over the sleepy valley below the hills. "
    "Nobody expected that the old town would count exactly 40 cats that winter."
)
COLOURS = {"fox": (220, 30, 30), "whale": (30, 200, 60), "balloon": (30, 60, 220)}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict:
    lib = tmp_path_factory.mktemp("library")
    Image.new("RGB", (360, 640), COLOURS["fox"]).save(lib / "fox.png")
    (lib / "hot-air").mkdir()
    Image.new("RGB", (360, 640), COLOURS["balloon"]).save(lib / "hot-air" / "balloon.jpg")
    r, g, b = COLOURS["whale"]
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"color=c=0x{r:02x}{g:02x}{b:02x}:s=180x320:d=1:r=30",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            str(lib / "whale.mp4"),
        ],
        check=True,
    )
    out = tmp_path_factory.mktemp("made") / "lib.mp4"
    argv = ["create", "--transcript", SCRIPT, "--library", str(lib), "--size", "180x320"]
    rc = main([*argv, "--quality", "draft", "--music", "none", "-q", "-o", str(out)])
    assert rc == 0
    spec = json.loads(out.with_name("lib.spec.json").read_text())
    report = json.loads(out.with_name("lib.report.json").read_text())
    plan = json.loads(out.with_name("lib.plan.json").read_text())
    return {"out": out, "spec": spec, "report": report, "plan": plan}


def _starts(spec: dict) -> list[float]:
    starts, t = [], 0.0
    for v in spec["visuals"]:
        starts.append(t)
        t += v["duration"] - (
            v["transition"]["duration"] if v["transition"]["kind"] != "none" else 0
        )
    return starts


def test_each_scene_shows_the_library_item_named_after_it(made: dict) -> None:
    spec = made["spec"]
    assert len(made["plan"]["scenes"]) == 4
    starts = _starts(spec)
    for i, name in enumerate(["fox", "whale", "balloon"]):
        v = spec["visuals"][i]
        t = starts[i] + v["duration"] / 2
        px = frame_at(made["out"], t)[40, 25].astype(int)  # top-left: clear of the captions
        assert np.abs(px - COLOURS[name]).max() < 40, (name, t, px)
    card_px = frame_at(made["out"], starts[3] + spec["visuals"][3]["duration"] / 2)[40, 25]
    assert all(np.abs(card_px.astype(int) - c).max() > 60 for c in COLOURS.values())


def test_the_short_clip_is_looped_muted_into_its_scene(made: dict) -> None:
    whale = made["spec"]["visuals"][1]
    assert whale["kind"] == "clip" and whale["loop"] and whale["path"].endswith("whale.mp4")
    assert whale["duration"] > 2.0  # a one-second clip fills a longer scene
    assert made["spec"]["audio"]["source_audio"] is False
    t = _starts(made["spec"])[1] + whale["duration"] - 0.6  # well past the clip's one second
    assert np.abs(frame_at(made["out"], t)[40, 25].astype(int) - COLOURS["whale"]).max() < 40


def test_the_card_counts_its_number_up(made: dict) -> None:
    from reelgraph.workers.engine.cards import PALETTES

    figs = [o for o in made["spec"]["overlays"] if o.get("frames", 1) > 1]
    assert len(figs) == 1
    fig = figs[0]
    assert fig["start"] >= _starts(made["spec"])[3]
    accent = np.array(PALETTES[made["plan"]["mood"]][2])
    h, w = 320, 180
    y0, y1 = int((fig["y"] - 0.1) * h), int((fig["y"] + 0.1) * h)

    def inked(t: float) -> int:
        box = frame_at(made["out"], t)[y0:y1, 20 : w - 20].astype(int)
        return int((np.abs(box - accent).max(axis=2) < 50).sum())

    early, late = inked(fig["start"] + 0.1), inked(fig["start"] + 1.5)
    assert late > early * 1.3 and late > 100, (early, late)


def test_report_and_credits_name_every_scene(made: dict) -> None:
    visuals = made["report"]["visuals"]
    assert [v["source"] for v in visuals] == ["library", "library", "library", "cards"]
    assert [v["origin"] for v in visuals[:3]] == [
        "library:fox.png",
        "library:whale.mp4",
        "library:hot-air/balloon.jpg",
    ]
    assert all(set(v) == {"scene", "source", "origin", "license", "attribution"} for v in visuals)
    credits = made["out"].with_name("lib.credits.txt").read_text()
    assert "Scene 1: library fox.png" in credits and "Scene 4: a card" in credits
    assert str(made["out"].parent) not in json.dumps(made["report"])
