"""Module-level job functions and a small graph runner for the platform tests (no tests here).

Worker processes import these by name (``REELGRAPH_GRAPH_RUNNER=
tests.integration.test_worker_fakes:run_job``), so they live in an importable module.
The runner follows graph.runner.run_job's contract and sends its media work through
``workers.dispatch`` exactly like the real graph, so the queues, hooks and cancel path are real.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from reelgraph.errors import InvalidInput, TransientError
from reelgraph.workers.engine import progress
from reelgraph.workers.engine.ffmpeg import PROTOCOL_WHITELIST, run_ffmpeg
from reelgraph.workers.jobs.dispatch import dispatch


def render_clip(
    out_path: str, seconds: float, size: str = "160x120", realtime: bool = False
) -> dict[str, Any]:
    """A test-pattern clip with a tone, written atomically; ``realtime`` makes it slow."""
    tmp = out_path + ".partial.mp4"
    pre = ["-re"] if realtime else []
    args = [
        "-protocol_whitelist",
        PROTOCOL_WHITELIST,
        *pre,
        "-f",
        "lavfi",
        "-i",
        f"testsrc=size={size}:rate=15:duration={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:duration={seconds}",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        "-y",
        tmp,
    ]
    run_ffmpeg(
        args,
        duration=seconds,
        on_progress=progress.report,
        should_cancel=progress.should_cancel,
        what="test render",
    )
    os.replace(tmp, out_path)
    return {"path": out_path, "pid": os.getpid()}


def counted(counter_file: str, value: int) -> dict[str, Any]:
    """Appends a line to ``counter_file`` each time it really runs (idempotency checks)."""
    with open(counter_file, "a") as fh:
        fh.write("run\n")
    return {"value": value * 2}


def fails_permanently(counter_file: str) -> None:
    with open(counter_file, "a") as fh:
        fh.write("run\n")
    raise InvalidInput("The test input is wrong on purpose; fix the input.")


def flaky(counter_file: str, failures: int) -> str:
    """Raises TransientError the first ``failures`` times it runs, then succeeds."""
    with open(counter_file, "a") as fh:
        fh.write("run\n")
    runs = Path(counter_file).read_text().count("run")
    if runs <= failures:
        raise TransientError("A transient test failure; it will be retried.")
    return f"ok after {runs}"


def run_job(
    kind: str,
    input: dict[str, Any],
    options: dict[str, Any],
    *,
    job_id: str,
    out_dir: Path,
    on_event: Any = None,
    checkpointer: Any = None,
    should_cancel: Any = None,
) -> dict[str, Any]:
    """A two-stage stand-in for the real graph: plan (instant), render (a media job on gpu)."""
    emit = on_event or (lambda e: None)
    mode = options.get("voice") or "ok"  # the test picks a behaviour through a name option
    emit({"type": "stage", "stage": "plan_script", "progress": 0.0})
    if mode == "invalid":
        raise InvalidInput("The prompt cannot be planned (test); change the prompt.")
    emit({"type": "stage_done", "stage": "plan_script", "progress": 1.0, "seconds": 0.01})
    emit({"type": "stage", "stage": "render", "progress": 0.0})
    seconds = 30.0 if mode == "slow" else float(options.get("duration") or 2.0)
    video = out_dir / "video.mp4"
    res = dispatch(
        render_clip, queue="gpu", out_path=str(video), seconds=seconds, realtime=mode == "slow"
    )
    emit({"type": "progress", "stage": "render", "progress": 1.0})
    emit({"type": "stage_done", "stage": "render", "progress": 1.0, "seconds": 0.5})
    report = {
        "kind": kind,
        "prompt": input.get("prompt"),
        "render_pid": res["pid"],
        "images": input.get("images", []),
    }
    (out_dir / "report.json").write_text(json.dumps(report))
    (out_dir / "captions.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nhello\n")
    return {
        "artifacts": {
            "video.mp4": str(video),
            "report.json": str(out_dir / "report.json"),
            "captions.srt": str(out_dir / "captions.srt"),
        },
        "report": report,
    }


def computed(value: int) -> dict[str, Any]:
    """A media job that always computes (like a render on a cold cache)."""
    return {"value": value, "cache_hit": False}
