"""``reelgraph caption --remove-silence --export otio,fcpxml,edl`` on real speech: the editor
timelines beside the video hold the kept ranges in order, adding up to the rendered duration
(ffprobe) within one frame, read back with opentimelineio, an XML parser and an EDL reader.
Then the same export as an API job's artifacts, with no server folder in them."""

from __future__ import annotations

import itertools
import json
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from reelgraph.app.cli import main
from reelgraph.workers.engine.compile_video import source_ranges
from reelgraph.workers.engine.spec import RenderSpec
from tests import conftest_redis as _fx
from tests.conftest import ffprobe_json
from tests.conftest_redis import wait_job_done
from tests.fixtures_speech import build_speech
from tests.fixtures_video import ffmpeg, talk_src, video_dir  # noqa: F401  (pytest fixtures)
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

api = _fx.api
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker

FPS = 30
#: Sentences after which the speech fixture gets a pause long enough to be cut.
PAUSE_AFTER = ("slowly.", "bread.", "lighthouse.")
PAUSE_S = 1.2


@pytest.fixture(scope="module")
def speech_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The piper speech fixture (no music) with 1.2 s of silence after three sentences, as a
    320x180 video at 30 fps."""
    fixture = build_speech(None, music_db=None)
    with wave.open(str(fixture.speech_wav), "rb") as w:
        sr, pcm = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), "<i2")
    words = fixture.words
    splits = [
        round((w["end"] + nxt["start"]) / 2 * sr)
        for w, nxt in itertools.pairwise(words)
        if w["text"] in PAUSE_AFTER
    ]
    assert len(splits) == len(PAUSE_AFTER)
    silence = np.zeros(round(PAUSE_S * sr), "<i2")
    parts = np.split(pcm, splits)
    audio = np.concatenate([p for part in parts[:-1] for p in (part, silence)] + [parts[-1]])
    d = tmp_path_factory.mktemp("export-speech")
    wav = d / "speech.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(audio.tobytes())
    out = d / "talk.mp4"
    ffmpeg(
        *("-f", "lavfi", "-i", f"color=c=0x203040:s=320x180:r={FPS}", "-i", str(wav)),
        *("-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"),
        *("-ar", "48000", str(out)),
    )
    return out


def _rendered_frames(video: Path) -> int:
    v = next(s for s in ffprobe_json(video)["streams"] if s["codec_type"] == "video")
    return int(v["nb_frames"])


def _srt_cues(srt: Path) -> int:
    return srt.read_text().count(" --> ")


@pytest.fixture(scope="module")
def captioned(speech_video: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("export out") / "talk.short.mp4"
    argv = ["caption", str(speech_video), "-o", str(out), "--remove-silence"]
    rc = main([*argv, "--export", "otio,fcpxml,edl", "--quality", "draft", "-q"])
    assert rc == 0
    spec = RenderSpec.model_validate(json.loads(out.with_name("talk.short.spec.json").read_text()))
    kept = [(round(a * FPS), round(b * FPS)) for a, b in source_ranges(spec, spec.visuals[0])]
    return {"out": out, "kept": kept, "frames": _rendered_frames(out)}


def test_silences_were_cut(captioned: dict) -> None:
    kept = captioned["kept"]
    assert len(kept) >= len(PAUSE_AFTER) + 1  # at least the three inserted pauses
    assert captioned["frames"] == pytest.approx(sum(b - a for a, b in kept), abs=1)


def test_otio_kept_ranges_in_order_add_up_to_the_video(captioned: dict, speech_video: Path) -> None:
    out: Path = captioned["out"]
    timeline = otio.adapters.read_from_file(str(out.with_suffix(".otio")))
    tracks = otio_tracks(timeline)
    assert tracks["Picture"].kind == otio.schema.TrackKind.Video
    picture = otio_clips(tracks["Picture"])
    ranges = [
        (c.source_range.start_time.to_frames(), c.source_range.end_time_exclusive().to_frames())
        for c in picture
    ]
    assert ranges == captioned["kept"]
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))  # in order, cuts between
    total = sum(c.source_range.duration.to_frames() for c in picture)
    assert abs(total - captioned["frames"]) <= 1
    assert abs(timeline.duration().to_frames() - captioned["frames"]) <= 1
    for clip in picture:  # a real file the editor can open
        path = Path(otio.url_utils.filepath_from_url(clip.media_reference.target_url))
        assert path == speech_video.resolve() and path.is_file()
    sound = otio_clips(tracks["Source audio"])
    assert [c.source_range for c in sound] == [c.source_range for c in picture]
    srt = out.with_suffix(".srt")
    assert timeline.metadata["reelgraph"]["captions_srt"] == str(srt) and srt.is_file()
    assert len(timeline.tracks.markers) == _srt_cues(srt) > 5


def test_fcpxml_storyline_matches_the_cuts(captioned: dict, speech_video: Path) -> None:
    out: Path = captioned["out"]
    doc = read_fcpxml(out.with_suffix(".fcpxml"))
    clips = doc["clips"]
    starts = [fcp_seconds(c.get("start")) for c in clips]
    assert starts == [Fraction(a, FPS) for a, _ in captioned["kept"]]
    durations = [fcp_seconds(c.get("duration")) for c in clips]
    assert abs(sum(durations) * FPS - captioned["frames"]) <= 1
    offsets = [fcp_seconds(c.get("offset")) for c in clips]
    assert offsets[0] == 3600
    assert all(o + d == n for o, d, n in zip(offsets, durations, offsets[1:], strict=False))
    assert {asset_path(doc, c) for c in clips} == {str(speech_video.resolve())}
    captions = list(doc["root"].iter("caption"))
    assert len(captions) == _srt_cues(out.with_suffix(".srt"))
    assert doc["sequence"].find("note").text == f"Captions: {out.with_suffix('.srt')}"


def test_edl_events_match_the_cuts(captioned: dict, speech_video: Path) -> None:
    out: Path = captioned["out"]
    header, events = read_edl(out.with_suffix(".edl"))
    assert header["TITLE"] == "talk.short" and header["FCM"] == "NON-DROP FRAME"
    assert {e.channel for e in events} == {"AA/V"}
    start = 3600 * FPS
    recs = [(tc_frames(e.rec_in, FPS), tc_frames(e.rec_out, FPS)) for e in events]
    assert recs[0][0] == start
    assert all(a[1] == b[0] for a, b in itertools.pairwise(recs))  # continuous
    assert abs(recs[-1][1] - start - captioned["frames"]) <= 1
    sources = [(tc_frames(e.src_in, FPS), tc_frames(e.src_out, FPS)) for e in events]
    assert sources == captioned["kept"]  # a 30 fps source: its own frames are the timeline's
    assert {e.comment("SOURCE FILE") for e in events} == {str(speech_video.resolve())}


def test_api_caption_job_lists_the_timelines_without_server_paths(
    api, start_worker, platform, talk_src: Path
) -> None:
    start_worker()
    r = api.post("/v1/uploads", files={"file": ("talk.mp4", talk_src.read_bytes(), "video/mp4")})
    assert r.status_code == 201, r.text
    body = {
        "kind": "caption",
        "input": {"video": r.json()["id"]},
        "options": {
            "export": "otio,fcpxml,edl",
            "cut_silences": True,
            "min_silence": 0.3,
            "padding": 0.1,
            "quality": "draft",
        },
    }
    r = api.post("/v1/jobs", json=body)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    view = wait_job_done(api, job_id)
    assert view["status"] == "succeeded", view
    names = ("timeline.otio", "timeline.fcpxml", "timeline.edl")
    assert set(names) <= set(view["artifacts"])
    assert set(names) <= set(api.get(f"/v1/jobs/{job_id}/result").json()["artifacts"])
    home = platform["REELGRAPH_HOME"]
    texts = {}
    for name in names:
        resp = api.get(f"/v1/jobs/{job_id}/artifacts/{name}")
        assert resp.status_code == 200, name
        texts[name] = resp.text
        assert home not in texts[name] and "file://" not in texts[name], name
    timeline = otio.adapters.read_from_string(texts["timeline.otio"], "otio_json")
    picture = otio_clips(otio_tracks(timeline)["Picture"])
    assert len(picture) >= 2  # the silences were cut
    assert {c.media_reference.target_url.split("/")[0] for c in picture} == {"uploads"}
    assert timeline.metadata["reelgraph"]["captions_srt"] == "captions.srt"


def test_api_refuses_a_bad_export_value(api, platform) -> None:
    body = {"kind": "caption", "input": {"video": "https://example.com/v.mp4"}}
    r = api.post("/v1/jobs", json={**body, "options": {"export": ["otio", "aaf"]}})
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert "options.export" in message and "'otio', 'fcpxml' or 'edl'" in message, message
