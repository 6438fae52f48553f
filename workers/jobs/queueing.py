"""Enqueue media jobs on RQ and wait for them: idempotent ids, progress, cancellation, errors.

``workers.dispatch`` calls ``enqueue_and_wait`` / ``enqueue_many_and_wait`` in server mode. A job's
id is a content hash of (function, kwargs), so identical media jobs share one RQ job and a finished
one is re-used. A waiting caller forwards the job's progress (``job.meta["progress"]``) to its own
``workers.progress`` reporter and, when its own ``should_cancel()`` turns true, raises the cancel
flag of the jobs it waits on (the worker's hooks see it and FFmpeg stops).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from reelgraph import errors
from reelgraph.settings import get_settings
from reelgraph.workers.engine import progress
from reelgraph.workers.engine.cache import canonical

logger = logging.getLogger(__name__)

QUEUES = ("graph", "gpu", "cpu")
CANCEL_PREFIX = "reelgraph:cancel:"
POLL_S = 0.25
_ACTIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}

#: The API job a media job belongs to (set by the worker around a job; inherited by threads).
_root: ContextVar[str | None] = ContextVar("reelgraph_root_job", default=None)
_conns: dict[int, Redis] = {}


def redis_conn() -> Redis:
    """A Redis client for this process (one per pid: forked work horses get their own)."""
    pid = os.getpid()
    conn = _conns.get(pid)
    if conn is None:
        conn = Redis.from_url(get_settings().redis_url, socket_timeout=30, socket_connect_timeout=3)
        _conns.clear()
        _conns[pid] = conn
    return conn


def get_queue(name: str, conn: Redis | None = None) -> Queue:
    if name not in QUEUES:
        raise errors.InvalidInput(f"Unknown queue '{name}': use one of {', '.join(QUEUES)}.")
    return Queue(name, connection=conn or redis_conn())


@contextmanager
def root_job(job_id: str | None) -> Iterator[None]:
    """Mark the code inside as working for API job ``job_id`` (its cancel flag applies)."""
    token = _root.set(job_id)
    try:
        yield
    finally:
        _root.reset(token)


def current_root() -> str | None:
    return _root.get()


def cancel_key(job_id: str) -> str:
    return CANCEL_PREFIX + job_id


def request_cancel(job_id: str, conn: Redis | None = None) -> None:
    """Raise the cancel flag that workers poll for ``job_id`` (an API or a media job id)."""
    (conn or redis_conn()).set(cancel_key(job_id), "1", ex=7 * 86400)


def func_name(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def media_job_id(func: Callable[..., Any], kwargs: dict[str, Any]) -> str:
    """Stable id for a media job: sha256 of the function name and canonical kwargs."""
    digest = hashlib.sha256(canonical({"f": func_name(func), "k": kwargs}).encode()).hexdigest()
    return "media-" + digest[:40]


def error_from_meta(job: Job) -> errors.ReelgraphError:
    """Rebuild the ReelgraphError a job raised (recorded in its meta by the worker)."""
    info = job.meta.get("error") if job.meta else None
    if isinstance(info, dict):
        cls = getattr(errors, str(info.get("type")), None)
        msg = str(info.get("message") or "The media job failed.")
        if isinstance(cls, type) and issubclass(cls, errors.ReelgraphError):
            return cls(msg)
        return errors.ReelgraphError(msg, code=str(info.get("code") or "internal_error"))
    status = job.get_status(refresh=False)
    if status in (JobStatus.STOPPED, JobStatus.CANCELED):
        return errors.Canceled("The job was canceled.")
    return errors.TransientError(
        "A worker stopped while running a media job and no retries were left; submit the job again."
    )


def retry_policy(retries: int) -> Retry | None:
    """RQ's Retry with exponential backoff (1, 2, 4 ... s, at most 30 s between tries)."""
    if retries <= 0:
        return None
    return Retry(max=retries, interval=[min(30, 2**i) for i in range(retries)])


def _submit(
    func: Callable[..., Any],
    queue: str,
    timeout: int | None,
    kwargs: dict[str, Any],
    retries: int | None = None,
) -> tuple[Job, bool]:
    """Enqueue ``func(**kwargs)`` unless an identical job is active or finished already.

    Returns the job and whether it is an existing one (its work was done for another caller).
    """
    conn = redis_conn()
    s = get_settings()
    jid = media_job_id(func, kwargs)
    with conn.lock(f"reelgraph:lock:{jid}", timeout=30, blocking_timeout=30):
        try:
            job = Job.fetch(jid, connection=conn)
            status = job.get_status()
            if status == JobStatus.FINISHED or status in _ACTIVE:
                logger.info("re-using media job %s (%s)", jid, status)
                return job, True
            job.delete(remove_from_queue=True)
        except NoSuchJobError:
            pass
        conn.delete(cancel_key(jid))
        job = get_queue(queue, conn).enqueue_call(
            func,
            kwargs=kwargs,
            job_id=jid,
            timeout=timeout or s.job_timeout_s,
            result_ttl=s.media_result_ttl_s,
            failure_ttl=s.media_result_ttl_s,
            retry=retry_policy(s.media_retries if retries is None else retries),
            meta={
                "root": current_root(),
                "retries_total": s.media_retries if retries is None else retries,
            },
            description=f"{func_name(func)} for {current_root() or '-'}",
        )
        return job, False


def _cancel_all(jobs: list[Job]) -> None:
    conn = redis_conn()
    for job in jobs:
        request_cancel(job.id, conn)
        try:
            if job.get_status() in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
                job.cancel()
        except Exception:  # the job may finish or vanish meanwhile
            logger.debug("could not cancel %s", job.id, exc_info=True)


def _wait(jobs: list[Job], timeout: int | None) -> list[Any]:
    """Poll ``jobs`` until all finish; forward progress, honour cancellation, raise errors.

    Identical calls share one RQ job (same content id), so ``jobs`` may name a job several
    times: the loop waits on the distinct jobs and maps each result back to every caller.
    """
    unique = list({job.id: job for job in jobs}.values())
    results = _wait_distinct(unique, timeout)
    return [results[job.id] for job in jobs]


def _wait_distinct(jobs: list[Job], timeout: int | None) -> dict[str, Any]:
    s = get_settings()
    deadline = time.monotonic() + 2 * (timeout or s.job_timeout_s) + 60
    results: dict[str, Any] = {}
    last_progress = -1.0
    while True:
        if progress.should_cancel():
            _cancel_all([j for j in jobs if j.id not in results])
            raise errors.Canceled("The job was canceled.")
        fractions = []
        for job in jobs:
            if job.id in results:
                fractions.append(1.0)
                continue
            status = _status(job)
            if status == JobStatus.FINISHED:
                results[job.id] = job.return_value(refresh=True)
                fractions.append(1.0)
            elif status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
                _cancel_all([j for j in jobs if j.id not in results and j.id != job.id])
                raise error_from_meta(job)
            else:
                fractions.append(float((job.meta or {}).get("progress") or 0.0))
        if len(results) == len(jobs):
            return results
        mean = sum(fractions) / len(fractions)
        if mean - last_progress >= 0.01:
            last_progress = mean
            progress.report(mean)
        if time.monotonic() > deadline:
            _cancel_all([j for j in jobs if j.id not in results])
            raise errors.TransientError("No worker finished the media job in time; check workers.")
        time.sleep(POLL_S)


def _status(job: Job) -> JobStatus | None:
    try:
        job.refresh()
    except NoSuchJobError:
        raise errors.TransientError(
            "A media job disappeared from Redis (expired or deleted); submit the job again."
        ) from None
    return job.get_status(refresh=False)


def enqueue_and_wait(
    func: Callable[..., Any], *, queue: str, timeout: int | None, kwargs: dict[str, Any]
) -> Any:
    """Run ``func(**kwargs)`` as an RQ job on ``queue`` and return its result."""
    return enqueue_many_and_wait(func, queue=queue, timeout=timeout, calls=[kwargs])[0]


def enqueue_many_and_wait(
    func: Callable[..., Any], *, queue: str, timeout: int | None, calls: list[dict[str, Any]]
) -> list[Any]:
    """Run several ``func(**kw)`` as parallel RQ jobs; results in the order of ``calls``."""
    if not calls:
        return []
    submitted = [_submit(func, queue, timeout, kw) for kw in calls]
    results = _wait([job for job, _ in submitted], timeout)
    return [
        _as_shared(r) if reused else r for r, (_, reused) in zip(results, submitted, strict=True)
    ]


def _as_shared(result: Any) -> Any:
    """A result this caller did not compute reports a cache hit (reports say what happened)."""
    if isinstance(result, dict) and "cache_hit" in result:
        return {**result, "cache_hit": True}
    return result


def submit(
    func: Callable[..., Any],
    *,
    queue: str,
    kwargs: dict[str, Any],
    timeout: int | None = None,
    retries: int | None = None,
) -> tuple[Job, bool]:
    """Enqueue one media job without waiting (a caller that polls several, such as the
    segmented render); the job, and whether an identical job's work is re-used.

    ``retries``: RQ's own retries (default ``media_retries``); 0 for a caller that enqueues a
    failed job again itself, at once, instead of waiting for RQ's scheduler to.
    """
    return _submit(func, queue, timeout, kwargs, retries)


def job_status(job: Job) -> JobStatus | None:
    """The job's status read fresh from Redis; TransientError when it is gone."""
    return _status(job)


def cancel_jobs(jobs: list[Job]) -> None:
    """Raise the cancel flags of ``jobs`` and take the queued ones off their queues."""
    _cancel_all(jobs)
