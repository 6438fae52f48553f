"""Benchmark: the caption flow's first run vs a re-run with only another caption style.

    python bench/caption.py [--seconds 30] [--size 1080x1920] [--source 1280x720] [--json]

Makes a talking-head-like source (speech from espeak-ng, pauses between sentences, burned text),
then in a fresh cache runs `caption` with silence removal, 9:16 reframe and zoom, then again with
another caption style. The second run should reuse audio, transcript, faces and the silence map,
re-render only, and take at most 40% of the first run's time (the ratio is printed; benchmarks
never assert). The bundled fonts are prepared before timing (a one-time install step).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import fresh_home, machine_info, narration_text, table
from bench.rows import Row, plain, row

GOAL = 0.40
QUICK = ["--seconds", "8", "--size", "360x640", "--source", "320x180"]


def make_source(folder: Path, seconds: float, size: tuple[int, int]) -> Path:
    """Sentences from espeak-ng with 0.8 s pauses between them over a moving background."""
    words = max(8, int(seconds * 2.3))
    text = narration_text(words).replace(". ", ". [[ ]] ")
    wav = folder / "speech.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "160", "-g", "30", "-w", str(wav), text],
        check=True,
        capture_output=True,
    )
    w, h = size
    out = folder / "source.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=s={w}x{h}:r=30",
            "-i",
            str(wav),
            "-vf",
            "lutyuv=y=val*0.6,drawbox=x=iw*0.4:y=ih*0.2:w=iw*0.2:h=ih*0.5:c=0xc08060:t=fill",
            "-shortest",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "20",
            "-c:a",
            "aac",
            "-ar",
            "48000",
            str(out),
        ],
        check=True,
    )
    return out


def run_once(src: Path, out_dir: Path, options: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    from reelgraph.graph.caption import run_caption

    t0 = time.perf_counter()
    res = run_caption({"source": str(src)}, options, out_dir=out_dir)
    return time.perf_counter() - t0, res["report"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--size", default="1080x1920", help="output WIDTHxHEIGHT (9:16)")
    ap.add_argument("--source", default="1280x720", help="source WIDTHxHEIGHT (16:9)")
    ap.add_argument("--model", default="tiny.en")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    return ap.parse_args(argv)


def timed(args: argparse.Namespace) -> dict[str, Any]:
    """The first run and the re-style run in one fresh cache, with their reports."""
    ow, oh = (int(x) for x in args.size.split("x"))
    sw, sh = (int(x) for x in args.source.split("x"))
    with fresh_home("caption") as root:
        from reelgraph.workers.engine.fonts import fonts_dir

        fonts_dir()  # install step, not part of captioning
        src = make_source(root, args.seconds, (sw, sh))
        opts = {
            "aspect": "9:16",
            "width": ow,
            "height": oh,
            "remove_silence": True,
            "zoom": True,
            "asr_model": args.model,
            "caption_style": "karaoke",
        }
        first_s, first = run_once(src, root / "first", opts)
        second_s, second = run_once(src, root / "second", {**opts, "caption_style": "pop"})
    ratio = second_s / first_s
    return {
        "source": f"{sw}x{sh} {first['duration_in']:.1f}s",
        "output": f"{ow}x{oh}",
        "duration_out": first["duration_out"],
        "first_s": round(first_s, 2),
        "restyle_s": round(second_s, 2),
        "ratio": round(ratio, 3),
        "goal": GOAL,
        "meets_goal": ratio <= GOAL,
        "first_stages": first["timings"],
        "restyle_stages": second["timings"],
        "restyle_cache": second["cache"],
        "machine": machine_info(),
    }


def rows_for(result: dict[str, Any]) -> list[Row]:
    detail = (
        f"{result['restyle_s']:.1f} s vs {result['first_s']:.1f} s; `caption` with silence "
        f"removal, 9:16 reframe, zoom, {result['source']} -> {result['output']}, then only "
        f"another caption style (analysis cached, render again); goal <= {GOAL}"
    )
    ratio = result["restyle_s"] / result["first_s"]
    return [row("caption re-style (analysis cached) / first run", ratio, detail)]


def measure(quick: bool = False) -> list[Row]:
    """The row, measured now (quick: 8 s 320x180 -> 360x640 instead of 30 s 720p -> 1080p)."""
    return rows_for(timed(parse_args(QUICK if quick else [])))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    result = timed(args)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    first_s, second_s, ratio = result["first_s"], result["restyle_s"], result["ratio"]
    print("caption: first run vs re-style run (fresh cache, fonts prepared)")
    print(
        table(
            [
                ("source", result["source"]),
                ("output", result["output"]),
                ("first run", f"{first_s:.2f} s"),
                ("re-style run", f"{second_s:.2f} s"),
                (
                    "ratio",
                    f"{ratio:.3f} (goal <= {GOAL}) {'OK' if ratio <= GOAL else 'ABOVE GOAL'}",
                ),
                ("re-style cache", json.dumps(result["restyle_cache"])),
                ("first stages", json.dumps(result["first_stages"])),
                ("re-style stages", json.dumps(result["restyle_stages"])),
                ("machine", json.dumps(result["machine"])),
            ]
        )
    )
    print("\n" + plain(rows_for(result)))


if __name__ == "__main__":
    main()
