"""End to end: the create graph renders a real video checked with ffprobe and pixel probes."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from reelgraph.app.cli import main
from tests.conftest import ffprobe_json, frame_at, integrated_loudness

pytestmark = pytest.mark.integration

SCRIPT = (
    "Octopuses have three hearts and blue blood. "
    "In 2016, scientists found an octopus city in Australia. "
    "Each arm can taste what it touches."
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("create") / "octo.mp4"
    rc = main(
        ["create", "--transcript", SCRIPT, "--caption-style", "karaoke", "-q", "-o", str(out)]
    )
    assert rc == 0
    report = json.loads(out.with_name("octo.report.json").read_text())
    return {"out": out, "report": report}


def test_streams_resolution_fps_duration(rendered: dict) -> None:
    info = ffprobe_json(rendered["out"])
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    a = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (v["width"], v["height"]) == (1080, 1920)
    assert v["r_frame_rate"] == "30/1"
    assert v["codec_name"] == "h264" and a["codec_name"] == "aac"
    narration_s = rendered["report"]["duration"]
    assert 8.0 < narration_s < 14.0
    assert abs(float(info["format"]["duration"]) - narration_s) <= 1 / 30 + 0.03
    assert abs(float(v["duration"]) - narration_s) <= 1 / 30 + 1e-3


def test_loudness_is_minus_14(rendered: dict) -> None:
    assert abs(integrated_loudness(rendered["out"]) - (-14.0)) <= 1.0


def test_sidecars_beside_video(rendered: dict) -> None:
    out: Path = rendered["out"]
    for suffix in (".srt", ".vtt", ".ass", ".plan.json", ".spec.json", ".report.json", ".jpg"):
        assert out.with_name(out.stem + suffix).stat().st_size > 0, suffix
    srt = out.with_name("octo.srt").read_text()
    assert "Octopuses" in srt and "-->" in srt
    report = rendered["report"]
    assert set(report["timings"]) >= {"plan_script", "narrate_scenes", "render"}
    from reelgraph.workers.engine.cache import get_cache

    burned = get_cache().entry_dir("render", report["render_key"]) / "captions.ass"
    assert out.with_name("octo.ass").read_bytes() == burned.read_bytes()  # the burned captions
    assert report["encoder"] in ("libx264", "h264_nvenc")


def _caption_band(frame: np.ndarray) -> np.ndarray:
    h = frame.shape[0]
    return frame[int(h * 0.45) : int(h * 0.85)].astype(np.int16)


def test_caption_visible_at_word_and_absent_before(rendered: dict) -> None:
    """Compare against the same frame rendered without captions (pixel diff in the band)."""
    out: Path = rendered["out"]
    spec = json.loads(out.with_name("octo.spec.json").read_text())
    words = spec["captions"]["words"]
    first = words[0]["start"]
    mid = words[len(words) // 2]
    from reelgraph.workers.engine.render import render_spec

    spec["captions"] = None
    bare = out.with_name("bare.mp4")
    render_spec(spec, str(bare))
    t_word = (mid["start"] + mid["end"]) / 2
    diff_word = np.abs(_caption_band(frame_at(out, t_word)) - _caption_band(frame_at(bare, t_word)))
    assert (diff_word.max(axis=2) > 60).mean() > 0.002  # text pixels present
    if first > 0.1:
        t0 = first / 2
        diff0 = np.abs(_caption_band(frame_at(out, t0)) - _caption_band(frame_at(bare, t0)))
        assert (diff0.max(axis=2) > 60).mean() < 0.0005  # nothing drawn before the first word


def test_scenes_not_blank(rendered: dict) -> None:
    duration = rendered["report"]["duration"]
    for t in np.linspace(0.2, duration - 0.2, 5):
        frame = frame_at(rendered["out"], float(t))
        assert frame.std() > 12, f"blank-looking frame at {t:.1f}s"


def test_second_identical_run_is_cache_hit(rendered: dict, tmp_path: Path) -> None:
    out2 = tmp_path / "again.mp4"
    assert (
        main(
            ["create", "--transcript", SCRIPT, "--caption-style", "karaoke", "-q", "-o", str(out2)]
        )
        == 0
    )
    report = json.loads(out2.with_name("again.report.json").read_text())
    assert report["cache"] == {"run": "hit"}, "the whole run came from the run cache"
    assert report["duration"] == rendered["report"]["duration"]
    assert out2.read_bytes() == rendered["out"].read_bytes()
    for suffix in (".srt", ".spec.json", ".jpg"):
        assert out2.with_name("again" + suffix).is_file()


def test_restyle_reuses_narration(rendered: dict, tmp_path: Path) -> None:
    out3 = tmp_path / "pop.mp4"
    assert (
        main(["create", "--transcript", SCRIPT, "--caption-style", "pop", "-q", "-o", str(out3)])
        == 0
    )
    report = json.loads(out3.with_name("pop.report.json").read_text())
    assert report["cache"]["render"] == "miss"
    n = report["cache"]["narration"]
    done, total = (int(x) for x in n.split()[0].split("/"))
    assert done == total


def _strings(v: object) -> list[str]:
    """Every string value in a JSON document."""
    if isinstance(v, dict):
        return [s for x in v.values() for s in _strings(x)]
    if isinstance(v, list):
        return [s for x in v for s in _strings(x)]
    return [v] if isinstance(v, str) else []


def test_served_spec_and_report_name_no_server_path(rendered: dict) -> None:
    """The spec names media by its place in the media store; nothing absolute is revealed."""
    out: Path = rendered["out"]
    for name in ("octo.spec.json", "octo.report.json"):
        doc = json.loads(out.with_name(name).read_text())
        assert not [s for s in _strings(doc) if s.startswith("/")], name
    spec = json.loads(out.with_name("octo.spec.json").read_text())
    assert spec["audio"]["narration"].startswith("cache/")


def test_render_command_renders_the_served_spec_from_any_folder(
    rendered: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from reelgraph.app.cli import main

    out: Path = rendered["out"]
    monkeypatch.chdir(tmp_path)
    assert main(["render", str(out.with_name("octo.spec.json")), "-o", "again.mp4"]) == 0
    assert "from the render cache" in capsys.readouterr().out, "same media, same key"
    with av.open(str(tmp_path / "again.mp4")) as c:
        assert abs(c.duration / 1e6 - rendered["report"]["duration"]) < 0.1

    edited = json.loads(out.with_name("octo.spec.json").read_text())
    edited["captions"] = None
    edited["output"].update(width=360, height=640)
    (tmp_path / "edited.spec.json").write_text(json.dumps(edited))
    assert main(["render", "edited.spec.json", "-q"]) == 0
    with av.open(str(tmp_path / "edited.mp4")) as c:
        assert (c.streams.video[0].width, c.streams.video[0].height) == (360, 640)

    (tmp_path / "bad.spec.json").write_text(json.dumps({**edited, "duration": -1}))
    assert main(["render", "bad.spec.json"]) == 1
    err = capsys.readouterr().err
    assert "not a valid RenderSpec: duration" in err and "Traceback" not in err
    assert not (tmp_path / "bad.mp4").exists()
