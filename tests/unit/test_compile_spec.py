"""RenderSpec -> FFmpeg argv: golden strings, escaping, validation."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from reelgraph.workers.engine.compile import (
    compile_audio_measure,
    compile_spec,
    escape_filter_value,
)
from reelgraph.workers.engine.ffmpeg import FORMAT_WHITELIST
from reelgraph.workers.engine.spec import RenderSpec


def _spec(**over: object) -> RenderSpec:
    base: dict = {
        "duration": 6.0,
        "output": {"width": 1080, "height": 1920, "fps": 30},
        "visuals": [
            {
                "kind": "card",
                "path": "/m/a.png",
                "duration": 3.5,
                "motion": {"zoom_from": 1.0, "zoom_to": 1.2, "x_from": 0.3, "x_to": 0.7},
                "transition": {"kind": "crossfade", "duration": 0.5},
            },
            {
                "kind": "image",
                "path": "/m/b.png",
                "duration": 3.0,
                "motion": {"zoom_from": 1.2, "zoom_to": 1.0},
                "transition": {"kind": "none", "duration": 0},
            },
        ],
        "captions": {"words": [{"text": "Hi", "start": 0.2, "end": 0.6}], "style": "karaoke"},
        "audio": {
            "narration": "/m/n.wav",
            "music": {"path": "/m/mu.wav", "loop": False, "fade_in": 0, "fade_out": 0},
        },
    }
    base.update(over)
    return RenderSpec.model_validate(base)


GOLDEN_FC = (
    # clip a: 105 frames = body 90 + tail 15; clip b: 90 frames = head 15 + body 75; the 15
    # overlapping frames are one short xfade; everything is joined by one concat in yuv420p.
    "[0:v]scale=1080:1920:force_original_aspect_ratio=increase:flags=bicubic,crop=1080:1920,"
    "format=yuv420p,split=2[v0s0][v0s1];"
    "[v0s0]zoompan=z='1+0.2*(on/104)':x='(iw-iw/zoom)*(0.3+0.4*(on/104))'"
    ":y='(ih-ih/zoom)*(0.5+0*(on/104))':d=90:s=1080x1920:fps=30,setsar=1,trim=end_frame=90[v0b];"
    "[v0s1]zoompan=z='1+0.2*((on+90)/104)':x='(iw-iw/zoom)*(0.3+0.4*((on+90)/104))'"
    ":y='(ih-ih/zoom)*(0.5+0*((on+90)/104))':d=15:s=1080x1920:fps=30,setsar=1,"
    "trim=end_frame=15[v0t];"
    "[1:v]scale=1080:1920:force_original_aspect_ratio=increase:flags=bicubic,crop=1080:1920,"
    "format=yuv420p,split=2[v1s0][v1s1];"
    "[v1s0]zoompan=z='1.2+-0.2*(on/89)':x='(iw-iw/zoom)*(0.5+0*(on/89))'"
    ":y='(ih-ih/zoom)*(0.5+0*(on/89))':d=15:s=1080x1920:fps=30,setsar=1,trim=end_frame=15[v1h];"
    "[v0t]tpad=stop=1:stop_mode=clone[v0tp];[v1h]tpad=stop=1:stop_mode=clone[v1hp];"
    "[v0tp][v1hp]xfade=transition=fade:duration=0.5:offset=0,trim=end_frame=15,format=yuv420p,"
    "setpts=N/30/TB[x1];"
    "[v1s1]zoompan=z='1.2+-0.2*((on+15)/89)':x='(iw-iw/zoom)*(0.5+0*((on+15)/89))'"
    ":y='(ih-ih/zoom)*(0.5+0*((on+15)/89))':d=75:s=1080x1920:fps=30,setsar=1,"
    "trim=end_frame=75[v1b];"
    "[v0b][x1][v1b]concat=n=3:v=1:a=0[vcat];"
    "[vcat]ass=filename=/m/cap.ass:fontsdir=/m/fonts,format=yuv420p,fps=30,"
    "tpad=stop_mode=clone:stop_duration=1[vout];"
    "[2:a]aformat=sample_rates=48000:channel_layouts=stereo,apad,atrim=0:6[narr];"
    "[3:a]aformat=sample_rates=48000:channel_layouts=stereo,atrim=0:6,asetpts=PTS-STARTPTS,"
    "volume=-12dB,afade=t=in:st=0:d=0,afade=t=out:st=6:d=0[mus];"
    "[narr]asplit=2[voice][key];"
    "[mus][key]sidechaincompress=threshold=0.03:ratio=8:attack=20:release=400:makeup=1[ducked];"
    "[voice][ducked]amix=inputs=2:duration=first:dropout_transition=0:normalize=0[mix];"
    "[mix]loudnorm=I=-14:TP=-1.5:LRA=11,aresample=48000,aformat=channel_layouts=stereo,"
    "atrim=0:6[aout]"
)


FORMATS = {"/m/a.png": "png_pipe", "/m/b.png": "png_pipe", "/m/n.wav": "wav", "/m/mu.wav": "wav"}
#: The .ass file the render job writes from spec.captions, and this machine's fonts.
CAPS = {"captions_ass": "/m/cap.ass", "fonts_dir": "/m/fonts"}


def _opened(demuxer: str, path: str) -> list[str]:
    """One input: the probed demuxer forced, only whitelisted demuxers and local files."""
    wl = ["-format_whitelist", FORMAT_WHITELIST, "-protocol_whitelist", "file"]
    return ["-f", demuxer, *wl, "-i", path]


def test_golden_argv() -> None:
    argv = compile_spec(_spec(), "/out/v.mp4", encoder="libx264", input_formats=FORMATS, **CAPS)
    assert argv[:1] == ["-y"]
    assert argv[1:9] == _opened("png_pipe", "/m/a.png")
    assert argv[9:17] == _opened("png_pipe", "/m/b.png")
    assert argv[17:25] == _opened("wav", "/m/n.wav")
    assert argv[25:33] == _opened("wav", "/m/mu.wav")
    fc = argv[argv.index("-filter_complex") + 1]
    assert fc == GOLDEN_FC
    tail = argv[argv.index("-filter_complex") + 2 :]
    assert tail == [
        "-map",
        "[vout]",
        "-map",
        "[aout]",
        "-c:a",
        "aac",
        "-b:a",
        "192k",
        "-ar",
        "48000",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "20",
        "-pix_fmt",
        "yuv420p",
        "-r",
        "30",
        "-t",
        "6",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "/out/v.mp4",
    ]
    assert argv.count("-filter_complex") == 1


def test_nvenc_args_and_two_pass_loudnorm() -> None:
    measured = {
        "input_i": -20.5,
        "input_tp": -3.0,
        "input_lra": 4.0,
        "input_thresh": -31.0,
        "target_offset": 0.4,
    }
    argv = compile_spec(_spec(), "/o.mp4", encoder="h264_nvenc", measured_loudness=measured, **CAPS)
    assert argv[argv.index("-c:v") + 1] == "h264_nvenc"
    fc = argv[argv.index("-filter_complex") + 1]
    assert "measured_I=-20.5" in fc and "linear=true" in fc


def test_audio_measure_pass_is_audio_only() -> None:
    argv = compile_audio_measure(_spec(), FORMATS)
    assert argv is not None
    assert "/m/a.png" not in argv and argv[-3:] == ["-f", "null", "-"]
    assert argv[:16] == [*_opened("wav", "/m/n.wav"), *_opened("wav", "/m/mu.wav")]
    assert "print_format=json" in argv[argv.index("-filter_complex") + 1]


def test_unprobed_input_is_still_bound_by_the_whitelists() -> None:
    argv = compile_spec(_spec(), "/o.mp4", input_formats={"/m/a.png": "png_pipe"}, **CAPS)
    b = argv.index("/m/b.png")
    assert argv[b - 5 : b + 1] == [
        "-format_whitelist",
        FORMAT_WHITELIST,
        "-protocol_whitelist",
        "file",
        "-i",
        "/m/b.png",
    ]
    assert argv[b - 6] == "/m/a.png"  # no -f: FFmpeg probes, among whitelisted demuxers only
    assert argv.count("-format_whitelist") == 4


def test_filter_value_escaping_neutralises_syntax() -> None:
    nasty = "/tmp/a'b:c;[x],d\\e.ass"
    esc = escape_filter_value(nasty)
    assert esc == "/tmp/a\\\\\\'b\\\\:c\\;\\[x\\]\\,d\\\\\\\\e.ass"
    # no graph metacharacter is left unescaped (real FFmpeg: tests/integration/test_odd_paths)
    assert re.search(r"(?<!\\)[,;\[\]]", esc) is None


def test_spec_rejects_bad_values() -> None:
    with pytest.raises(ValidationError):
        _spec(duration=-1)
    with pytest.raises(ValidationError):
        _spec(output={"width": 1081, "height": 1920, "fps": 30})
    with pytest.raises(ValidationError):
        _spec(visuals=[])
    with pytest.raises(ValidationError):
        _spec(version=99)


def test_captions_burn_the_given_file_and_none_without_words() -> None:
    with pytest.raises(ValueError, match="captions"):
        compile_spec(_spec(), "/o.mp4")  # the compiler never silently drops captions
    bare = compile_spec(_spec(captions={"words": []}), "/o.mp4")
    assert "ass=" not in bare[bare.index("-filter_complex") + 1]
    none = compile_spec(_spec(captions=None), "/o.mp4")
    assert "ass=" not in none[none.index("-filter_complex") + 1]


def test_fade_goes_through_black_and_crossfade_dissolves() -> None:
    visuals = _spec().model_dump()["visuals"]
    visuals[0]["transition"] = {"kind": "fade", "duration": 0.5}
    fc = compile_spec(_spec(visuals=visuals, captions=None), "/o.mp4")
    assert "[v0tp][v1hp]xfade=transition=fadeblack:duration=0.5:offset=0," in " ".join(fc)
    video = [{"kind": "video", "path": "/m/s.mp4", "duration": 2.0} for _ in range(2)]
    video[0]["transition"] = {"kind": "fade", "duration": 0.5}
    fc = " ".join(compile_spec(_spec(visuals=video, captions=None), "/o.mp4"))
    assert "[v0][v1]xfade=transition=fadeblack:duration=0.5:offset=1.5," in fc
    video[0]["transition"] = {"kind": "crossfade", "duration": 0.5}
    fc = " ".join(compile_spec(_spec(visuals=video, captions=None), "/o.mp4"))
    assert "[v0][v1]xfade=transition=fade:duration=0.5:offset=1.5," in fc
