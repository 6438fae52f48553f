"""The RQ entry points behind the API: a graph run on the ``graph`` queue, callback delivery.

``run_graph_job(job_id)`` resolves the job's media references to local files (asset ids to the
upload store, URLs through the guarded fetcher; a source video's URL may also be a page that
plays it, resolved by ``workers.engine.pagemedia``), runs the graph with the checkpointer
(``thread_id = job_id``, so a re-run after a worker died resumes), dispatches media jobs to the
gpu/cpu queues, records events, stage timings and the outcome, and queues the callback's
delivery as its own job (``deliver_callback``), so a slow or failing receiver never holds a
graph worker.
"""

from __future__ import annotations

import importlib
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError

from reelgraph.app.api.thread_jobs import (
    is_thread_job,
    record_failure,
    record_review,
    record_turn,
    run_thread_turn,
)
from reelgraph.app.callbacks import deliver, enqueue_delivery
from reelgraph.app.jobstore import TERMINAL, JobStore
from reelgraph.errors import Canceled, ReelgraphError
from reelgraph.settings import get_settings
from reelgraph.workers.engine import progress
from reelgraph.workers.jobs.dispatch import dispatch_mode
from reelgraph.workers.jobs.queueing import cancel_key, redis_conn

logger = logging.getLogger(__name__)

EVENT_MIN_INTERVAL_S = 0.5


def load_runner() -> Callable[..., dict[str, Any]]:
    """The graph runner named by ``Settings.graph_runner`` (``module:function``)."""
    mod_name, _, fn_name = get_settings().graph_runner.partition(":")
    return getattr(importlib.import_module(mod_name), fn_name or "run_job")  # type: ignore[no-any-return]


def _fetch(url: str, dest_dir: Path, name: str) -> str:
    from reelgraph import netguard

    s = get_settings()
    return str(netguard.fetch_to_file(url, dest_dir / name, max_bytes=s.max_media_bytes))


def _local(ref: str, work: Path, name: str) -> str:
    from reelgraph.app.api.assets import resolve_asset

    if ref.startswith("asset_"):
        return str(resolve_asset(ref)[0])
    return _fetch(ref, work, name)


def _video(ref: str, work: Path) -> tuple[str, dict[str, Any] | None]:
    """The source video: an asset, a media URL or a page URL (its video, and where it came from)."""
    if ref.startswith("asset_"):
        return _local(ref, work, "video"), None
    from reelgraph.workers.engine.pagemedia import fetch_media

    fetched = fetch_media(ref, work, "video")
    return str(fetched.path), fetched.page


def resolve_inputs(inp: dict[str, Any], work: Path) -> dict[str, Any]:
    """Job input with every media reference replaced by a local path the runner may read."""
    out = {k: v for k, v in inp.items() if k in ("prompt", "transcript", "messages")}
    if inp.get("images"):
        out["images"] = [_local(r, work, f"image-{i}") for i, r in enumerate(inp["images"])]
    if inp.get("audio"):
        out["audio"] = _local(inp["audio"], work, "audio")
    if inp.get("music"):
        out["music_file"] = _local(inp["music"], work, "music")
    if inp.get("video"):
        out["video"], page = _video(inp["video"], work)
        if page:
            out["page"] = page
    if inp.get("logo"):
        out["logo"] = _local(inp["logo"], work, "logo")
    if inp.get("broll"):
        out["broll_dir"] = str(_broll_dir(inp["broll"], work))
    return out


def _broll_dir(items: list[dict[str, Any]], work: Path) -> Path:
    """A folder of the b-roll files named by their keywords (the matcher reads file names).

    Names are built only from the validated keywords and a counter, never from user file names;
    the extension comes from sniffing the bytes.
    """
    from reelgraph.errors import UnsupportedMedia
    from reelgraph.sniff import sniff
    from reelgraph.workers.engine.cache import link_or_copy

    folder = work / "broll"
    folder.mkdir(parents=True, exist_ok=True)
    for i, item in enumerate(items):
        src = Path(_local(item["source"], work, f"broll-src-{i}"))
        with src.open("rb") as fh:
            kind = sniff(fh.read(64))
        if kind is None or kind.kind not in ("image", "video"):
            raise UnsupportedMedia(f"broll[{i}] is not an image or a video; check the file.")
        name = "_".join(item["keywords"]) + f"_{i:02d}{kind.ext}"
        link_or_copy(src, folder / name)
    return folder


class _EventSink:
    """Turns runner events into stream events, stage timings and record updates."""

    def __init__(self, store: JobStore, job_id: str, timings: dict[str, float]):
        self.store, self.job_id, self.timings = store, job_id, timings
        self._last = 0.0

    def __call__(self, event: dict[str, Any]) -> None:
        if progress.should_cancel():
            raise Canceled("The job was canceled.")
        etype = event.get("type")
        stage = event.get("stage")
        now = time.monotonic()
        if etype == "progress" and now - self._last < EVENT_MIN_INTERVAL_S:
            return
        self._last = now
        fields: dict[str, Any] = {}
        if stage:
            fields["stage"] = stage
        timed = etype == "stage_done" and not event.get("reused")  # a skipped stage: no sample
        if timed and isinstance(stage, str) and event.get("seconds") is not None:
            self.timings[stage] = round(float(event["seconds"]), 3)
            self.store.record_stage(self.job_id, stage, float(event["seconds"]), self.timings)
        if "progress" in event and etype != "stage_done":
            fields["progress"] = float(event["progress"])
        if event.get("eta_s") is not None:  # the time left (graph.eta)
            fields["eta_s"] = float(event["eta_s"])
        if etype == "estimate":
            fields["estimate"] = event.get("estimate")
        if fields:
            self.store.update(self.job_id, **fields)
        self.store.add_event(self.job_id, dict(event))


def _artifacts(result: dict[str, Any], out_dir: Path) -> dict[str, str]:
    """Artifact name -> path relative to the job dir; only complete files inside it."""
    root = out_dir.resolve()
    found: dict[str, str] = {}
    for name, path in (result.get("artifacts") or {}).items():
        p = Path(path).resolve()
        if root in p.parents and p.is_file() and not p.name.endswith(".partial"):
            found[str(name)] = str(p.relative_to(root))
        else:
            logger.warning("artifact %s of %s is not a final file in the job dir", name, out_dir)
    return found


def _retries_left() -> int:
    from rq import get_current_job

    job = get_current_job()
    return int(job.retries_left or 0) if job is not None else 0


def run_graph_job(job_id: str, resume: Any = None) -> dict[str, Any]:
    """Run one API job to its end, or to its review; returns ``{"status": ...}``. Retryable
    errors re-raise. ``resume`` (a HumanResponse) continues a job that awaits its review."""
    conn = redis_conn()
    store = JobStore(conn)
    rec = store.get(job_id)
    if rec is None or rec["status"] in TERMINAL:
        return {"status": rec["status"] if rec else "missing"}
    if rec["status"] == "awaiting_review" and resume is None:  # a stale run: the reviewer decides
        return {"status": "awaiting_review"}
    out_dir = get_settings().storage_dir / job_id
    if conn.exists(cancel_key(job_id)):
        return _finish_canceled(store, rec, out_dir)
    resumed = (
        {"started_at": rec["started_at"]} if resume is not None and rec.get("started_at") else {}
    )
    store.set_status(job_id, "running", **resumed)
    timings: dict[str, float] = dict(rec.get("timings") or {})
    try:
        with dispatch_mode("rq"):
            result = _run(rec, out_dir, _EventSink(store, job_id, timings), resume)
    except Canceled:
        return _finish_canceled(store, rec, out_dir)
    except ReelgraphError as exc:
        if exc.retryable and _retries_left() > 0:
            store.add_event(job_id, {"type": "retry", "error": exc.to_dict()})
            raise
        return _finish_failed(store, rec, exc.to_dict(), out_dir)
    except Exception as exc:
        logger.exception("job %s failed unexpectedly", job_id)
        err = {
            "code": "internal_error",
            "message": f"The job failed unexpectedly ({type(exc).__name__}); see the worker log.",
        }
        return _finish_failed(store, rec, err, out_dir)
    artifacts = _artifacts(result, out_dir)
    if result.get("status") in ("awaiting_review", "rejected"):
        if is_thread_job(rec):  # the thread's reply asks for the answer
            record_review(conn, rec, result)
        return finish_review(store, rec, result, artifacts, timings)
    store.set_status(
        job_id,
        "succeeded",
        progress=1.0,
        stage="done",
        eta_s=0.0,
        timings=timings,
        artifacts=artifacts,
        report=result.get("report") or {},
    )
    if is_thread_job(rec):  # a message of a thread: its reply and version
        record_turn(conn, rec, result)
    _queue_callback(store, rec)
    return {"status": "succeeded"}


def _run(rec: dict[str, Any], out_dir: Path, sink: _EventSink, resume: Any) -> dict[str, Any]:
    from reelgraph.graph.checkpoint import get_checkpointer

    out_dir.mkdir(parents=True, exist_ok=True)
    if is_thread_job(rec):  # a message on a conversation's thread
        return run_thread_turn(rec, out_dir, sink, _local, resume)
    # a resumed run continues from its checkpoint: its inputs were resolved by the first run
    inputs = (
        {} if resume is not None else resolve_inputs(rec.get("input") or {}, out_dir / ".inputs")
    )
    runner = load_runner()
    options = dict(rec.get("options") or {})
    for key in ("logo", "broll_dir"):  # media given as input, read by the caption flow as knobs
        if key in inputs:
            options[key] = inputs.pop(key)
    with get_checkpointer() as cp:
        return runner(
            rec["kind"],
            inputs,
            options,
            job_id=rec["id"],
            out_dir=out_dir,
            on_event=sink,
            checkpointer=cp,
            should_cancel=progress.current_cancel(),
            **({"resume": resume} if resume is not None else {}),
        )


def finish_review(
    store: JobStore,
    rec: dict[str, Any],
    result: dict[str, Any],
    artifacts: dict[str, str],
    timings: dict[str, float],
) -> dict[str, Any]:
    """A run that stopped for its review (``awaiting_review``: the storyboard and preview are
    its artifacts) or whose plan was rejected (``rejected``: it ended without a render)."""
    from reelgraph.app.api.review import review_view, stored_review

    status = result["status"]
    review = stored_review(result.get("review") or {}, artifacts)
    fields: dict[str, Any] = {"timings": timings, "review": review, "artifacts": artifacts}
    if status == "awaiting_review":  # the time left waits on a person: unknown
        store.set_status(rec["id"], status, stage="review_plan", eta_s=None, **fields)
        store.add_event(rec["id"], {"type": "review", "review": review_view(rec["id"], review)})
        return {"status": status}
    store.set_status(rec["id"], status, stage="done", eta_s=0.0, **fields | {"artifacts": {}})
    _queue_callback(store, rec)
    return {"status": status}


def _queue_callback(store: JobStore, rec: dict[str, Any]) -> None:
    """Queue the delivery of a finished job's callback, if it has one."""
    if not rec.get("callback_url"):
        return
    try:
        enqueue_delivery(store.conn, rec["id"])
    except RedisError:  # the outcome is recorded already; only the notification is lost
        logger.exception("could not queue the callback of %s", rec["id"])


def _finish_canceled(store: JobStore, rec: dict[str, Any], out_dir: Path) -> dict[str, Any]:
    shutil.rmtree(out_dir, ignore_errors=True)
    error = {"code": "canceled", "message": "The job was canceled."}
    store.set_status(rec["id"], "canceled", error=error)
    if is_thread_job(rec):
        record_failure(store.conn, rec, error)
    _queue_callback(store, rec)
    return {"status": "canceled"}


def _finish_failed(
    store: JobStore, rec: dict[str, Any], err: dict[str, str], out_dir: Path
) -> dict:
    shutil.rmtree(out_dir, ignore_errors=True)
    store.set_status(rec["id"], "failed", error=err)
    if is_thread_job(rec):
        record_failure(store.conn, rec, err)
    _queue_callback(store, rec)
    return {"status": "failed"}


def deliver_callback(job_id: str) -> bool:
    """RQ entry point (cpu queue): one attempt at the callback of a job that ended; a failure
    worth retrying raises, and RQ runs it again after the job's backoff interval."""
    return deliver(JobStore(redis_conn()), job_id)
