"""Segment-parallel rendering: one pass against segments on 1 and 2 real RQ workers, side by side.

One create-like composition (photo-like stills with Ken Burns moves and crossfades, karaoke
captions, a narration-like tone) is rendered, every render a cache miss (a fresh media store):
  single pass        render_spec, one FFmpeg run
  segmented, 1 / 2   render_segmented in server mode, the segments on 1 or 2 real
                     `python -m reelgraph.workers.jobs.worker` processes on a private Redis
and a model of N workers from the 1-worker run's measured per-segment costs: the segments
scheduled longest-first on N workers, plus the measured join (stream copy) and the rest of the
run's overhead (enqueueing, the audio track, waiting). Ratios are single-pass time / that time
(above 1 = faster than one pass).

    .venv/bin/python bench/segments.py [--quick]

``measure(quick)`` returns the rows for bench/run_all.py. A benchmark prints numbers and asserts
nothing about time. On a machine with few cores the workers compete for them: the model says
what N machines would give.
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine_info, photo_like, table

SENTENCE = "every morning the harbour wakes before the town does and the boats slide out"


def _config(quick: bool) -> dict[str, Any]:
    if quick:
        return {"size": (360, 640), "scenes": 4, "scene_s": 3.0, "segment_s": 3.0}
    return {"size": (720, 1280), "scenes": 8, "scene_s": 4.0, "segment_s": 4.0}


def _spec(work: Path, cfg: dict[str, Any]) -> dict[str, Any]:
    w, h = cfg["size"]
    n, scene = cfg["scenes"], cfg["scene_s"]
    duration = round(n * scene - (n - 1) * 0.5, 3)
    tone = work / "narration.wav"
    expr = "0.4*sin(2*PI*(300+40*t)*t)*(0.6+0.4*sin(2*PI*0.7*t))"
    lavfi = f"aevalsrc={expr}:s=48000:d={duration}"
    argv = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", lavfi, str(tone)]
    subprocess.run(argv, check=True)
    visuals = [
        {
            "kind": "image",
            "path": str(photo_like(work / f"photo{i}.png", i, (w * 2, h * 2))),
            "duration": scene,
            "motion": {"zoom_from": 1.0, "zoom_to": 1.2, "x_from": 0.4, "x_to": 0.6},
            "transition": {"kind": "crossfade", "duration": 0.5},
        }
        for i in range(n)
    ]
    count = int(duration / 0.5) - 1
    words_of = SENTENCE.split()
    words = [
        {"text": words_of[k % len(words_of)], "start": 0.5 * k, "end": 0.5 * k + 0.45}
        for k in range(count)
    ]
    return {
        "duration": duration,
        "output": {"width": w, "height": h, "fps": 30, "quality": "standard"},
        "visuals": visuals,
        "captions": {"words": words, "style": "karaoke"},
        "audio": {"narration": str(tone)},
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _redis(work: Path) -> Iterator[str]:
    """A private redis-server when the binary exists, else $REDIS_URL."""
    binary = shutil.which("redis-server")
    if not binary:
        yield os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        return
    port = _free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(work)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def _store(home: Path, redis_url: str) -> Iterator[None]:
    """This process's settings point at ``home`` and ``redis_url``."""
    from reelgraph.settings import get_settings
    from reelgraph.workers.jobs import queueing

    saved = {k: os.environ.get(k) for k in ("REELGRAPH_HOME", "REDIS_URL")}
    os.environ.update({"REELGRAPH_HOME": str(home), "REDIS_URL": redis_url})
    get_settings.cache_clear()
    queueing._conns.clear()
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()
        queueing._conns.clear()


def _workers(n: int, home: Path, redis_url: str) -> list[subprocess.Popen[bytes]]:
    from redis import Redis

    env = {**os.environ, "REELGRAPH_HOME": str(home), "REDIS_URL": redis_url}
    env["PYTHONPATH"] = os.pathsep.join([*sys.path[:1], env.get("PYTHONPATH", "")])
    argv = [sys.executable, "-m", "reelgraph.workers.jobs.worker", "--queues", "gpu,cpu"]
    procs = [
        subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(n)
    ]
    conn = Redis.from_url(redis_url)
    deadline = time.monotonic() + 60
    while len(conn.keys("rq:worker:*")) < n and time.monotonic() < deadline:
        time.sleep(0.1)
    return procs


def _segmented(spec: dict[str, Any], work: Path, redis_url: str, n: int, seconds: float) -> dict:
    from redis import Redis

    from reelgraph.workers.jobs.dispatch import dispatch_mode
    from reelgraph.workers.jobs.segments import render_segmented

    Redis.from_url(redis_url).flushdb()
    home = work / f"home-{n}w"
    with _store(home, redis_url):
        procs = _workers(n, home, redis_url)
        try:
            t0 = time.perf_counter()
            with dispatch_mode("rq"):
                result = render_segmented(spec, str(work / f"seg-{n}w.mp4"), seconds)
            result["wall"] = time.perf_counter() - t0
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=30)
    return result


def _single(spec: dict[str, Any], work: Path, tag: str) -> float:
    from reelgraph.workers.engine.render import render_spec

    with _store(work / f"home-single-{tag}", "redis://127.0.0.1:1/0"):
        t0 = time.perf_counter()
        render_spec(spec, str(work / f"single-{tag}.mp4"))
        return time.perf_counter() - t0


def _embedded(spec: dict[str, Any], work: Path, seconds: float) -> dict:
    """Segments in this process (embedded mode: threads), a fresh store."""
    from reelgraph.workers.jobs.segments import render_segmented

    with _store(work / "home-embedded", "redis://127.0.0.1:1/0"):
        t0 = time.perf_counter()
        result = render_segmented(spec, str(work / "embedded.mp4"), seconds)
        result["wall"] = time.perf_counter() - t0
    return result


def makespan(costs: list[float], workers: int) -> float:
    """Longest-first scheduling of ``costs`` on ``workers``: when the last one finishes."""
    loads = [0.0] * workers
    for c in sorted(costs, reverse=True):
        heapq.heapreplace(loads, loads[0] + c)
    return max(loads)


def _rows(singles: list[float], runs: dict[str, dict]) -> list[dict[str, Any]]:
    single = sum(singles) / len(singles)
    one = runs["1 worker"]
    costs = [float(r["seconds"]) for r in one["segments"]]
    join = float(one["join_seconds"])
    overhead = max(0.0, one["wall"] - sum(costs) - join)
    rows = [
        {
            "name": "single pass",
            "ratio": 1.0,
            "detail": f"{single:.2f} s (mean of {', '.join(f'{x:.2f}' for x in singles)}: "
            "before and after the segmented runs)",
        },
        {
            "name": "segment costs / single pass",
            "ratio": round(sum(costs) / single, 3),
            "detail": f"the 1-worker run's {len(costs)} segments took {sum(costs):.2f} s in all",
        },
    ]
    for label, res in runs.items():
        workers = sorted({r["worker"] for r in res["segments"]})
        rows.append(
            {
                "name": f"segmented, {label}",
                "ratio": round(single / res["wall"], 3),
                "detail": f"{res['wall']:.2f} s, {len(res['segments'])} segments, "
                f"join {res['join_seconds']:.2f} s, {len(workers)} worker(s) used",
            }
        )
    for n in (2, 4, 8):
        predicted = makespan(costs, n) + join + overhead
        rows.append(
            {
                "name": f"model, {n} workers",
                "ratio": round(single / predicted, 3),
                "detail": f"{predicted:.2f} s predicted = longest-first makespan of the "
                f"1-worker segment costs + join {join:.2f} s + overhead {overhead:.2f} s",
            }
        )
    return rows


def measure(quick: bool = False) -> list[dict[str, Any]]:
    """Rows {name, ratio, detail}: one pass, segments on 1 and 2 workers, and the N-worker model."""
    cfg = _config(quick)
    work = Path(tempfile.mkdtemp(prefix="reelgraph-bench-segments-"))
    try:
        spec = _spec(work, cfg)
        before = _single(spec, work, "before")
        runs = {"embedded (2 threads)": _embedded(spec, work, cfg["segment_s"])}
        with _redis(work) as redis_url:
            for n in (1, 2):
                label = f"{n} worker" + ("s" if n > 1 else "")
                runs[label] = _segmented(spec, work, redis_url, n, cfg["segment_s"])
        after = _single(spec, work, "after")
        return _rows([before, after], runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a smaller, shorter composition")
    args = p.parse_args(argv)
    cfg = _config(args.quick)
    print("segment-parallel rendering:", machine_info())
    print(f"  composition: {cfg}")
    rows = measure(args.quick)
    print(table([(r["name"], f"x{r['ratio']}  ({r['detail']})") for r in rows]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
