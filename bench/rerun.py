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

from _common import narration_text


def _run(exe: str, args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    res = subprocess.run([exe, "create", "-q", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if res.returncode != 0:
        sys.exit(f"create failed: {res.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="about this long a video")
    parser.add_argument("--size", default="1080x1920")
    args = parser.parse_args()
    exe = shutil.which("reelgraph", path=str(Path(sys.executable).parent)) or "reelgraph"
    with tempfile.TemporaryDirectory(prefix="rerun-bench-") as tmp:
        env = {**os.environ, "REELGRAPH_HOME": str(Path(tmp) / "home")}
        text = narration_text(int(args.seconds * 2.5))
        common = ["--transcript", text, "--size", args.size, "--music", "calm"]
        first = _run(exe, [*common, "-o", str(Path(tmp) / "first.mp4")], env)
        again = _run(exe, [*common, "-o", str(Path(tmp) / "again.mp4")], env)
        same = (Path(tmp) / "first.mp4").read_bytes() == (Path(tmp) / "again.mp4").read_bytes()
    print(f"video ~{args.seconds:g} s at {args.size}, {os.cpu_count()} CPUs")
    print(f"first run (cold cache)      {first:8.2f} s")
    print(f"identical re-run            {again:8.2f} s")
    print(f"re-run / first              {again / first:8.3f}   (goal <= 0.10)")
    print(f"same video bytes            {same}")


if __name__ == "__main__":
    main()
