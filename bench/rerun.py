"""The identical `reelgraph create` run twice: the second must be near-instant (goal <= 0.10).

Both runs are the console script in a fresh process with a fresh data home (first run: cold
cache; second run: the same command again), measured side by side in one run of this script.

    python bench/rerun.py [--seconds 30] [--size 1080x1920]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import narration_text
from bench.rows import Row, plain, row

QUICK = ["--seconds", "6", "--size", "360x640"]


def _run(exe: str, args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    res = subprocess.run([exe, "create", "-q", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if res.returncode != 0:
        raise RuntimeError(f"create failed: {res.stderr[-2000:]}")
    return elapsed


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="about this long a video")
    parser.add_argument("--size", default="1080x1920")
    return parser.parse_args(argv)


def timed(args: argparse.Namespace) -> dict[str, Any]:
    """The first run and the identical re-run, and whether their bytes are the same."""
    exe = shutil.which("reelgraph", path=str(Path(sys.executable).parent)) or "reelgraph"
    with tempfile.TemporaryDirectory(prefix="rerun-bench-") as tmp:
        env = {**os.environ, "REELGRAPH_HOME": str(Path(tmp) / "home")}
        text = narration_text(int(args.seconds * 2.5))
        common = ["--transcript", text, "--size", args.size, "--music", "calm"]
        first = _run(exe, [*common, "-o", str(Path(tmp) / "first.mp4")], env)
        again = _run(exe, [*common, "-o", str(Path(tmp) / "again.mp4")], env)
        same = (Path(tmp) / "first.mp4").read_bytes() == (Path(tmp) / "again.mp4").read_bytes()
    return {"first": first, "again": again, "same": same}


def rows_for(args: argparse.Namespace, r: dict[str, Any]) -> list[Row]:
    detail = (
        f"{r['again']:.2f} s vs {r['first']:.1f} s; `reelgraph create` twice, each a fresh "
        f"process, ~{args.seconds:g} s at {args.size}; same bytes: {r['same']}; goal <= 0.10"
    )
    return [row("cached re-run / uncached first run", r["again"] / r["first"], detail)]


def measure(quick: bool = False) -> list[Row]:
    """The row, measured now (quick: ~6 s at 360x640 instead of ~30 s at 1080x1920)."""
    args = parse_args(QUICK if quick else [])
    return rows_for(args, timed(args))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    r = timed(args)
    print(f"video ~{args.seconds:g} s at {args.size}, {os.cpu_count()} CPUs")
    print(f"first run (cold cache)      {r['first']:8.2f} s")
    print(f"identical re-run            {r['again']:8.2f} s")
    print(f"re-run / first              {r['again'] / r['first']:8.3f}   (goal <= 0.10)")
    print(f"same video bytes            {r['same']}")
    print("\n" + plain(rows_for(args, r)))


if __name__ == "__main__":
    main()
