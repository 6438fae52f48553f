"""Scene clips and figure strips in the one FFmpeg argv."""

from __future__ import annotations

from reelgraph.workers.engine.compile import compile_spec
from reelgraph.workers.engine.spec import RenderSpec


def _spec(**clip: object) -> RenderSpec:
    return RenderSpec.model_validate(
        {
            "duration": 4.0,
            "output": {"width": 180, "height": 320, "fps": 30, "quality": "draft"},
            "visuals": [
                {"kind": "image", "path": "/m/a.png", "duration": 2.25},
                {"kind": "clip", "path": "/m/c.mp4", "duration": 2.0, **clip},
            ],
            "overlays": [
                {
                    "kind": "image",
                    "path": "/m/fig.png",
                    "start": 1.0,
                    "end": 2.0,
                    "frames": 20,
                    "frame_rate": 25,
                }
            ],
        }
    )


def _graph(argv: list[str]) -> str:
    return argv[argv.index("-filter_complex") + 1]


def test_looped_clip_is_opened_with_stream_loop_and_trimmed_to_its_frames() -> None:
    argv = compile_spec(_spec(loop=True), "/o.mp4")
    i = argv.index("/m/c.mp4")
    assert argv[: i + 1].count("-stream_loop") == 1
    g = _graph(argv)
    assert "[1:v]setpts=PTS-STARTPTS,fps=30,scale=180:320:force_original_aspect_ratio=increase" in g
    assert "crop=180:320" in g and "trim=end_frame=60" in g
    assert "[1:a]" not in g  # muted: its sound is never used


def test_slowed_clip_from_its_middle() -> None:
    g = _graph(compile_spec(_spec(start=1.5, speed=0.5), "/o.mp4"))
    assert "trim=start=1.5,setpts=(PTS-STARTPTS)/0.5,fps=30" in g
    assert "-stream_loop" not in compile_spec(_spec(start=1.5, speed=0.5), "/o.mp4")


def test_crossfade_into_a_clip_uses_its_head_frames() -> None:
    g = _graph(compile_spec(_spec(), "/o.mp4"))
    assert "split=2" in g and "[v1s0]trim=start_frame=0:end_frame=15,setpts=PTS-STARTPTS[v1h]" in g
    assert "xfade=transition=fade" in g


def test_figure_strip_steps_through_its_pictures() -> None:
    g = _graph(compile_spec(_spec(), "/o.mp4"))
    assert "crop=w=iw:h=ih/20:x=0:y='oh*min(floor(max(t-1,0)*25),19)'" in g


def test_an_enhanced_clip_is_denoised_upscaled_with_lanczos_and_sharpened() -> None:
    g = _graph(compile_spec(_spec(enhance={"denoise": 4.0, "sharpen": 0.6}), "/o.mp4"))
    chain = next(part for part in g.split(";") if part.startswith("[1:v]"))
    assert "hqdn3d" in chain and "lanczos" in chain and "unsharp" in chain
    assert chain.index("hqdn3d") < chain.index("lanczos") < chain.index("unsharp")
