"""`bench/render.py --breakdown`: reelgraph's render argv and variants of it, timed one by one."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench._common import table


def _variant_argv(spec: dict[str, Any], out: Path, encoder: str, name: str) -> list[str]:
    """reelgraph's render argv with one candidate change applied (for --breakdown)."""
    from reelgraph.settings import get_settings
    from reelgraph.workers.engine.caption_files import write_spec_captions
    from reelgraph.workers.engine.compile import compile_spec
    from reelgraph.workers.engine.fonts import fonts_dir
    from reelgraph.workers.engine.render import measure_loudness
    from reelgraph.workers.engine.spec import RenderSpec

    rs, s = RenderSpec.model_validate(spec), get_settings()
    argv = compile_spec(
        rs,
        str(out),
        encoder=encoder,
        measured_loudness=measure_loudness(rs),
        threads=s.threads,
        x264_preset=s.x264_preset,
        crf=s.crf,
        captions_ass=write_spec_captions(rs, out.parent / "captions", ("ass",))["ass"],
        fonts_dir=str(fonts_dir()),
    )
    fc = argv.index("-filter_complex") + 1
    if name == "filters only (-f null)":
        cut = argv.index("-map")
        return [*argv[:cut], "-map", "[vout]", "-map", "[aout]", "-f", "null", "-"]
    if name == "no captions":
        argv[fc] = _drop_ass(argv[fc])
    elif name == "pre-scale flags=bilinear":
        argv[fc] = argv[fc].replace("flags=bicubic", "flags=bilinear")
    elif name.startswith("sws_flags="):
        argv[fc] = f"{name};" + argv[fc]
    elif name.startswith("-filter_complex_threads") or name.startswith("-threads"):
        flag, value = name.split()
        argv = (
            [flag, value, *argv]
            if flag == "-filter_complex_threads"
            else [*argv[:-3], flag, value, *argv[-3:]]
        )
    return argv


def _drop_ass(fc: str) -> str:
    start = fc.index("ass=filename=")
    end = fc.index(",format=yuv420p,fps=", start)
    return fc[:start] + fc[end + 1 :]


VARIANTS = [
    "filters only (-f null)",
    "as is",
    "no captions",
    "pre-scale flags=bilinear",
    "-filter_complex_threads 1",
    "-threads 2",
]


def breakdown(spec: dict[str, Any], work: Path, encoder: str, times: dict[str, float]) -> None:
    """Time reelgraph's argv and variants of it (loudness measured once, outside the timing)."""
    from reelgraph.workers.engine.compile import compile_audio_measure
    from reelgraph.workers.engine.ffmpeg import ffmpeg_capture, run_ffmpeg
    from reelgraph.workers.engine.spec import RenderSpec

    rows = []
    t0 = time.perf_counter()
    ffmpeg_capture(compile_audio_measure(RenderSpec.model_validate(spec)) or [])
    rows.append(("loudness pass", f"{time.perf_counter() - t0:.2f} s"))
    for name in VARIANTS:
        argv = _variant_argv(spec, work / "variant.mp4", encoder, name)
        t0 = time.perf_counter()
        run_ffmpeg(argv, duration=float(spec["duration"]), what=name)
        dt = time.perf_counter() - t0
        rows.append((name, f"{dt:.2f} s  ({dt / times['bare']:.2f} x bare)"))
    print("\nbreakdown (ffmpeg runs only, no cache/hash overhead)\n" + table(rows))
