"""The segment planner and the segmented render's argv: pure, no FFmpeg run."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from reelgraph.errors import InvalidInput
from reelgraph.workers.engine.compile_segments import (
    compile_audio_track,
    compile_join,
    compile_segment,
    concat_list,
    window_ranges,
)
from reelgraph.workers.engine.render_segments import window_ass
from reelgraph.workers.engine.segments import (
    Segment,
    content_frames,
    plan_segments,
    scene_starts,
    still_pieces,
    total_frames,
)
from reelgraph.workers.engine.spec import RenderSpec

FADE = {"kind": "crossfade", "duration": 0.5}


def _stills(durations: list[float], duration: float, **extra: Any) -> RenderSpec:
    visuals = [
        {"kind": "image", "path": f"/m/{i}.png", "duration": d, "transition": FADE}
        for i, d in enumerate(durations)
    ]
    return RenderSpec.model_validate(
        {
            "duration": duration,
            "output": {"width": 180, "height": 320, "fps": 30},
            "visuals": visuals,
            **extra,
        }
    )


def _video(**extra: Any) -> RenderSpec:
    visual = {"kind": "video", "path": "/m/talk.mp4", "start": 1.0, "duration": 8.0}
    return RenderSpec.model_validate(
        {
            "duration": 7.5,
            "output": {"width": 180, "height": 320, "fps": 30},
            "visuals": [visual],
            "cuts": [{"start": 3.0, "end": 3.5}],
            **extra,
        }
    )


def _covers(segs: list[Segment], total: int) -> None:
    assert segs[0].start == 0 and segs[-1].end == total
    assert all(a.end == b.start for a, b in itertools.pairwise(segs))
    assert [s.index for s in segs] == list(range(len(segs)))


def test_pieces_are_the_single_pass_timeline() -> None:
    spec = _stills([2.5, 2.5, 2.6], 7.0)
    pieces = [(p.kind, p.visual, p.start, p.count) for p in still_pieces(spec)]
    # 75, 75, 78 frames; two 15-frame crossfades
    assert pieces == [
        ("b", 0, 0, 60),
        ("x", 1, 60, 15),
        ("b", 1, 75, 45),
        ("x", 2, 120, 15),
        ("b", 2, 135, 63),
    ]
    assert scene_starts(spec) == [60, 120]
    assert content_frames(spec) == 198 and total_frames(spec) == 210


def test_cut_at_scene_boundaries_and_inside_a_long_scene() -> None:
    spec = _stills([2.5, 2.5, 2.6], 7.0)
    segs = plan_segments(spec, 2.5)
    _covers(segs, 210)
    # scenes start at 60 and 120; the last scene (90 frames with the held end) is split in two
    assert [(s.start, s.end) for s in segs] == [(0, 60), (60, 120), (120, 165), (165, 210)]


def test_short_scenes_are_packed_into_one_segment() -> None:
    spec = _stills([1.2] * 10, 10.0)
    segs = plan_segments(spec, 4.0)
    _covers(segs, 300)
    starts = set(scene_starts(spec))
    assert all(s.start in starts for s in segs[1:])
    assert all(s.frames <= 120 for s in segs[:-1]) and len(segs) < 10


def test_no_segments_when_short_off_or_unsupported() -> None:
    spec = _stills([2.5, 2.5, 2.6], 7.0)
    assert plan_segments(spec, 7.0) == []
    assert plan_segments(spec, None) == [] and plan_segments(spec, 0) == []
    mixed = spec.model_dump()
    mixed["visuals"][1] = {"kind": "video", "path": "/m/v.mp4", "duration": 2.5}
    assert plan_segments(RenderSpec.model_validate(mixed), 2.0) == []


def test_total_frames_round_the_duration_like_ffmpeg() -> None:
    """``-r 30 -t 7.049`` writes 211 frames, ``-t 7.051`` 212 (FFmpeg 5.1, measured)."""
    base = _stills([3.0, 3.0, 3.0], 7.0).model_dump()
    for duration, frames in ((7.0, 210), (7.01, 210), (7.049, 211), (7.051, 212), (10.166667, 305)):
        assert total_frames(RenderSpec.model_validate({**base, "duration": duration})) == frames


def test_no_seam_after_the_visuals_end() -> None:
    """The held last frame is rendered by the segment that shows the frame it holds."""
    spec = _stills([3.0], 3.9)  # 90 frames of picture, 27 held
    segs = plan_segments(spec, 2.0)
    _covers(segs, 117)
    assert all(s.start < 90 for s in segs)


def test_video_splits_every_n_seconds_on_the_output_timeline() -> None:
    spec = _video()
    segs = plan_segments(spec, 2.5)
    _covers(segs, 225)
    assert max(s.frames for s in segs) <= 75
    # the window's source ranges skip the cut and add up to the segment's frames
    for seg in segs:
        ranges = window_ranges(spec, seg)
        frames = sum(round((b - a) * 30) for a, b in ranges)
        assert frames == min(seg.end, content_frames(spec)) - seg.start
        assert all(not (3.0 < a < 3.5) for a, _ in ranges)


def test_segment_argv_trims_encodes_alike_and_closes_the_gop() -> None:
    spec = _stills([2.5, 2.5, 2.6], 7.0)
    argv = compile_segment(spec, Segment(1, 60, 120), "/o/seg.mp4", encoder="libx264")
    fc = argv[argv.index("-filter_complex") + 1]
    assert argv[argv.index("-frames:v") + 1] == "60" and argv[-1] == "/o/seg.mp4"
    assert "-an" in argv and "-sc_threshold" in argv and "+cgop" in argv
    assert argv[argv.index("-force_key_frames") + 1] == "expr:eq(n,0)"
    assert argv[argv.index("-g") + 1] == "60"
    # only visuals 0 and 1 are inputs: the crossfade into 1 and the body of 1
    assert sum(a == "-i" for a in argv) == 2
    assert "xfade=transition=fade:duration=0.5" in fc
    assert "(on+15)/74" in fc  # the body of visual 1 continues its move after the crossfade
    assert "settb=1/30,setpts=N+60,settb=AVTB" in fc
    assert fc.endswith("trim=end_frame=60,setpts=PTS-STARTPTS[vout]")


def test_a_seam_inside_a_crossfade_renders_it_whole_and_trims() -> None:
    spec = _stills([2.5, 2.5, 2.6], 7.0)
    fc = compile_segment(spec, Segment(1, 66, 90), "/o.mp4")
    fc = fc[fc.index("-filter_complex") + 1]
    assert "trim=end_frame=15,format=yuv420p,setpts=N/30/TB,trim=start_frame=6:end_frame=15" in fc


def test_video_segment_seeks_near_its_frames() -> None:
    spec = _video()
    late = compile_segment(spec, Segment(2, 150, 225), "/o.mp4")
    assert late[late.index("-ss") + 1] == "4"  # source 6.5 s (after the cut), 2 s preroll
    assert "setpts=(N+150)/30/TB" in late[late.index("-filter_complex") + 1]


def test_overlays_outside_the_segment_are_left_out() -> None:
    logo = {"kind": "image", "path": "/m/logo.png", "start": 0.0, "end": 1.0}
    spec = _stills([2.5, 2.5, 2.6], 7.0, overlays=[logo])
    assert "/m/logo.png" in compile_segment(spec, Segment(0, 0, 60), "/o.mp4")
    assert "/m/logo.png" not in compile_segment(spec, Segment(1, 60, 120), "/o.mp4")


def test_audio_track_and_join() -> None:
    spec = _stills([2.5, 2.5, 2.6], 7.0, audio={"narration": "/m/n.wav"})
    audio = compile_audio_track(spec, "/o/a.wav")
    assert audio is not None and audio[-3:] == ["-f", "wav", "/o/a.wav"]
    assert audio[audio.index("-t") + 1] == "7" and "-vn" not in audio
    assert compile_audio_track(_stills([3.0], 3.0), "/o/a.wav") is None
    join = compile_join("/o/list", "/o/a.wav", "/o/v.mp4")
    assert join[:7] == ["-y", "-f", "concat", "-safe", "0", "-i", "/o/list"]
    assert join[join.index("-c:v") + 1] == "copy"
    text = concat_list(["/a/it's.mp4", "/a/b.mp4"], [60, 45], 30)
    assert text.splitlines() == [
        "ffconcat version 1.0",
        "file '/a/it'\\''s.mp4'",
        "duration 2",
        "file '/a/b.mp4'",
        "duration 1.5",
    ]


def test_window_ass_keeps_the_events_a_segment_shows() -> None:
    ass = "\n".join(
        [
            "[Events]",
            "Dialogue: 0,0:00:00.50,0:00:01.50,Default,,0,0,0,,one",
            "Dialogue: 0,0:00:01.90,0:00:02.40,Default,,0,0,0,,two",
            "Dialogue: 0,0:00:03.00,0:00:04.00,Default,,0,0,0,,three",
        ]
    )
    kept = window_ass(ass, 2.0, 3.0)
    assert "[Events]" in kept and "two" in kept
    assert "one" not in kept and "three" not in kept


@pytest.mark.parametrize("bad", [1, 1.9, 3601, -1])
def test_segment_seconds_is_refused_out_of_range(bad: float) -> None:
    from reelgraph.graph.context import CaptionContext, Context

    with pytest.raises(InvalidInput, match="segment_seconds"):
        Context.from_options({"segment_seconds": bad})
    assert Context.from_options({"segment_seconds": 0}).segment_seconds == 0
    assert CaptionContext.from_options({"segment_seconds": 2}).segment_seconds == 2


def test_the_setting_is_validated(settings_env: Any) -> None:
    from reelgraph.errors import InvalidInput

    assert settings_env(REELGRAPH_SEGMENT_SECONDS="0").segment_seconds == 0
    with pytest.raises(InvalidInput, match="REELGRAPH_SEGMENT_SECONDS"):
        settings_env(REELGRAPH_SEGMENT_SECONDS="1")


def test_the_api_refuses_a_bad_segment_length_at_submission() -> None:
    from pydantic import ValidationError

    from reelgraph.app.api.errors import describe_errors
    from reelgraph.app.api.models import JobCreate

    def _job(kind: str, seconds: float) -> JobCreate:
        inputs = {"create": {"prompt": "Owls."}, "caption": {"video": "https://e.com/v.mp4"}}
        body = {"kind": kind, "input": inputs[kind], "options": {"segment_seconds": seconds}}
        return JobCreate.model_validate(body)

    for kind in ("create", "caption"):
        assert _job(kind, 30).options.segment_seconds == 30  # type: ignore[union-attr]
        with pytest.raises(ValidationError) as err:
            _job(kind, 1)
        assert "segment_seconds 1 is too short" in describe_errors(err.value.errors())
    with pytest.raises(ValidationError) as err:
        JobCreate.model_validate(
            {
                "kind": "clips",
                "input": {"video": "https://e.com/v.mp4"},
                "options": {"segment_seconds": 5},
            }
        )
    assert "segment_seconds" in describe_errors(err.value.errors())
