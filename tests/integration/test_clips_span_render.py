"""A range of a longer source in one render (a clip): the source is opened with a seek, and
picture and sound of the range stay together within a frame."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures_video import beep_time, decode_luma_and_audio, ffmpeg, flash_time

pytestmark = pytest.mark.integration

DURATION, MARK = 14.0, 9.5  # the beep and the white flash, in source seconds


def marker_long(path: Path) -> Path:
    """Dim test pattern with a tone; a 1 kHz beep and a white flash at MARK."""
    flash = f"drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='between(t,{MARK},{MARK + 0.1})'"
    beep = f"0.8*sin(2*PI*1000*t)*gte(t,{MARK})*lt(t,{MARK + 0.1})+0.2*sin(2*PI*300*t)"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=s=320x180:r=25:d={DURATION}",
        "-f",
        "lavfi",
        "-i",
        f"aevalsrc='{beep}':s=48000:d={DURATION}",
        "-vf",
        f"lutyuv=y=val*0.4,{flash},format=yuv420p",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-g",
        "50",
        "-c:a",
        "aac",
        str(path),
    )
    return path


@pytest.mark.parametrize("start", [6.0, 1.0])
def test_a_source_range_renders_in_sync(tmp_path: Path, start: float) -> None:
    from reelgraph.workers.engine.compile import compile_spec
    from reelgraph.workers.engine.render import render_spec
    from reelgraph.workers.engine.spec import Audio, Output, RenderSpec, Visual

    src = marker_long(tmp_path / "marker.mp4")
    span = MARK + 1.5 - start
    visual = Visual(kind="video", path=str(src), start=start, duration=span)
    spec = RenderSpec(
        duration=span,
        output=Output(width=320, height=180, fps=30, quality="draft"),
        visuals=[visual],
        audio=Audio(source_audio=True),
    )
    argv = compile_spec(spec, "out.mp4")
    opened_at = float(argv[argv.index("-ss") + 1]) if "-ss" in argv else 0.0
    assert opened_at == (4.0 if start == 6.0 else 0.0)  # whole seconds, 2 s before the range
    if opened_at:  # an input option: FFmpeg seeks before it decodes
        assert argv.index("-ss") < argv.index(str(src))
    out = render_spec(spec.model_dump(mode="json"), str(tmp_path / "clip.mp4"))
    luma, samples, fps = decode_luma_and_audio(Path(out["path"]))
    flash, beep = flash_time(luma, fps), beep_time(samples)
    assert flash == pytest.approx(MARK - start, abs=1 / fps), (flash, MARK - start)
    assert abs(flash - beep) <= 1 / fps, (flash, beep)
    assert len(luma) / fps == pytest.approx(span, abs=1 / fps)
    assert len(samples) / 48000 == pytest.approx(span, abs=0.05)
