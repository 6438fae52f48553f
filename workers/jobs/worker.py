"""The RQ worker: progress and cancel hooks around every job, error classes, fast death detection.

``ReelgraphWorker`` is RQ's forking ``Worker`` with these additions, all through RQ's public API:
- every job runs inside ``workers.progress.hooks``: ``report()`` writes ``job.meta["progress"]``
  at most about once a second, ``should_cancel()`` reads the job's (or its API job's) cancel flag;
- a failure records ``{"type", "code", "message"}`` in ``job.meta["error"]`` (an exception
  handler) so the waiting side re-raises the same ReelgraphError; permanent errors are never
  retried, transient ones are retried by RQ's scheduler after the job's ``Retry`` intervals;
- the work horse and the scheduler die with the worker (``PR_SET_PDEATHSIG``), so killing a
  worker never leaves a process behind;
- the started-job heartbeat expires ``worker_heartbeat_s + worker_death_grace_s`` after the last
  beat, so the registry cleanup of any live worker requeues a dead worker's job within seconds;
- idle workers wake every ``worker_maintenance_s`` to run that cleanup.

Run one with ``python -m workers.worker --queues gpu,cpu`` (``reelgraph worker`` supervises them).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import time
import uuid
from types import TracebackType
from typing import Any

from rq import Worker
from rq.exceptions import AbandonedJobError
from rq.job import Job
from rq.queue import Queue
from rq.timeouts import JobTimeoutException

from reelgraph import errors
from reelgraph.logging import setup_logging
from reelgraph.process import die_with_parent
from reelgraph.settings import get_settings
from reelgraph.workers.engine import progress
from reelgraph.workers.jobs import queueing

logger = logging.getLogger(__name__)

META_MIN_INTERVAL_S = 1.0
CANCEL_MIN_INTERVAL_S = 0.2


class _JobHooks:
    """Progress writer (throttled) and cancel-flag reader for one running job."""

    def __init__(self, job: Job):
        self.job = job
        self.conn = queueing.redis_conn()
        root = (job.meta or {}).get("root") or job.id
        self.keys = sorted({queueing.cancel_key(job.id), queueing.cancel_key(str(root))})
        self.root = str(root)
        self._last_meta = 0.0
        self._last_check = 0.0
        self._canceled = False

    def report(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self._last_meta < META_MIN_INTERVAL_S and fraction < 1.0:
            return
        self._last_meta = now
        self.job.meta["progress"] = round(fraction, 4)
        try:
            self.job.save_meta()
        except Exception:  # progress is best effort; never fail a render over it
            logger.debug("could not save progress of %s", self.job.id, exc_info=True)

    def should_cancel(self) -> bool:
        if self._canceled:
            return True
        now = time.monotonic()
        if now - self._last_check < CANCEL_MIN_INTERVAL_S:
            return False
        self._last_check = now
        try:
            self._canceled = bool(self.conn.exists(*self.keys))
        except Exception:
            logger.debug("cancel check failed for %s", self.job.id, exc_info=True)
        return self._canceled


def error_info(exc: BaseException | None) -> dict[str, Any]:
    """What the waiting side needs to re-raise the error, and whether to retry it."""
    if isinstance(exc, errors.ReelgraphError):
        return {
            "type": type(exc).__name__,
            "code": exc.code,
            "message": exc.message,
            "retryable": bool(exc.retryable),
        }
    if isinstance(exc, AbandonedJobError):
        return {
            "type": "TransientError",
            "code": "transient",
            "retryable": True,
            "message": "The worker running this job stopped; another worker retries it.",
        }
    if isinstance(exc, JobTimeoutException):
        return {
            "type": "RenderFailed",
            "code": "timeout",
            "retryable": False,
            "message": "The job ran past its time limit; shorten the input or raise "
            "REELGRAPH_JOB_TIMEOUT_S.",
        }
    if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
        return {
            "type": "TransientError",
            "code": "transient",
            "retryable": True,
            "message": f"A transient error stopped the job ({type(exc).__name__}); retrying.",
        }
    return {
        "type": "ReelgraphError",
        "code": "internal_error",
        "retryable": False,
        "message": f"The job failed unexpectedly ({type(exc).__name__}); see the worker log.",
    }


class ReelgraphWorker(Worker):
    """RQ Worker with reelgraph's hooks and fast death detection."""

    death_grace_s = 30

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        if job.timeout and job.timeout > 0:
            remaining = max(1, int(job.timeout - working_time))
            return min(remaining, self.job_monitoring_interval) + self.death_grace_s
        return self.job_monitoring_interval + self.death_grace_s

    def perform_job(self, job: Job, queue: Queue, *args: Any) -> bool:
        # RQ 3 passes the job's Execution as a third argument, RQ 2 does not
        hooks = _JobHooks(job)
        with queueing.root_job(hooks.root), progress.hooks(hooks.report, hooks.should_cancel):
            return bool(super().perform_job(job, queue, *args))


def record_error(
    job: Job,
    exc_type: type[BaseException] | None,
    exc_value: BaseException | None,
    tb: TracebackType | None,
) -> bool:
    """RQ exception handler: record the error for the waiting side; permanent ones never retry.

    RQ runs it before it decides on a retry, so clearing ``retries_left`` here stops one; the
    backoff between tries is the ``Retry`` intervals the job was enqueued with.
    """
    info = error_info(exc_value)
    if isinstance(exc_value, errors.ReelgraphError) and exc_value.detail:
        logger.error("job %s failed: %s\n%s", job.id, info["message"], exc_value.detail)
    if not info.pop("retryable"):
        job.retries_left = 0
    job.meta["error"] = info
    try:
        job.save_meta()
    except Exception:
        logger.warning("could not record the error of job %s", job.id, exc_info=True)
    return True


_fork_parent = 0


def _note_parent() -> None:
    global _fork_parent
    _fork_parent = os.getpid()


def _tie_to_parent() -> None:
    die_with_parent(signal.SIGKILL, _fork_parent)


def tie_forks_to_this_process() -> None:
    """Every process this worker forks (work horse, scheduler) dies when the worker dies."""
    os.register_at_fork(before=_note_parent, after_in_child=_tie_to_parent)


def build_worker(queues: list[str], *, name: str | None = None) -> ReelgraphWorker:
    """A worker on ``queues`` configured from Settings (heartbeat, grace, maintenance)."""
    s = get_settings()
    conn = queueing.redis_conn()
    qs = [queueing.get_queue(q, conn) for q in queues]
    worker = ReelgraphWorker(
        qs,
        connection=conn,
        name=name or f"{socket.gethostname()}-{'-'.join(queues)}-{uuid.uuid4().hex[:6]}",
        job_monitoring_interval=max(1, s.worker_heartbeat_s),
        maintenance_interval=max(1, s.worker_maintenance_s),
        worker_ttl=max(16, s.worker_maintenance_s + 15),
        exception_handlers=[record_error],
    )
    worker.death_grace_s = max(2, s.worker_death_grace_s)
    return worker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.worker")
    parser.add_argument("--queues", default="gpu,cpu")
    parser.add_argument("--burst", action="store_true")
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    setup_logging()
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    if set(queues) & {"gpu", "cpu"}:
        # the render modules, imported once here, come with every forked work horse: a render
        # segment (a job of a few seconds) does not pay for importing them each time
        import reelgraph.workers.jobs.segments  # noqa: F401
        from reelgraph.workers.engine.ffmpeg import ffmpeg_version

        ffmpeg_version()  # part of every render key: asked once, not in every work horse
    worker = build_worker(queues, name=args.name)
    tie_forks_to_this_process()
    logging.getLogger("rq.worker").setLevel(logging.getLogger().level)
    # the scheduler re-enqueues retries once their backoff interval has passed
    worker.work(burst=args.burst, logging_level=None, with_scheduler=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
