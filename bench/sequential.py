"""The seeds' sequential pattern vs reelgraph's single pass, measured side by side.

The seeds (shared/seeds) build a video step by step, each step an FFmpeg run that decodes the
previous step's file and encodes a new one ("Original -> [Step 1] -> temp_1.mp4 -> [Step 2] ->
temp_2.mp4 -> ..."). Here the standard composition of bench/render.py is made that way, in five
passes, each re-encoding video and audio (FFmpeg's default when no stream is copied):

  1 slideshow  the images with Ken Burns and crossfades (reelgraph's own filter graph), no audio
  2 narration  + the narration track (padded with silence to the video's length)
  3 music      + the music bed: ``volume`` + ``amix=duration=first`` (the seed's own command)
  4 captions   burn the same karaoke .ass with libass and the same fonts
  5 final      loudness normalisation (one-pass ``loudnorm``) and ``+faststart``

Every pass uses reelgraph's x264 settings (preset, crf, threads) and AAC at 192 kb/s, 48 kHz.
The single pass is ``render_spec`` on the same spec in a fresh cache (two-pass loudness, ducking).

    .venv/bin/python bench/sequential.py [--seconds 60] [--size 1080x1920] [--keep]

A benchmark is a script: it prints numbers and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import fresh_home, stopwatch
from bench.render import N_IMAGES, build_inputs
from bench.rows import Row, plain, row

PASSES = ("slideshow", "narration", "music", "captions", "final")
QUICK = ["--seconds", "8", "--size", "540x960"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--seconds", type=float, default=60.0, help="composition length (default 60)")
    p.add_argument("--size", default="1080x1920", help="output WIDTHxHEIGHT (default 1080x1920)")
    p.add_argument("--keep", action="store_true", help="keep the temp directory and print it")
    return p.parse_args(argv)


def _encode_args() -> list[str]:
    """reelgraph's video settings (libx264, its preset and crf) and the audio settings."""
    from reelgraph.settings import get_settings

    s = get_settings()
    argv = ["-c:v", "libx264", "-preset", s.x264_preset, "-crf", str(s.crf), "-pix_fmt", "yuv420p"]
    argv += ["-c:a", "aac", "-b:a", "192k", "-ar", "48000"]
    return argv + (["-threads", str(s.threads)] if s.threads else [])


def _slideshow_argv(spec: dict[str, Any], out: Path) -> list[str]:
    """Pass 1: reelgraph's visual filter graph alone (no captions, no audio)."""
    from reelgraph.settings import get_settings
    from reelgraph.workers.engine.compile import compile_spec
    from reelgraph.workers.engine.spec import RenderSpec

    s = get_settings()
    rs = RenderSpec.model_validate({**spec, "captions": None, "audio": {}})
    return compile_spec(rs, str(out), x264_preset=s.x264_preset, crf=s.crf, threads=s.threads)


def pass_argvs(spec: dict[str, Any], work: Path) -> list[tuple[str, list[str], Path]]:
    """(name, ffmpeg argv, output) of the five passes, each reading the previous output."""
    from reelgraph.workers.engine.caption_files import write_spec_captions
    from reelgraph.workers.engine.filtergraph import ass_filter
    from reelgraph.workers.engine.fonts import fonts_dir
    from reelgraph.workers.engine.spec import RenderSpec

    rs = RenderSpec.model_validate(spec)
    audio, enc = spec["audio"], _encode_args()
    ass = write_spec_captions(rs, work / "captions", ("ass",))["ass"]
    temp = [work / f"temp_{i}.mp4" for i in range(1, 5)] + [work / "final.mp4"]
    lufs = rs.audio.loudness_lufs
    mix = "[1:a]volume=0.3[a1];[0:a][a1]amix=inputs=2:duration=first[a]"
    narration = ["-map", "0:v", "-map", "1:a", "-af", "apad", "-t", str(spec["duration"])]
    music = ["-filter_complex", mix, "-map", "0:v", "-map", "[a]"]
    loudnorm = f"loudnorm=I={lufs:g}:TP=-1.5:LRA=11"
    steps = [
        ["-i", str(temp[0]), "-i", audio["narration"], *narration],
        ["-i", str(temp[1]), "-i", audio["music"]["path"], *music],
        ["-i", str(temp[2]), "-vf", ass_filter(ass, str(fonts_dir()))],
        ["-i", str(temp[3]), "-af", loudnorm, "-movflags", "+faststart"],
    ]
    argvs = [("slideshow", _slideshow_argv(spec, temp[0]), temp[0])]
    for name, step, out in zip(PASSES[1:], steps, temp[1:], strict=True):
        argvs.append((name, ["-y", *step, *enc, "-f", "mp4", str(out)], out))
    return argvs


def sequential(spec: dict[str, Any], work: Path) -> dict[str, float]:
    """Seconds of each of the five passes, run one after the other."""
    from reelgraph.workers.engine.ffmpeg import run_ffmpeg

    times: dict[str, float] = {}
    for name, argv, _ in pass_argvs(spec, work):
        with stopwatch(times, name):
            run_ffmpeg(argv, duration=float(spec["duration"]), what=f"sequential {name}")
    return times


def timed(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """The single pass and the five passes on the same inputs (built untimed first)."""
    from reelgraph.workers.engine.ffmpeg import ffmpeg_version
    from reelgraph.workers.engine.render import render_spec

    ffmpeg_version()
    w, h = (int(x) for x in args.size.lower().split("x"))
    spec, _ = build_inputs(work, args.seconds, None, (w, h))
    spec["output"]["encoder"] = "libx264"
    single: dict[str, float] = {}
    with stopwatch(single, "single"):
        res = render_spec(spec, str(work / "single.mp4"))
    if res["cache_hit"]:
        raise SystemExit("the single pass was a cache hit; the benchmark needs a fresh cache")
    return {"single": single["single"], "passes": sequential(spec, work)}


def rows_for(args: argparse.Namespace, r: dict[str, Any]) -> list[Row]:
    passes, single = r["passes"], r["single"]
    total = sum(passes.values())
    each = ", ".join(f"{k} {v:.1f}" for k, v in passes.items())
    detail = (
        f"{total:.1f} s vs {single:.1f} s; passes (s): {each}; each pass re-encodes video "
        f"(libx264) and audio; {args.seconds:g} s {args.size}@30, {N_IMAGES} images"
    )
    return [row("sequential 5-pass re-encode (seeds) / single pass", total / single, detail)]


def measure(quick: bool = False) -> list[Row]:
    """The row, measured now (quick: 8 s at 540x960 instead of 60 s at 1080x1920)."""
    args = parse_args(QUICK if quick else [])
    with fresh_home("sequential") as work:
        return rows_for(args, timed(args, work))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with fresh_home("sequential", keep=args.keep) as work:
        r = timed(args, work)
    print(plain(rows_for(args, r)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
