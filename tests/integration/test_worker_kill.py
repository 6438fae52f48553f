"""Killing worker processes leaves nothing behind: no FFmpeg, no work horse, no .partial files."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests import conftest_redis as _fx
from tests.conftest_redis import cmdline, process_tree, wait_for
from tests.integration import test_worker_fakes as fakes

pytestmark = pytest.mark.integration

platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker


def _all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _procs_with(marker: str) -> list[int]:
    return [p for p in _all_pids() if marker in cmdline(p)]


def _rq_worker(supervisor: int) -> int:
    kids = [
        p for p in process_tree(supervisor)[1:] if "reelgraph.workers.jobs.worker" in cmdline(p)
    ]
    return kids[0] if kids else 0


def test_killing_a_worker_kills_its_work_horse_and_ffmpeg(start_worker, tmp_path: Path) -> None:
    from reelgraph.workers.jobs.queueing import get_queue

    supervisor = start_worker("gpu,cpu")
    out = tmp_path / "marker-clip.mp4"
    kwargs = {"out_path": str(out), "seconds": 60.0, "realtime": True}
    get_queue("gpu").enqueue_call(fakes.render_clip, kwargs=kwargs, timeout=120)
    ffmpeg = wait_for(lambda: _procs_with(str(out)), timeout=60, what="FFmpeg running")
    worker = _rq_worker(supervisor.pid)
    horse = [p for p in process_tree(worker)[1:] if p not in ffmpeg and "ffmpeg" not in cmdline(p)]
    assert worker and ffmpeg
    os.kill(worker, signal.SIGKILL)
    wait_for(lambda: not _procs_with(str(out)), timeout=5, interval=0.05, what="FFmpeg gone")
    wait_for(
        lambda: not [p for p in horse if p in _all_pids() and cmdline(p)],
        timeout=5,
        interval=0.05,
        what="work horse gone",
    )


def test_a_killed_supervisor_stops_its_workers(start_worker) -> None:
    supervisor = start_worker("gpu,cpu")
    worker = wait_for(lambda: _rq_worker(supervisor.pid), timeout=30, what="worker started")
    os.kill(supervisor.pid, signal.SIGKILL)
    supervisor.wait(timeout=10)
    wait_for(lambda: not cmdline(worker), timeout=20, interval=0.1, what="worker stopped")


def test_start_up_removes_partials_left_by_killed_workers(start_worker, platform) -> None:
    home = Path(platform["REELGRAPH_HOME"])
    litter = [
        home / "storage" / "job1" / "video.mp4.partial",
        home / "storage" / "job1" / "thumb.jpg.partial.jpg",
        home / "uploads" / ".upload-abc.partial",
        home / "cache" / "render" / "ab" / "abcd.partial-123-456" / "video.mp4",
    ]
    keep = home / "storage" / "job1" / "video.mp4"
    for path in [*litter, keep]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    supervisor = start_worker("gpu,cpu")
    wait_for(lambda: _rq_worker(supervisor.pid), timeout=30, what="worker started")
    assert keep.exists()
    assert [p for p in litter if p.exists()] == []
    assert not (home / "cache" / "render" / "ab" / "abcd.partial-123-456").exists()
