"""workers.queueing against real Redis and a real worker process."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from reelgraph.errors import Canceled, InvalidInput
from reelgraph.workers.engine import progress
from reelgraph.workers.jobs.queueing import enqueue_and_wait, enqueue_many_and_wait, media_job_id
from tests import conftest_redis as _fx
from tests.conftest_redis import cmdline, process_tree, wait_for
from tests.integration import test_worker_fakes as fakes

pytestmark = pytest.mark.integration

# fixtures from the platform fixture module
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker


def _runs(path: Path) -> int:
    return path.read_text().count("run") if path.exists() else 0


def test_identical_jobs_share_one_run_and_results_come_back(start_worker, tmp_path):
    start_worker("gpu,cpu")
    counter = tmp_path / "count.txt"
    kw = {"counter_file": str(counter), "value": 21}
    assert enqueue_and_wait(fakes.counted, queue="cpu", timeout=60, kwargs=kw) == {"value": 42}
    assert enqueue_and_wait(fakes.counted, queue="cpu", timeout=60, kwargs=dict(kw)) == {
        "value": 42
    }
    assert _runs(counter) == 1, "the second identical job must reuse the finished one"
    calls = [{"counter_file": str(counter), "value": v} for v in (1, 2)]
    many = enqueue_many_and_wait(fakes.counted, queue="cpu", timeout=60, calls=calls)
    assert many == [{"value": 2}, {"value": 4}]
    assert media_job_id(fakes.counted, {"value": 21, "counter_file": str(counter)}) == (
        media_job_id(fakes.counted, kw)
    )


def test_permanent_error_is_reraised_and_not_retried(start_worker, tmp_path):
    start_worker("gpu,cpu")
    counter = tmp_path / "count.txt"
    with pytest.raises(InvalidInput, match="wrong on purpose"):
        enqueue_and_wait(
            fakes.fails_permanently, queue="cpu", timeout=60, kwargs={"counter_file": str(counter)}
        )
    assert _runs(counter) == 1


def test_transient_error_is_retried_with_backoff(start_worker, tmp_path):
    start_worker("gpu,cpu")
    counter = tmp_path / "count.txt"
    t0 = time.monotonic()
    out = enqueue_and_wait(
        fakes.flaky, queue="cpu", timeout=60, kwargs={"counter_file": str(counter), "failures": 1}
    )
    assert out == "ok after 2"
    assert _runs(counter) == 2
    assert time.monotonic() - t0 >= 1.0, "the retry waits for its backoff"


def test_cancel_stops_ffmpeg_on_the_worker_within_two_seconds(start_worker, tmp_path):
    worker = start_worker("gpu,cpu")
    cancel = threading.Event()
    outcome: dict[str, BaseException] = {}

    def _wait() -> None:
        try:
            with progress.hooks(None, cancel.is_set):
                enqueue_and_wait(
                    fakes.render_clip,
                    queue="gpu",
                    timeout=120,
                    kwargs={"out_path": str(tmp_path / "v.mp4"), "seconds": 30.0, "realtime": True},
                )
        except BaseException as exc:
            outcome["exc"] = exc

    def _ffmpeg() -> list[int]:
        return [p for p in process_tree(worker.pid) if "testsrc" in cmdline(p)]

    t = threading.Thread(target=_wait)
    t.start()
    wait_for(_ffmpeg, timeout=60)
    t0 = time.monotonic()
    cancel.set()
    wait_for(lambda: not _ffmpeg(), timeout=5, interval=0.05)
    stopped_in = time.monotonic() - t0
    t.join(timeout=10)
    assert stopped_in < 2.0, f"FFmpeg took {stopped_in:.2f} s to stop"
    assert isinstance(outcome.get("exc"), Canceled)
    assert not (tmp_path / "v.mp4").exists()


def test_repeated_identical_calls_each_get_the_shared_result(start_worker, tmp_path):
    """A script that repeats a sentence makes identical media calls: they share one job and
    every caller gets its result (the wait used to count results by id and never finish)."""
    start_worker("gpu,cpu")
    counter = tmp_path / "count.txt"
    calls = [{"counter_file": str(counter), "value": v} for v in (3, 5, 3, 3)]
    out = enqueue_many_and_wait(fakes.counted, queue="cpu", timeout=20, calls=calls)
    assert out == [{"value": 6}, {"value": 10}, {"value": 6}, {"value": 6}]
    assert _runs(counter) == 2, "identical calls run once"


def test_a_result_shared_with_an_earlier_caller_reports_a_cache_hit(start_worker):
    start_worker("gpu,cpu")
    first = enqueue_and_wait(fakes.computed, queue="cpu", timeout=20, kwargs={"value": 7})
    again = enqueue_and_wait(fakes.computed, queue="cpu", timeout=20, kwargs={"value": 7})
    assert first == {"value": 7, "cache_hit": False}
    assert again == {"value": 7, "cache_hit": True}, "a deduplicated job is a hit, not a miss"
