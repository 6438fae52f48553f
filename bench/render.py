"""Render benchmark: the standard composition through reelgraph, a bare encode, and MoviePy.

The standard composition (issue 2): 60 s, 1080x1920 at 30 fps, six ~2000x3000 photo-like images
with Ken Burns motion and 0.5 s crossfades (built like nodes/compose.py), karaoke word captions
(the render job writes the .ass from the spec and burns it with the bundled fonts), narration
(piper, espeak-ng fallback) plus a ducked music bed.

Measured side by side in one run, printed as ratios:
  reelgraph / bare encode   (goal <= 1.3)  bare = the same frames + audio, same encoder settings
  moviepy / reelgraph       (goal >= 5)    the same composition done with MoviePy 2.x

    .venv/bin/python bench/render.py [--seconds 60] [--skip-moviepy] [--keep] [--encoder auto]
                                     [--breakdown]

Inputs are generated deterministically; every render is a cache miss (fresh REELGRAPH_HOME).
A benchmark is a script: it prints numbers and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    free_bytes,
    machine_info,
    moviepy_render,
    narration_text,
    photo_like,
    stopwatch,
    table,
)

N_IMAGES = 6
WORDS_PER_SECOND = 2.5


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--seconds", type=float, default=60.0, help="composition length (default 60)")
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


def build_inputs(work: Path, seconds: float, voice: str | None) -> tuple[dict[str, Any], list]:
    """Images, narration, music and captions -> (RenderSpec dict, caption words); untimed."""
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

    images = [photo_like(work / f"image{i}.png", i) for i in range(N_IMAGES)]
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
        output=Output(width=1080, height=1920, fps=30),
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


def _bare_source(work: Path, video: Path, seconds: float, fps: int) -> tuple[Path, str]:
    """Decode reelgraph's output to raw yuv420p + PCM (untimed), when the disk has room."""
    from reelgraph.workers.engine.ffmpeg import ffmpeg_capture

    need = int(1080 * 1920 * 1.5 * fps * seconds + 48000 * 4 * seconds)
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


def run(args: argparse.Namespace, work: Path) -> None:
    from reelgraph.settings import get_settings
    from reelgraph.workers.engine.ffmpeg import choose_encoder, ffmpeg_version, run_ffmpeg
    from reelgraph.workers.engine.render import render_spec

    s = get_settings()
    encoder = choose_encoder(args.encoder if args.encoder != "auto" else s.encoder)
    ffmpeg_version()  # warm the lru caches so the timed render does not pay for probing
    spec, words = build_inputs(work, args.seconds, args.voice)
    spec["output"]["encoder"] = encoder
    times: dict[str, float] = {}
    out = work / "reelgraph.mp4"
    with stopwatch(times, "reelgraph"):
        res = render_spec(spec, str(out))
    if res["cache_hit"]:
        raise SystemExit("the render was a cache hit; the benchmark needs a fresh cache")
    print(f"reelgraph output: {_probe(out)}")
    src, how = _bare_source(work, out, args.seconds, spec["output"]["fps"])
    with stopwatch(times, "bare"):
        run_ffmpeg(
            bare_argv(spec, src, work / "bare.mp4", encoder),
            duration=args.seconds,
            what="Bare encode",
        )
    if src != out:
        src.unlink()
    moviepy_note = _moviepy(args, spec, words, work, times, encoder)
    if args.breakdown:
        breakdown(spec, work, encoder, times)
    _report(args, times, encoder, how, moviepy_note, res)


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
    return f"done; {note}; captions as one TextClip per event (no per-word highlight)"


def _report(
    args: argparse.Namespace,
    times: dict[str, float],
    encoder: str,
    how: str,
    moviepy_note: str,
    res: dict[str, Any],
) -> None:
    info = machine_info()
    rows = [(k, v) for k, v in info.items()]
    rows += [("encoder", encoder), ("composition", f"{args.seconds:g} s 1080x1920@30, 6 images")]
    print("\nmachine / settings\n" + table(rows))
    rows = [
        (
            "reelgraph render",
            f"{times['reelgraph']:.2f} s  (render_spec, cache miss, "
            f"loudness two-pass={res.get('loudness_two_pass')})",
        ),
        ("bare encode", f"{times['bare']:.2f} s  ({how})"),
    ]
    if "moviepy" in times:
        rows.append(("moviepy", f"{times['moviepy']:.2f} s"))
    print("\ntimes\n" + table(rows))
    ratios = [("reelgraph / bare", f"{times['reelgraph'] / times['bare']:.2f}  (goal <= 1.3)")]
    if "moviepy" in times:
        ratios.append(
            ("moviepy / reelgraph", f"{times['moviepy'] / times['reelgraph']:.2f}  (goal >= 5)")
        )
    else:
        ratios.append(("moviepy / reelgraph", moviepy_note))
    print("\nratios\n" + table(ratios))
    if "moviepy" in times:
        print(f"  moviepy: {moviepy_note}")
    summary = {
        "machine": info,
        "encoder": encoder,
        "seconds": args.seconds,
        "times": {k: round(v, 3) for k, v in times.items()},
    }
    print("\njson " + json.dumps(summary, sort_keys=True))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="reelgraph-bench-"))
    os.environ["REELGRAPH_HOME"] = str(work / "home")  # fresh cache: every render is a miss
    from reelgraph.settings import get_settings

    get_settings.cache_clear()
    t0 = time.perf_counter()
    try:
        run(args, work)
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"total bench wall time {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
