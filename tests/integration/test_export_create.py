"""``reelgraph create --export otio,fcpxml,edl``: the stills with their dissolves on the picture
track adding up to the rendered duration, the narration and the music bed on their own audio
tracks, every medium a real file; a re-run from the run cache places the same timelines."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import opentimelineio as otio
import pytest

from reelgraph.app.cli import main
from tests.conftest import ffprobe_json
from tests.timeline_files import (
    asset_path,
    fcp_seconds,
    otio_clips,
    otio_tracks,
    read_edl,
    read_fcpxml,
    tc_frames,
)

pytestmark = pytest.mark.integration

FPS = 30
SCRIPT = (
    "Octopuses have three hearts and blue blood. "
    "Each arm can taste what it touches. "
    "They change colour in a blink."
)
EXPORTS = (".otio", ".fcpxml", ".edl")


def _create(out: Path) -> int:
    return main(
        [
            *("create", "--transcript", SCRIPT, "--size", "180x320", "--music", "calm"),
            *("--quality", "draft", "--export", "otio,fcpxml,edl", "-q", "-o", str(out)),
        ]
    )


@pytest.fixture(scope="module")
def created(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("export-create") / "octo.mp4"
    assert _create(out) == 0
    v = next(s for s in ffprobe_json(out)["streams"] if s["codec_type"] == "video")
    spec = json.loads(out.with_name("octo.spec.json").read_text())
    return {"out": out, "frames": int(v["nb_frames"]), "spec": spec}


def test_otio_stills_dissolves_narration_and_music(created: dict) -> None:
    out, spec = created["out"], created["spec"]
    timeline = otio.adapters.read_from_file(str(out.with_suffix(".otio")))
    tracks = otio_tracks(timeline)
    assert list(tracks) == ["Picture", "Narration", "Music"]
    picture = otio_clips(tracks["Picture"])
    assert len(picture) == len(spec["visuals"]) >= 2
    assert abs(sum(c.duration().to_frames() for c in picture) - created["frames"]) <= 1
    dissolves = [i for i in tracks["Picture"] if isinstance(i, otio.schema.Transition)]
    crossfades = [v for v in spec["visuals"][:-1] if v["transition"]["kind"] != "none"]
    assert len(dissolves) == len(crossfades) >= 1
    for name in ("Narration", "Music"):
        track = tracks[name]
        assert track.kind == otio.schema.TrackKind.Audio
        [clip] = otio_clips(track)
        path = Path(otio.url_utils.filepath_from_url(clip.media_reference.target_url))
        assert path.is_file(), name  # the narration and the music bed the render mixed
        assert clip.range_in_parent().start_time.to_frames() == 0
        assert abs(clip.duration().to_frames() - created["frames"]) <= FPS  # the whole video
    for clip in picture:
        assert Path(otio.url_utils.filepath_from_url(clip.media_reference.target_url)).is_file()
    assert (
        tracks["Music"][0].metadata["reelgraph"]["volume_db"] == spec["audio"]["music"]["volume_db"]
    )


def test_fcpxml_audio_lanes_and_storyline(created: dict) -> None:
    doc = read_fcpxml(created["out"].with_suffix(".fcpxml"))
    clips = doc["clips"]
    assert abs(sum(fcp_seconds(c.get("duration")) for c in clips) * FPS - created["frames"]) <= 1
    assert all(Path(asset_path(doc, c)).is_file() for c in clips)
    audio = [el for c in clips for el in c if el.get("lane", "").startswith("-")]
    assert [(el.get("lane"), el.get("audioRole")) for el in audio] == [
        ("-1", "dialogue"),
        ("-2", "music"),
    ]
    assert all(Path(asset_path(doc, el)).is_file() for el in audio)
    assert len(doc["spine"].findall("transition")) >= 1
    assert len(list(doc["root"].iter("caption"))) >= 3


def test_edl_picture_then_narration_and_music(created: dict) -> None:
    _, events = read_edl(created["out"].with_suffix(".edl"))
    picture = [e for e in events if e.channel == "V"]
    recs = [(tc_frames(e.rec_in, FPS), tc_frames(e.rec_out, FPS)) for e in picture]
    assert recs[0][0] == 3600 * FPS
    assert all(a[1] == b[0] for a, b in itertools.pairwise(recs))
    assert abs(recs[-1][1] - 3600 * FPS - created["frames"]) <= 1
    audio = [(e.channel, Path(e.comment("SOURCE FILE")).is_file()) for e in events[len(picture) :]]
    assert audio == [("A", True), ("A2", True)]


def test_run_cache_hit_places_the_timelines_again(created: dict) -> None:
    out: Path = created["out"]
    first = {s: out.with_suffix(s).read_bytes() for s in EXPORTS}
    for s in EXPORTS:
        out.with_suffix(s).unlink()
    assert _create(out) == 0
    report = json.loads(out.with_name("octo.report.json").read_text())
    assert report["cache"] == {"run": "hit"}
    assert {s: out.with_suffix(s).read_bytes() for s in EXPORTS} == first
