"""Render benchmark: the standard composition through reelgraph, a bare encode, and MoviePy.

The standard composition (issue 2): 60 s, 1080x1920 at 30 fps, six ~2000x3000 photo-like images
with Ken Burns motion and 0.5 s crossfades (built like nodes/compose.py), karaoke word captions
(the render job writes the .ass from the spec and burns it with the bundled fonts), narration
(piper, espeak-ng fallback) plus a ducked music bed.

Measured side by side in one run, printed as ratios:
  reelgraph / bare encode   (goal <= 1.3)  bare = the same frames + audio, same encoder settings
  moviepy / reelgraph       (goal >= 5)    the same composition done with MoviePy 2.x

    .venv/bin/python bench/render.py [--seconds 60] [--size 1080x1920] [--skip-moviepy] [--keep]
                                     [--encoder auto] [--breakdown]

Inputs are generated deterministically; every render is a cache miss (fresh REELGRAPH_HOME).
A benchmark is a script: it prints numbers and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    free_bytes,
    fresh_home,
    machine_info,
    moviepy_render,
    narration_text,
    photo_like,
    stopwatch,
    table,
    use_reelgraph_ffmpeg,
)
from bench.rows import Row, plain, row, unavailable

N_IMAGES = 6
WORDS_PER_SECOND = 2.5


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--seconds", type=float, default=60.0, help="composition length (default 60)")
    p.add_argument("--size", default="1080x1920", help="output WIDTHxHEIGHT (default 1080x1920)")
    p.add_argument("--skip-moviepy", action="store_true", help="do not run the MoviePy baseline")
    p.add_argument("--keep", action="store_true", help="keep the temp directory and print it")
    p.add_argument("--encoder", default="auto", help="auto | libx264 | h264_nvenc")
    p.add_argument("--voice", default=None, help="narration voice (default: piper joe)")
    p.add_argument(
        "--breakdown",
        action="store_true",
        help="also time parts of the render and candidate filter changes",
    )
    return p.parse_args(argv)


def _narration(seconds: float, voice: str | None) -> dict[str, Any]:
    """~2.5 words/s of speech, re-spoken once at a matched speed if far from ``seconds``."""
    from reelgraph.workers.engine.tts import synthesize_text

    text = narration_text(max(3, round(seconds * WORDS_PER_SECOND)))
    nar = synthesize_text(text, voice=voice)
    ratio = float(nar["duration"]) / seconds
    if not 0.9 <= ratio <= 1.0:
        speed = min(2.0, max(0.5, ratio / 0.96))
        nar = synthesize_text(text, voice=voice, speed=speed)
    return nar


def build_inputs(
    work: Path, seconds: float, voice: str | None, size: tuple[int, int] = (1080, 1920)
) -> tuple[dict[str, Any], list]:
    """Images, narration, music and captions -> (RenderSpec dict, caption words); untimed.

    The images are about 1.85 x 1.56 times the output size (2000x3000 for 1080x1920)."""
    from reelgraph.nodes.compose import XFADE, clip_durations, motion_for
    from reelgraph.workers.engine.fonts import fonts_dir
    from reelgraph.workers.engine.music import prepare_music, tracks_for
    from reelgraph.workers.engine.spec import (
        Audio,
        Captions,
        Music,
        Output,
        RenderSpec,
        Transition,
        Visual,
    )

    picture = (round(size[0] * 2000 / 1080), round(size[1] * 3000 / 1920))
    images = [photo_like(work / f"image{i}.png", i, picture) for i in range(N_IMAGES)]
    nar = _narration(seconds, voice)
    words = [
        {**w, "end": min(float(w["end"]), seconds)}
        for w in nar["words"]
        if float(w["start"]) < seconds - 0.1
    ]
    music = prepare_music(str(tracks_for("calm")[0]), seconds)
    fonts_dir()  # install step (cuts the Bold instance once per machine), not part of rendering
    durations, fades = clip_durations([seconds / N_IMAGES] * N_IMAGES, XFADE)
    visuals = [
        Visual(
            kind="image",
            path=str(p),
            duration=round(durations[i], 4),
            motion=motion_for(i),
            transition=Transition(
                kind="crossfade" if fades[i] else "none", duration=round(fades[i], 4)
            ),
        )
        for i, p in enumerate(images)
    ]
    spec = RenderSpec(
        duration=round(seconds, 3),
        output=Output(width=size[0], height=size[1], fps=30),
        visuals=visuals,
        captions=Captions(words=words, style="karaoke"),
        audio=Audio(
            narration=nar["audio"],
            music=Music(path=music["path"], loop=False, fade_in=0, fade_out=0),
        ),
    )
    print(
        f"inputs: {N_IMAGES} images, narration {nar['duration']:.1f} s ({nar['engine']}), "
        f"{len(words)} caption words, music {Path(music['path']).name}"
    )
    return spec.model_dump(mode="json"), words


def _bare_source(work: Path, video: Path, seconds: float, output: dict) -> tuple[Path, str]:
    """Decode reelgraph's output to raw yuv420p + PCM (untimed), when the disk has room."""
    from reelgraph.workers.engine.ffmpeg import ffmpeg_capture

    frame = output["width"] * output["height"] * 1.5
    need = int(frame * output["fps"] * seconds + 48000 * 4 * seconds)
    if free_bytes(work) < need * 1.2 + (1 << 30):
        return video, "decoded inline from reelgraph's mp4 (disk too small for raw frames)"
    raw = work / "frames.nut"
    res = ffmpeg_capture(
        [
            "-y",
            "-i",
            str(video),
            "-map",
            "0:v",
            "-map",
            "0:a",
            "-c:v",
            "rawvideo",
            "-c:a",
            "pcm_s16le",
            "-f",
            "nut",
            str(raw),
        ],
        timeout=1800,
    )
    if res.returncode != 0:
        raise SystemExit("decoding reelgraph's output failed: " + res.stderr.decode()[-400:])
    return raw, f"raw yuv420p frames + PCM read from disk ({raw.stat().st_size / 1e9:.1f} GB)"


def bare_argv(spec: dict[str, Any], src: Path, out: Path, encoder: str) -> list[str]:
    """Encode ``src`` (video + audio) with exactly reelgraph's output settings."""
    from reelgraph.settings import get_settings
    from reelgraph.workers.engine.compile import encoder_args
    from reelgraph.workers.engine.ffmpeg import PROTOCOL_WHITELIST
    from reelgraph.workers.engine.spec import RenderSpec

    rs, s = RenderSpec.model_validate(spec), get_settings()
    argv = [
        "-y",
        "-protocol_whitelist",
        PROTOCOL_WHITELIST,
        "-i",
        str(src),
        "-map",
        "0:v:0",
        "-map",
        "0:a:0",
        "-c:a",
        "aac",
        "-b:a",
        "192k",
        "-ar",
        "48000",
        *encoder_args(rs, encoder, x264_preset=s.x264_preset, crf=s.crf),
    ]
    if s.threads:
        argv += ["-threads", str(s.threads)]
    return [
        *argv,
        "-r",
        str(rs.output.fps),
        "-t",
        str(rs.duration),
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(out),
    ]


def _probe(path: Path) -> str:
    from reelgraph.workers.engine.probe import probe

    info = probe(path)
    d = info.__dict__ if hasattr(info, "__dict__") else {}
    keys = ("width", "height", "fps", "duration")
    return ", ".join(f"{k}={d[k]}" for k in keys if k in d) or str(info)


def timed_renders(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """The render, the bare encode and (unless skipped) MoviePy, timed one after the other."""
    from reelgraph.settings import get_settings
    from reelgraph.workers.engine.ffmpeg import choose_encoder, ffmpeg_version, run_ffmpeg
    from reelgraph.workers.engine.render import render_spec

    s = get_settings()
    encoder = choose_encoder(args.encoder if args.encoder != "auto" else s.encoder)
    ffmpeg_version()  # warm the lru caches so the timed render does not pay for probing
    spec, words = build_inputs(work, args.seconds, args.voice, _size(args))
    spec["output"]["encoder"] = encoder
    times: dict[str, float] = {}
    out = work / "reelgraph.mp4"
    with stopwatch(times, "reelgraph"):
        res = render_spec(spec, str(out))
    if res["cache_hit"]:
        raise SystemExit("the render was a cache hit; the benchmark needs a fresh cache")
    print(f"reelgraph output: {_probe(out)}")
    src, how = _bare_source(work, out, args.seconds, spec["output"])
    with stopwatch(times, "bare"):
        run_ffmpeg(
            bare_argv(spec, src, work / "bare.mp4", encoder),
            duration=args.seconds,
            what="Bare encode",
        )
    if src != out:
        src.unlink()
    note = _moviepy(args, spec, words, work, times, encoder)
    return {**res, "spec": spec, "times": times, "encoder": encoder, "how": how, "moviepy": note}


def rows_for(args: argparse.Namespace, r: dict[str, Any]) -> list[Row]:
    """The table's rows: single pass / bare encode and MoviePy / single pass."""
    t, (w, h) = r["times"], _size(args)
    what = f"{args.seconds:g} s {w}x{h}@30, {N_IMAGES} images, karaoke captions, narration + music"
    rows = [
        row(
            "render: single pass / bare encode",
            t["reelgraph"] / t["bare"],
            f"{t['reelgraph']:.1f} s vs {t['bare']:.1f} s; {what}; {r['encoder']}; goal <= 1.3",
        )
    ]
    if "moviepy" not in t:
        return [*rows, unavailable("render: MoviePy / single pass", r["moviepy"])]
    mp = f"MoviePy {_moviepy_version()}"
    detail = f"{t['moviepy']:.1f} s vs {t['reelgraph']:.1f} s; {mp}, {r['moviepy']}; goal >= 5"
    return [*rows, row("render: MoviePy / single pass", t["moviepy"] / t["reelgraph"], detail)]


def _moviepy_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("moviepy")
    except PackageNotFoundError:
        return "?"


def _size(args: argparse.Namespace) -> tuple[int, int]:
    w, h = (int(x) for x in args.size.lower().split("x"))
    return w, h


QUICK = ["--seconds", "8", "--size", "540x960"]


def measure(quick: bool = False, moviepy: bool = True) -> list[Row]:
    """The render rows, measured now (quick: 8 s at 540x960 instead of 60 s at 1080x1920)."""
    args = parse_args([*(QUICK if quick else []), *([] if moviepy else ["--skip-moviepy"])])
    with fresh_home("render") as work:
        return rows_for(args, timed_renders(args, work))


def _moviepy(
    args: argparse.Namespace,
    spec: dict[str, Any],
    words: list,
    work: Path,
    times: dict[str, float],
    encoder: str,
) -> str:
    if args.skip_moviepy:
        return "skipped (--skip-moviepy)"
    use_reelgraph_ffmpeg()  # before moviepy's config is imported
    try:
        import moviepy  # noqa: F401
    except ImportError:
        return "not installed (pip install moviepy); skipped"
    from reelgraph.settings import get_settings

    s = get_settings()
    with stopwatch(times, "moviepy"):
        moviepy_render(
            spec,
            words,
            work / "moviepy.mp4",
            preset=s.x264_preset,
            crf=s.crf,
            threads=s.threads or None,
        )
    note = "libx264 (MoviePy writes through FFmpeg)" if encoder != "libx264" else "same encoder"
    return f"{note}; captions as one TextClip per event (no per-word highlight)"


def _report(args: argparse.Namespace, r: dict[str, Any]) -> None:
    times = r["times"]
    rows = [(k, v) for k, v in machine_info().items()]
    rows += [("encoder", r["encoder"]), ("composition", f"{args.seconds:g} s {args.size}@30")]
    print("\nmachine / settings\n" + table(rows))
    rows = [
        (
            "reelgraph render",
            f"{times['reelgraph']:.2f} s  (render_spec, cache miss, "
            f"loudness two-pass={r.get('loudness_two_pass')})",
        ),
        ("bare encode", f"{times['bare']:.2f} s  ({r['how']})"),
    ]
    if "moviepy" in times:
        rows.append(("moviepy", f"{times['moviepy']:.2f} s  ({r['moviepy']})"))
    print("\ntimes\n" + table(rows))
    summary = {
        "encoder": r["encoder"],
        "seconds": args.seconds,
        "size": args.size,
        "times": {k: round(v, 3) for k, v in times.items()},
    }
    print("\njson " + json.dumps(summary, sort_keys=True))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    with fresh_home("render", keep=args.keep) as work:  # fresh cache: every render is a miss
        r = timed_renders(args, work)
        if args.breakdown:
            from bench.render_breakdown import breakdown

            breakdown(r["spec"], work, r["encoder"], r["times"])
    _report(args, r)
    print("\n" + plain(rows_for(args, r)))
    print(f"total bench wall time {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
