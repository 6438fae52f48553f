"""Segments on two real `reelgraph worker` processes: both render some; a SIGKILLed worker's
segment is finished by the other, and the joined video is whole."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests import conftest_redis as _fx
from tests.conftest_redis import cmdline, kill_tree, process_tree, wait_for
from tests.segment_media import frames_gray, stills_spec

pytestmark = [pytest.mark.integration, pytest.mark.slow]

platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker

SEGMENT_S = 2.5
_PARTIAL = re.compile(r"/cache/segment/\w\w/(\w{64})\.partial")


def _workers(platform: dict[str, str]) -> dict[int, str]:
    """{pid: name} of the idle RQ workers registered in this test's Redis."""
    from redis import Redis
    from rq import Worker

    conn = Redis.from_url(platform["REDIS_URL"])
    return {int(w.pid): w.name for w in Worker.all(connection=conn) if w.pid}


def _segment_key(pid: int) -> str | None:
    """The key of the segment an FFmpeg under ``pid`` is rendering, if one is."""
    for p in process_tree(pid):
        m = _PARTIAL.search(cmdline(p))
        if "ffmpeg" in cmdline(p) and m:
            return m.group(1)
    return None


def _render(spec: dict[str, Any], out: Path, box: dict[str, Any]) -> None:
    from reelgraph.workers.jobs.dispatch import dispatch_mode
    from reelgraph.workers.jobs.segments import render_segmented

    try:
        with dispatch_mode("rq"):
            box["result"] = render_segmented(spec, str(out), SEGMENT_S)
    except Exception as exc:  # the test thread re-raises it
        import traceback

        box["error"] = exc
        box["trace"] = traceback.format_exc()


def _two_workers(start_worker: Any, platform: dict[str, str]) -> dict[int, str]:
    """Two `reelgraph worker --queues gpu,cpu`: {supervisor pid: its RQ worker's name}."""
    procs = [start_worker(queues="gpu,cpu", log_name=f"worker-{k}.log") for k in "ab"]

    def _ready() -> dict[int, str] | None:
        found = _workers(platform)
        names = {
            p.pid: next((n for pid, n in found.items() if pid in process_tree(p.pid)), "")
            for p in procs
        }
        return names if all(names.values()) else None

    names: dict[int, str] = wait_for(_ready, timeout=60, what="two registered workers")
    return names


def test_two_workers_share_the_segments(start_worker, platform, tmp_path: Path) -> None:
    names = _two_workers(start_worker, platform)
    spec = stills_spec(tmp_path)
    box: dict[str, Any] = {}
    _render(spec, tmp_path / "out.mp4", box)
    assert "error" not in box, box
    rows = box["result"]["segments"]
    assert len(rows) == 4
    assert {r["worker"] for r in rows} == set(names.values())
    assert len(frames_gray(tmp_path / "out.mp4")) == 210


def test_killed_segment_worker_segment_is_finished_by_the_other(
    start_worker, platform, tmp_path: Path
) -> None:
    names = _two_workers(start_worker, platform)
    spec = stills_spec(tmp_path)
    spec["output"]["quality"] = "high"  # slower encodes: a render is under way long enough
    box: dict[str, Any] = {}
    thread = threading.Thread(target=_render, args=(spec, tmp_path / "out.mp4", box))
    thread.start()
    victim, key = wait_for(
        lambda: next(((p, k) for p in names if (k := _segment_key(p))), None),
        timeout=120,
        interval=0.02,
        what="a worker rendering a segment",
    )
    kill_tree(victim)
    killed_at = time.monotonic()
    thread.join(timeout=300)
    assert not thread.is_alive() and "error" not in box, box.get("trace")
    result = box["result"]
    survivor = next(n for p, n in names.items() if p != victim)
    killed = result["segment_keys"].index(key)
    assert result["segments"][killed]["worker"] == survivor
    assert result["segments"][killed]["cache"] == "miss"
    assert len(frames_gray(tmp_path / "out.mp4")) == 210
    # the killed render's scratch folder never became the entry: the entry is whole
    entry = next((Path(platform["REELGRAPH_HOME"]) / "cache" / "segment").glob(f"*/{key}"))
    assert (entry / ".done").is_file() and (entry / "video.mp4").stat().st_size > 0
    print(f"finished {time.monotonic() - killed_at:.1f} s after the SIGKILL")
