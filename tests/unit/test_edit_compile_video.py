"""Golden filter strings and timeline arithmetic for workers.compile_video."""

from __future__ import annotations

import pytest

from reelgraph.workers.engine.compile_video import (
    kept_ranges,
    output_duration,
    overlay_filters,
    quantize_cuts,
    remap_time,
    remap_words,
    source_audio_filters,
    source_ranges,
    video_visual_filters,
)
from reelgraph.workers.engine.spec import RenderSpec


def _spec(**kw: object) -> RenderSpec:
    base: dict[str, object] = {
        "duration": 4,
        "output": {"width": 360, "height": 640, "fps": 30},
        "visuals": [{"kind": "video", "path": "src.mp4", "duration": 6}],
        "cuts": [{"start": 1.0, "end": 2.0}],
    }
    base.update(kw)
    return RenderSpec.model_validate(base)


def test_kept_ranges_merges_and_clips() -> None:
    cuts = [(3.0, 4.0), (0.5, 1.0), (0.9, 1.5), (5.5, 9.0)]
    assert kept_ranges(cuts, 6.0) == [(0.0, 0.5), (1.5, 3.0), (4.0, 5.5)]
    assert kept_ranges([], 2.0) == [(0.0, 2.0)]
    assert kept_ranges([(0.0, 2.0)], 2.0) == []


def test_remap_time_inside_and_after_cuts() -> None:
    cuts = [{"start": 1.0, "end": 2.0}, {"start": 3.0, "end": 3.5}]
    assert remap_time(0.5, cuts) == 0.5
    assert remap_time(1.5, cuts) is None
    assert remap_time(2.5, cuts) == pytest.approx(1.5)
    assert remap_time(4.0, cuts) == pytest.approx(2.5)


def test_remap_words_drops_words_inside_cuts_and_shifts_later_ones() -> None:
    words = [
        {"text": "a", "start": 0.2, "end": 0.6, "prob": 0.9},
        {"text": "gone", "start": 1.1, "end": 1.8, "prob": 0.9},
        {"text": "b", "start": 2.2, "end": 2.6, "prob": 0.8},
        {"text": "edge", "start": 0.8, "end": 1.4, "prob": 0.8},
    ]
    out = remap_words(words, [(1.0, 2.0)])
    assert [w["text"] for w in out] == ["a", "b", "edge"]
    assert out[1]["start"] == pytest.approx(1.2) and out[1]["end"] == pytest.approx(1.6)
    assert out[1]["prob"] == 0.8
    assert out[2]["start"] == pytest.approx(0.8) and out[2]["end"] == pytest.approx(1.0)


def test_quantize_cuts_snaps_to_frames() -> None:
    assert quantize_cuts([(3.33, 3.71)], 30) == [(pytest.approx(100 / 30), pytest.approx(3.7))]


def test_source_ranges_and_output_duration_follow_start_and_cuts() -> None:
    spec = _spec(visuals=[{"kind": "video", "path": "s.mp4", "start": 0.5, "duration": 5}])
    assert source_ranges(spec, spec.visuals[0]) == [(0.5, 1.0), (2.0, 5.5)]
    assert output_duration(spec, spec.visuals[0]) == pytest.approx(4.0)


def test_video_filters_golden_fill_crop() -> None:
    spec = _spec()
    got = video_visual_filters(spec, spec.visuals[0], 0, "v0")
    assert got == [
        "[0:v]fps=30,select='gte(t,-0.0167)*lt(t,0.9833)+gte(t,1.9833)*lt(t,5.9833)',"
        "setpts=N/30/TB,"
        "crop=w='trunc(min(iw,ih*360/640)/2)*2':h='trunc(min(ih,iw*640/360)/2)*2'"
        ":x='clip((0.5)*iw-ow/2,0,iw-ow)':y='clip((0.5)*ih-oh/2,0,ih-oh)',"
        "scale=360:640,setsar=1,format=yuv420p[v0]"
    ]


def test_video_filters_golden_focus_track_and_zoom() -> None:
    visual = {
        "kind": "video",
        "path": "s.mp4",
        "duration": 6,
        "motion": {"periodic_zoom": 0.1, "period_s": 3, "zoom_to": 1.2},
        "focus_track": [[0, 0.2, 0.5], [3, 0.8, 0.5]],
    }
    spec = _spec(visuals=[visual])
    (stmt,) = video_visual_filters(spec, spec.visuals[0], 2, "vv")
    assert stmt.startswith("[2:v]fps=30,")
    assert stmt.endswith("format=yuv420p[vv]")
    # focus at source 3 s lands at output 2 s (one second cut before it)
    assert "gte(t,0)*lt(t,2)*(0.2+0.3*(t-0))" in stmt
    assert "gte(t,2)*0.8" in stmt
    assert (
        "zoompan=z='1+0.2*min(it/5,1)+0.1*(1-cos(2*PI*it/3))/2'"
        ":x='clip(0.5*iw-iw/zoom/2,0,iw-iw/zoom)'"
    ) in stmt
    assert ":d=1:s=360x640:fps=30" in stmt


def test_video_filters_static_crop() -> None:
    visual = {"kind": "video", "path": "s.mp4", "duration": 6, "crop": [0.25, 0, 0.5, 1]}
    spec = _spec(visuals=[visual], cuts=[])
    (stmt,) = video_visual_filters(spec, spec.visuals[0], 0, "v")
    assert "crop=w=trunc(iw*0.5/2)*2:h=trunc(ih*1/2)*2:x=iw*0.25:y=ih*0," in stmt
    assert "select='gte(t,-0.0167)*lt(t,5.9833)'" in stmt


def test_audio_filters_golden_same_selection_as_video() -> None:
    spec = _spec()
    (stmt,) = source_audio_filters(spec, 0, "a0")
    assert stmt == (
        "[0:a]aresample=48000:async=1:first_pts=0,"
        "aformat=sample_fmts=fltp:channel_layouts=stereo,asetnsamples=n=1600:p=1,"
        "aselect='gte(t,-0.0167)*lt(t,0.9833)+gte(t,1.9833)*lt(t,5.9833)',"
        "asetpts=N/SR/TB[a0]"
    )
    video = video_visual_filters(spec, spec.visuals[0], 0, "v0")[0]
    assert stmt.split("aselect=")[1].split(",asetpts")[0] in video


def test_audio_filters_need_a_video_visual() -> None:
    spec = _spec(visuals=[{"kind": "image", "path": "x.png", "duration": 2}])
    with pytest.raises(ValueError):
        source_audio_filters(spec, 0, "a")


def test_overlay_filters_golden() -> None:
    spec = _spec(
        overlays=[
            {
                "kind": "image",
                "path": "logo.png",
                "start": 0,
                "end": 4,
                "x": 0.9,
                "y": 0.1,
                "width": 0.2,
                "opacity": 0.8,
            },
            {"kind": "video", "path": "b.mp4", "start": 1, "end": 2.5, "fullscreen": True},
        ]
    )
    got = overlay_filters(spec, "base", [(spec.overlays[0], 1), (spec.overlays[1], 2)], "out")
    assert got == [
        "[1:v]scale=72:-2,setsar=1,format=rgba,colorchannelmixer=aa=0.8[out_ov0]",
        "[base][out_ov0]overlay=x='clip(main_w*0.9-overlay_w/2,0,main_w-overlay_w)'"
        ":y='clip(main_h*0.1-overlay_h/2,0,main_h-overlay_h)':eof_action=repeat"
        ":enable='between(t,0,4)'[out_b0]",
        "[2:v]trim=duration=1.5,fps=30,setpts=PTS-STARTPTS+1/TB,"
        "scale=360:640:force_original_aspect_ratio=increase,crop=360:640,setsar=1,"
        "format=rgba[out_ov1]",
        "[out_b0][out_ov1]overlay=x=0:y=0:eof_action=repeat:enable='between(t,1,2.5)'[out_b1]",
        "[out_b1]format=yuv420p[out]",
    ]


def test_overlay_filters_none_is_passthrough() -> None:
    assert overlay_filters(_spec(), "b", [], "o") == ["[b]null[o]"]
