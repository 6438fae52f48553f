"""The RenderSpec read as an editor's timeline (workers/engine/timeline_export.py) and written
as .otio, .fcpxml and .edl: kept ranges in order adding up to the rendered duration, overlays
above the picture in their stacking order, captions, narration and music on their own tracks,
and media named as the caller asks."""

from __future__ import annotations

import itertools
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
from PIL import Image

from reelgraph.workers.engine.compile import _fadeframe_count
from reelgraph.workers.engine.compile_video import output_duration, source_ranges
from reelgraph.workers.engine.spec import RenderSpec
from reelgraph.workers.engine.timeline_export import (
    EXPORT_FORMATS,
    build_timeline,
    export_timeline,
    srt_cues,
)
from tests.fixtures_video import ffmpeg
from tests.timeline_files import (
    asset_path,
    fcp_seconds,
    otio_clips,
    otio_tracks,
    read_edl,
    read_fcpxml,
    tc_frames,
)

FPS = 30
SRC_FPS = 25  # the source's own rate differs from the timeline's


def _wav(path: Path, seconds: float) -> Path:
    t = np.arange(int(seconds * 48000)) / 48000
    pcm = (np.sin(2 * np.pi * 330 * t) * 8000).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes(pcm.tobytes())
    return path


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("timeline media")  # a space in the folder name: URLs encode it
    out = {"video": d / "talk.mp4", "narration": _wav(d / "narration.wav", 5.5)}
    out["music"] = _wav(d / "music.wav", 3.0)
    for name, colour, size in [("red", (200, 0, 0), (90, 160)), ("green", (0, 200, 0), (90, 160))]:
        Image.new("RGB", size, colour).save(d / f"{name}.png")
        out[name] = d / f"{name}.png"
    Image.new("RGB", (40, 20), (0, 0, 200)).save(d / "logo.png")
    out["logo"] = d / "logo.png"
    ffmpeg(
        *("-f", "lavfi", "-i", f"testsrc=s=320x180:r={SRC_FPS}:d=6"),
        *("-f", "lavfi", "-i", "sine=f=440:d=6", "-shortest"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(out["video"])),
    )
    return out


def _caption_spec(media: dict[str, Path]) -> RenderSpec:
    """The caption flow's shape: one source video, cuts, b-roll and logo, its own sound."""
    spec = RenderSpec.model_validate(
        {
            "duration": 6.0,
            "output": {"width": 180, "height": 320, "fps": FPS},
            "visuals": [{"kind": "video", "path": str(media["video"]), "duration": 6.0}],
            "cuts": [{"start": 1.01, "end": 1.8}, {"start": 3.1, "end": 3.92}],
            "overlays": [
                {
                    "kind": "image",
                    "path": str(media["green"]),
                    "start": 0.5,
                    "end": 2.0,
                    "fullscreen": True,
                },
                {
                    "kind": "image",
                    "path": str(media["logo"]),
                    "start": 0.0,
                    "end": 4.4,
                    "x": 0.88,
                    "y": 0.06,
                    "width": 0.18,
                },
            ],
            "captions": {
                "words": [
                    {"text": "Every", "start": 0.2, "end": 0.5},
                    {"text": "morning.", "start": 0.55, "end": 0.95},
                    {"text": "Boats", "start": 2.4, "end": 2.8},
                    {"text": "leave.", "start": 2.85, "end": 3.05},
                ]
            },
            "audio": {"source_audio": True},
        }
    )
    return spec.model_copy(update={"duration": output_duration(spec, spec.visuals[0])})


def _stills_spec(media: dict[str, Path]) -> RenderSpec:
    """The create flow's shape: stills with a crossfade and a dip to black, narration, music."""
    return RenderSpec.model_validate(
        {
            "duration": 6.0,
            "output": {"width": 180, "height": 320, "fps": FPS},
            "visuals": [
                {
                    "kind": "card",
                    "path": str(media["red"]),
                    "duration": 2.5,
                    "transition": {"kind": "crossfade", "duration": 0.5},
                },
                {
                    "kind": "image",
                    "path": str(media["green"]),
                    "duration": 2.5,
                    "transition": {"kind": "fade", "duration": 0.4},
                },
                {"kind": "image", "path": str(media["red"]), "duration": 1.9},
            ],
            "captions": {"words": [{"text": "Hello", "start": 0.2, "end": 0.6}]},
            "audio": {
                "narration": str(media["narration"]),
                "music": {"path": str(media["music"]), "loop": False, "volume_db": -9.0},
            },
        }
    )


def _contiguous(clips: list) -> None:
    assert clips[0].record_in == 0
    for a, b in itertools.pairwise(clips):
        assert b.record_in == a.record_out


def test_caption_spec_kept_ranges_in_order_add_up_to_the_render(media: dict[str, Path]) -> None:
    spec = _caption_spec(media)
    tl = build_timeline(spec, name="talk", captions_ref="/out/talk.srt")
    total = round(spec.duration * FPS)
    picture = tl.picture.clips
    _contiguous(picture)
    assert sum(c.frames for c in picture) == tl.frames == total
    kept = [(round(a * FPS), round(b * FPS)) for a, b in source_ranges(spec, spec.visuals[0])]
    assert [(c.source_in, c.source_in + c.frames) for c in picture] == kept
    assert len(kept) == 3 and kept[0][0] == 0
    # overlays above the picture, the logo (later, on top) above the b-roll it overlaps
    assert [[c.media.name for c in t.clips] for t in tl.overlays] == [["green.png"], ["logo.png"]]
    assert (
        tl.overlays[0].clips[0].record_in == 15 and tl.overlays[1].clips[0].record_out == tl.frames
    )  # clamped
    [sound] = tl.audio
    assert [(c.source_in, c.frames) for c in sound.clips] == [
        (c.source_in, c.frames) for c in picture
    ]
    assert [c.text for c in tl.cues] == ["Every morning.", "Boats leave."]
    assert tl.picture.clips[0].media.rate == SRC_FPS


def test_stills_centre_each_crossfade_on_its_cut(media: dict[str, Path]) -> None:
    spec = _stills_spec(media)
    tl = build_timeline(spec)
    fades = _fadeframe_count(spec.visuals, FPS)  # what the render crossfades
    assert fades[:2] == [15, 12]
    clips = tl.picture.clips
    _contiguous(clips)
    assert sum(c.frames for c in clips) == tl.frames == 180
    # visual 1 starts (in the render) at 75 - 15 = 60; the cut is half a fade later
    assert [c.record_in for c in clips] == [0, 60 + 7, 60 + 75 - 12 + 6]
    assert [(c.fade_in, c.fade_kind) for c in clips[1:]] == [(15, "crossfade"), (12, "fade")]
    assert [c.source_in for c in clips] == [0, 7, 6]  # the head handle the dissolve needs
    narration, music = tl.audio
    assert narration.name == "Narration" and narration.clips[0].frames == 165  # its own length
    assert music.name == "Music" and music.clips[0].frames == 90  # not looped: ends with the file
    assert music.clips[0].volume_db == -9.0


def test_otio_round_trip(media: dict[str, Path], tmp_path: Path) -> None:
    spec = _caption_spec(media)
    tl = build_timeline(spec, name="talk", captions_ref="/out/talk.srt")
    path = export_timeline(tl, ["otio"], tmp_path)["otio"]
    back = otio.adapters.read_from_file(path)
    assert back.global_start_time.to_seconds() == 3600
    assert back.duration().to_frames() == tl.frames
    tracks = otio_tracks(back)
    assert list(tracks) == ["Picture", "Overlay 1", "Overlay 2", "Source audio"]
    assert tracks["Source audio"].kind == otio.schema.TrackKind.Audio
    pic = otio_clips(tracks["Picture"])
    assert [c.source_range.start_time.to_frames() for c in pic] == [
        c.source_in for c in tl.picture.clips
    ]
    assert sum(c.duration().to_frames() for c in pic) == tl.frames
    url = pic[0].media_reference.target_url
    assert url.startswith("file://") and "%20" in url  # the folder's space, percent-encoded
    assert Path(otio.url_utils.filepath_from_url(url)) == media["video"]
    assert [m.name for m in back.tracks.markers] == ["Every morning.", "Boats leave."]
    assert back.metadata["reelgraph"]["captions_srt"] == "/out/talk.srt"


def test_otio_dissolves(media: dict[str, Path], tmp_path: Path) -> None:
    tl = build_timeline(_stills_spec(media))
    back = otio.adapters.read_from_file(export_timeline(tl, ["otio"], tmp_path)["otio"])
    picture = otio_tracks(back)["Picture"]
    fades = [i for i in picture if isinstance(i, otio.schema.Transition)]
    assert [(f.in_offset.to_frames(), f.out_offset.to_frames()) for f in fades] == [(7, 8), (6, 6)]
    assert picture.duration().to_frames() == 180  # transitions take no time on the track
    assert [t.name for t in back.tracks] == ["Picture", "Narration", "Music"]


def test_fcpxml_storyline_connected_clips_and_captions(
    media: dict[str, Path], tmp_path: Path
) -> None:
    spec = _caption_spec(media)
    tl = build_timeline(spec, name="talk", captions_ref="/out/talk.srt")
    doc = read_fcpxml(export_timeline(tl, ["fcpxml"], tmp_path)["fcpxml"])
    assert doc["root"].get("version") == "1.9"
    seq, clips = doc["sequence"], doc["clips"]
    assert fcp_seconds(seq.get("tcStart")) == 3600
    assert fcp_seconds(seq.get("duration")) == Fraction(tl.frames, FPS)
    offsets = [fcp_seconds(c.get("offset")) for c in clips]
    durations = [fcp_seconds(c.get("duration")) for c in clips]
    assert offsets[0] == 3600 and sum(durations) == Fraction(tl.frames, FPS)
    assert all(o + d == n for o, d, n in zip(offsets, durations, offsets[1:], strict=False))
    starts = [fcp_seconds(c.get("start")) for c in clips]
    assert starts == [Fraction(c.source_in, FPS) for c in tl.picture.clips]
    assert {asset_path(doc, c) for c in clips} == {str(media["video"])}
    lanes = sorted((el.tag, el.get("lane")) for c in clips for el in c if el.get("lane"))
    # b-roll on lane 1, the logo above it on lane 2, the captions above both
    assert lanes == [("caption", "3"), ("caption", "3"), ("video", "1"), ("video", "2")]
    captions = [el for c in clips for el in c.iter("caption")]
    assert [el.find("text/text-style").text for el in captions] == [
        "Every morning.",
        "Boats leave.",
    ]
    assert seq.find("note").text == "Captions: /out/talk.srt"
    logo = next(el for c in clips for el in c if el.get("lane") == "2")
    assert logo.find("adjust-transform") is not None  # scaled and placed, not full frame


def test_fcpxml_transitions_and_audio_lanes(media: dict[str, Path], tmp_path: Path) -> None:
    tl = build_timeline(_stills_spec(media))
    doc = read_fcpxml(export_timeline(tl, ["fcpxml"], tmp_path)["fcpxml"])
    transitions = doc["spine"].findall("transition")
    names = [t.get("name") for t in transitions]
    assert names == ["Cross Dissolve", "Fade To Color"]
    # the first dissolve starts half of its 15 frames (7) before the cut at 3600 s + 67 frames
    assert fcp_seconds(transitions[0].get("offset")) == 3600 + Fraction(60, FPS)
    audio = [el for c in doc["clips"] for el in c if el.get("lane", "0").startswith("-")]
    assert [(el.get("lane"), el.get("audioRole")) for el in audio] == [
        ("-1", "dialogue"),
        ("-2", "music"),
    ]
    assert audio[1].find("adjust-volume").get("amount") == "-9dB"


def test_edl_events(media: dict[str, Path], tmp_path: Path) -> None:
    spec = _caption_spec(media)
    tl = build_timeline(spec, name="talk")
    header, events = read_edl(export_timeline(tl, ["edl"], tmp_path)["edl"])
    assert header == {"TITLE": "talk", "FCM": "NON-DROP FRAME"}
    assert [e.channel for e in events] == ["AA/V"] * 3  # picture with its own sound
    recs = [(tc_frames(e.rec_in, FPS), tc_frames(e.rec_out, FPS)) for e in events]
    assert recs[0][0] == 3600 * FPS and recs[-1][1] == 3600 * FPS + tl.frames
    assert all(a[1] == b[0] for a, b in itertools.pairwise(recs))  # back to back
    for e, (a, b) in zip(events, source_ranges(spec, spec.visuals[0]), strict=True):
        # source timecodes count the source's own 25 fps frames, within one frame of the cut
        assert abs(tc_frames(e.src_in, SRC_FPS) - a * SRC_FPS) <= 0.5
        assert abs(tc_frames(e.src_out, SRC_FPS) - b * SRC_FPS) <= 0.5
        assert e.comment("FROM CLIP NAME") == "talk.mp4"
        assert e.comment("SOURCE FILE") == str(media["video"])


def test_edl_of_stills_narration_and_music(media: dict[str, Path], tmp_path: Path) -> None:
    tl = build_timeline(_stills_spec(media))
    _, events = read_edl(export_timeline(tl, ["edl"], tmp_path)["edl"])
    assert [e.channel for e in events] == ["V", "V", "V", "A", "A2"]
    assert [e.comment("FROM CLIP NAME") for e in events[3:]] == ["narration.wav", "music.wav"]
    assert tc_frames(events[2].rec_out, FPS) == 3600 * FPS + 180


def test_refs_name_the_media_as_the_caller_asks(media: dict[str, Path], tmp_path: Path) -> None:
    """An API job's files name media by their place in the store: no folder of this machine."""
    spec = _caption_spec(media)
    public = RenderSpec.model_validate(
        {
            **spec.model_dump(mode="json"),
            "visuals": [{**spec.visuals[0].model_dump(mode="json"), "path": "uploads/asset_1.mp4"}],
            "overlays": [
                {**o.model_dump(mode="json"), "path": f"storage/job/.inputs/{Path(o.path).name}"}
                for o in spec.overlays
            ],
        }
    )
    tl = build_timeline(spec, public, name="talk", captions_ref="captions.srt")
    paths = export_timeline(tl, EXPORT_FORMATS, tmp_path)
    for fmt, path in paths.items():
        text = Path(path).read_text()
        assert str(media["video"].parent) not in text, fmt
        assert "uploads/asset_1.mp4" in text, fmt
    doc = read_fcpxml(paths["fcpxml"])
    assert asset_path(doc, doc["clips"][0]) == "uploads/asset_1.mp4"


def test_srt_cues() -> None:
    srt = "1\n00:00:00,200 --> 00:00:01,500\nTwo\nlines\n\n2\n00:01:00,000 --> 00:01:00,100\nx\n"
    cues = srt_cues(srt, 30)
    assert [(c.start, c.end, c.text) for c in cues] == [(6, 45, "Two\nlines"), (1800, 1803, "x")]
    assert srt_cues("", 30) == []


def test_unknown_format_is_refused(media: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="otio, fcpxml, edl"):
        export_timeline(build_timeline(_stills_spec(media)), ["aaf"], tmp_path)
    assert not list(tmp_path.iterdir())
