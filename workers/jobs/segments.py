"""Segmented rendering: one RQ job per segment on the ``gpu`` queue, the audio track on ``cpu``,
then one stream-copy join where the render node runs.

Server mode enqueues every segment at once, so every free worker takes one; a segment that fails
with a transient error (its worker was killed, a disk hiccup) is enqueued again alone, at once,
up to ``segment_retries`` times, while the others keep going. Embedded
mode renders the segments in a few threads of this process. Each segment records the worker that
rendered it and how long it took; ``report.json`` shows them.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from rq.job import Job, JobStatus

from reelgraph import errors
from reelgraph.settings import get_settings
from reelgraph.workers.engine import progress
from reelgraph.workers.engine.ffmpeg import choose_encoder
from reelgraph.workers.engine.render import render_spec
from reelgraph.workers.engine.render_segments import (
    join_segments,
    load_spec,
    render_audio,
    render_segment,
    segmented_key,
    spec_formats,
)
from reelgraph.workers.engine.segments import Segment, plan_segments
from reelgraph.workers.jobs.dispatch import current_mode, dispatch

logger = logging.getLogger(__name__)

POLL_S = 0.25


def worker_name() -> str:
    """The RQ worker running the current job, else ``inline@<host>``."""
    from rq import get_current_job

    job = get_current_job()
    if job is not None and job.worker_name:
        return str(job.worker_name)
    return f"inline@{socket.gethostname()}"


def segment_job(
    spec: dict[str, Any],
    index: int,
    start: int,
    end: int,
    encoder: str,
    formats: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Media job: one segment (``render_segment``), with the worker that rendered it."""
    part = render_segment(spec, index, start, end, encoder, formats)
    return {**part, "worker": worker_name()}


def _inline(calls: list[dict[str, Any]], spec: dict[str, Any]) -> tuple[dict, list[dict]]:
    """Embedded mode: the audio, then the segments in a few threads of this process."""
    audio = render_audio(spec)
    parts = progress.map_in_threads(segment_job, calls, get_settings().segment_parallel)
    return audio, parts


@dataclass
class _Fanout:
    """The RQ jobs of one segmented render and what came back."""

    calls: list[dict[str, Any]]
    jobs: dict[int, tuple[Job, bool]] = field(default_factory=dict)
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    tries: dict[int, int] = field(default_factory=dict)

    def submit(self, i: int) -> None:
        from reelgraph.workers.jobs.queueing import submit

        # no RQ retries: a failed segment goes back on the queue at once, for any live worker
        # (RQ's retries wait for a scheduler, which a killed worker may have been running)
        if i < len(self.calls):
            self.jobs[i] = submit(segment_job, queue="gpu", kwargs=self.calls[i], retries=0)
        else:  # the last slot is the audio track
            kwargs = {"spec": self.calls[0]["spec"]}
            self.jobs[i] = submit(render_audio, queue="cpu", kwargs=kwargs, retries=0)
        self.tries[i] = self.tries.get(i, -1) + 1

    def again(self, i: int) -> None:
        """Put failed job ``i`` back on its queue (the same job: its record stays whole)."""
        job = self.jobs[i][0]
        try:
            job.requeue()
            self.jobs[i] = (job, False)
            self.tries[i] += 1
        except Exception:  # not in the failed registry (expired, or stopped): a new job
            logger.debug("requeue of %s failed; enqueueing it anew", job.id, exc_info=True)
            self.submit(i)

    def pending(self) -> list[int]:
        return [i for i in self.jobs if i not in self.results]


def _settle(fan: _Fanout, i: int) -> None:
    """Record job ``i``'s result, or enqueue it again alone, or raise its error."""
    from reelgraph.workers.jobs.queueing import cancel_jobs, error_from_meta, job_status

    job, reused = fan.jobs[i]
    status = job_status(job)
    if status == JobStatus.FINISHED:
        result = dict(job.return_value(refresh=True) or {})
        if reused and not _still_there(result):  # an old job whose file the cache pruned
            with contextlib.suppress(Exception):
                job.delete()
            fan.submit(i)
            return
        fan.results[i] = {**result, "cache_hit": True} if reused else result
    elif status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        err = error_from_meta(job)
        if err.retryable and fan.tries[i] < get_settings().segment_retries:
            logger.warning("segment %s failed (%s); rendering it again alone", i, err.message)
            fan.again(i)
            return
        cancel_jobs([fan.jobs[k][0] for k in fan.pending() if k != i])
        raise err


def _still_there(result: dict[str, Any]) -> bool:
    """Whether the file a finished job's result names is still in the media store."""
    name = result.get("path")
    return name is None or (get_settings().home / str(name)).is_file()


def _fan_out(calls: list[dict[str, Any]]) -> tuple[dict, list[dict]]:
    """Server mode: every segment (and the audio) an RQ job; wait, retrying failed ones alone."""
    from reelgraph.workers.jobs.queueing import cancel_jobs

    fan = _Fanout(calls)
    for i in range(len(calls) + 1):
        fan.submit(i)
    deadline = time.monotonic() + 2 * get_settings().job_timeout_s + 60
    while fan.pending():
        if progress.should_cancel() or time.monotonic() > deadline:
            cancel_jobs([fan.jobs[k][0] for k in fan.pending()])
            if progress.should_cancel():
                raise errors.Canceled("The job was canceled.")
            raise errors.TransientError("No worker finished the segments in time; check workers.")
        for i in fan.pending():
            _settle(fan, i)
        progress.report(len(fan.results) / len(fan.jobs))
        if fan.pending():
            time.sleep(POLL_S)
    parts = [fan.results[i] for i in range(len(calls))]
    return fan.results[len(calls)], parts


def _row(seg: Segment, part: dict[str, Any], fps: int) -> dict[str, Any]:
    return {
        "index": seg.index,
        "start": round(seg.start / fps, 3),
        "end": round(seg.end / fps, 3),
        "worker": part.get("worker"),
        "seconds": part.get("seconds"),
        "cache": "hit" if part.get("cache_hit") else "miss",
    }


def render_segmented(spec: dict[str, Any], out_path: str, segment_seconds: float) -> dict[str, Any]:
    """Render ``spec`` to ``out_path`` in segments (one pass when it does not split).

    The result is ``render_spec``'s, plus ``segments`` (one row per segment: index, start and
    end in seconds, worker, seconds, cache) and ``join_seconds``.
    """
    t0 = time.monotonic()
    rs = load_spec(spec)
    plan = plan_segments(rs, segment_seconds)
    if not plan:
        result = dispatch(render_spec, queue="gpu", spec=spec, out_path=out_path)
        return {**result, "segments": []}
    pref = rs.output.encoder if rs.output.encoder != "auto" else get_settings().encoder
    encoder = choose_encoder(pref)  # chosen once: every segment encodes alike
    formats = spec_formats(spec)  # probed once, not once per segment
    calls = [
        {"spec": spec, "index": s.index, "start": s.start, "end": s.end, "encoder": encoder}
        | {"formats": formats}
        for s in plan
    ]
    audio, parts = _inline(calls, spec) if current_mode() == "inline" else _fan_out(calls)
    fps = rs.output.fps
    join_s = join_segments(parts, [s.frames for s in plan], fps, audio["path"], out_path)
    progress.report(1.0)
    return {
        "path": out_path,
        "cache_hit": all(p["cache_hit"] for p in parts) and bool(audio["cache_hit"]),
        "encoder": encoder,
        "key": segmented_key([p["key"] for p in parts], audio["key"]),
        "seconds": round(time.monotonic() - t0, 3),
        "join_seconds": join_s,
        "segments": [_row(s, p, fps) for s, p in zip(plan, parts, strict=True)],
        "segment_keys": [p["key"] for p in parts],
    }
