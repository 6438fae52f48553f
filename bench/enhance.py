"""Frame enhancement's cost: the same renders with enhance and without, side by side (issue 13).

Two compositions at 1080x1920, 30 fps, no audio:
  stills  four 270x480 photo-like images with Ken Burns motion and crossfades (as create does)
  video   a 270x480 clip with sensor-like noise filling the frame (as caption renders it)
Each is rendered --repeats times with the enhancement `auto` plans for it (from the measured
noise) and without any, alternating, every render a cache miss (render_spec, one FFmpeg run).
Printed: the median seconds of each and the ratio enhance / plain.

    .venv/bin/python bench/enhance.py [--seconds 20] [--repeats 2] [--keep]

A benchmark is a script: it prints numbers and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import fresh_home, machine_info, photo_like, table
from bench.rows import Row, plain, row

SIZE = (270, 480)
OUT = (1080, 1920)
N_IMAGES = 4
QUICK = ["--seconds", "4", "--repeats", "1"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--seconds", type=float, default=20.0, help="composition length (default 20)")
    p.add_argument("--repeats", type=int, default=2, help="renders of each kind (default 2)")
    p.add_argument("--keep", action="store_true", help="keep the temp directory and print it")
    return p.parse_args(argv)


def _plan(path: Path, kind: str) -> tuple[dict[str, Any] | None, float, float]:
    """auto's enhancement of ``path``, its measured noise and the measuring time (cache miss)."""
    from reelgraph.workers.engine.enhance import measure_noise, plan_enhance, upscale_factor

    t0 = time.perf_counter()
    noise = measure_noise(str(path), kind)["noise"]
    took = time.perf_counter() - t0
    plan = plan_enhance("auto", upscale_factor(*SIZE, *OUT), noise)
    return (plan.model_dump() if plan else None), noise, took


def stills_spec(work: Path, seconds: float) -> tuple[dict[str, Any], list[str]]:
    from reelgraph.nodes.compose import XFADE, clip_durations, motion_for

    images = [photo_like(work / f"small{i}.png", i, SIZE) for i in range(N_IMAGES)]
    durations, fades = clip_durations([seconds / N_IMAGES] * N_IMAGES, XFADE)
    visuals, notes = [], []
    for i, path in enumerate(images):
        plan, noise, took = _plan(path, "image")
        notes.append(f"image {i}: noise {noise:.2f}, measured in {took:.2f} s, plan {plan}")
        visuals.append(
            {
                "kind": "image",
                "path": str(path),
                "duration": round(durations[i], 4),
                "motion": motion_for(i).model_dump(),
                "transition": {
                    "kind": "crossfade" if fades[i] else "none",
                    "duration": round(fades[i], 4),
                },
                "enhance": plan,
            }
        )
    return _spec(seconds, visuals), notes


def video_spec(work: Path, seconds: float) -> tuple[dict[str, Any], list[str]]:
    from reelgraph.workers.engine.ffmpeg import ffmpeg_capture

    src = work / "noisy.mp4"
    lavfi = f"testsrc2=s={SIZE[0]}x{SIZE[1]}:r=30:d={seconds:g}"
    encode = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "12", str(src)]
    noise = "noise=alls=12:allf=t,format=yuv420p"
    res = ffmpeg_capture(["-y", "-f", "lavfi", "-i", lavfi, "-vf", noise, *encode])
    if res.returncode != 0:
        sys.exit(res.stderr.decode(errors="replace")[-2000:])
    plan, noise, took = _plan(src, "video")
    visual = {"kind": "video", "path": str(src), "duration": seconds, "enhance": plan}
    return _spec(seconds, [visual]), [f"clip: noise {noise:.2f}, measured in {took:.2f} s, {plan}"]


def _spec(seconds: float, visuals: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "duration": seconds,
        "output": {"width": OUT[0], "height": OUT[1], "fps": 30},
        "visuals": visuals,
    }


def _plain(spec: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "visuals": [{**v, "enhance": None} for v in spec["visuals"]]}


def _render(spec: dict[str, Any], out: Path) -> float:
    """Seconds of one cache-missing ``render_spec``."""
    from reelgraph.workers.engine.cache import get_cache
    from reelgraph.workers.engine.render import render_spec

    shutil.rmtree(get_cache().root / "render", ignore_errors=True)
    t0 = time.perf_counter()
    res = render_spec(spec, str(out))
    took = time.perf_counter() - t0
    if res["cache_hit"]:
        sys.exit("a bench render hit the cache")
    return took


def side_by_side(spec: dict[str, Any], work: Path, repeats: int) -> dict[str, float]:
    """Median seconds of the enhanced and the plain render, run alternately."""
    runs: dict[str, list[float]] = {"enhance": [], "plain": []}
    for _ in range(repeats):
        runs["enhance"].append(_render(spec, work / "enhance.mp4"))
        runs["plain"].append(_render(_plain(spec), work / "plain.mp4"))
    return {k: statistics.median(v) for k, v in runs.items()}


def timed(args: argparse.Namespace, work: Path) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Median seconds of enhanced and plain renders per composition, and notes on the plans."""
    results, notes = {}, []
    for name, build in (("stills", stills_spec), ("video", video_spec)):
        spec, about = build(work, args.seconds)
        notes += about
        results[name] = side_by_side(spec, work, args.repeats)
    return results, notes


def rows_for(args: argparse.Namespace, results: dict[str, dict[str, float]]) -> list[Row]:
    what = f"{args.seconds:g} s at {OUT[0]}x{OUT[1]}@30 from {SIZE[0]}x{SIZE[1]}"
    kinds = {"stills": "stills (create)", "video": "video clip (caption)"}
    return [
        row(
            f"enhance / plain render, {kinds[name]}",
            t["enhance"] / t["plain"],
            f"{t['enhance']:.1f} s vs {t['plain']:.1f} s; {what}, auto's plan, "
            f"median of {args.repeats}",
        )
        for name, t in results.items()
    ]


def run(args: argparse.Namespace, work: Path) -> None:
    results, notes = timed(args, work)
    info = machine_info()
    print("machine\n" + table(list(info.items())))
    print("\ninputs (noise in grey levels; auto's plan)\n" + "\n".join(f"  {n}" for n in notes))
    times = {n: {k: round(v, 3) for k, v in t.items()} for n, t in results.items()}
    print("\njson " + json.dumps({"machine": info, "times": times}, sort_keys=True))
    print("\n" + plain(rows_for(args, results)))


def measure(quick: bool = False) -> list[Row]:
    """The rows, measured now (quick: 4 s, one render each, instead of 20 s, two each)."""
    args = parse_args(QUICK if quick else [])
    with fresh_home("enhance") as work:
        return rows_for(args, timed(args, work)[0])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with fresh_home("enhance", keep=args.keep) as work:  # every render a cache miss
        run(args, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
