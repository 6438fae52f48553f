"""Accepting a job: inline media to assets, then the record and the RQ graph job in one MULTI.

Either both the record and the queue entry are written, or the caller gets an error (503 when
Redis is down): a 202 always means the job is stored and queued. A ``callback_url`` whose host
resolves to an address the guarded fetcher refuses is a 422 here, not a failure at delivery.
"""

from __future__ import annotations

import logging
from typing import Any

from redis import Redis
from rq import Retry

from reelgraph.app.api.assets import store_base64
from reelgraph.app.api.models import JobCreate
from reelgraph.app.callbacks import check_callback_url
from reelgraph.app.jobstore import JobStore, new_job_id
from reelgraph.settings import get_settings
from reelgraph.workers.jobs.queueing import get_queue

logger = logging.getLogger(__name__)

GRAPH_TASK = "reelgraph.app.api.tasks.run_graph_job"


def links(job_id: str) -> dict[str, str]:
    base = f"/v1/jobs/{job_id}"
    return {
        "self": base,
        "events": f"{base}/events",
        "ws": f"{base}/ws",
        "result": f"{base}/result",
        "cancel": f"{base}/cancel",
    }


#: Single-reference inputs that may carry base64 media (``images`` is the list one).
INLINE_KEYS = ("audio", "music", "video", "logo")


def has_inline_media(req: JobCreate) -> bool:
    """Whether the job carries base64 media that must be decoded and stored first."""
    i = req.input
    refs = [*i.images, *(getattr(i, k) for k in INLINE_KEYS)]
    return any(isinstance(r, str) and r.startswith("data:") for r in refs)


def _inline_to_assets(inp: dict[str, Any]) -> dict[str, Any]:
    """Replace every ``data:`` reference by the id of an asset made from it."""
    out = dict(inp)
    out["images"] = [store_base64(x) if x.startswith("data:") else x for x in inp.get("images", [])]
    for key in INLINE_KEYS:
        val = inp.get(key)
        if isinstance(val, str) and val.startswith("data:"):
            out[key] = store_base64(val)
    return out


def needs_thread(req: JobCreate) -> bool:
    """Whether accepting ``req`` blocks (decoding media, resolving the callback's host)."""
    return has_inline_media(req) or req.callback_url is not None


def enqueue_graph_job(conn: Redis, job_id: str, description: str, pipe: Any) -> None:
    """Queue the graph run of ``job_id`` in ``pipe`` (its record is written in the same MULTI)."""
    s = get_settings()
    get_queue("graph", conn).enqueue_call(
        GRAPH_TASK,
        kwargs={"job_id": job_id},
        job_id=job_id,
        timeout=s.job_timeout_s,
        result_ttl=s.media_result_ttl_s,
        failure_ttl=s.media_result_ttl_s,
        retry=Retry(max=s.graph_retries) if s.graph_retries > 0 else None,
        meta={"root": job_id, "retries_total": s.graph_retries},
        description=description,
        pipeline=pipe,
    )


def submit_job(conn: Redis, req: JobCreate, owner: str) -> dict[str, Any]:
    """Check the callback's address, store and enqueue ``req``; returns the new record."""
    if req.callback_url is not None:
        check_callback_url(req.callback_url)
    store = JobStore(conn)
    inp = _inline_to_assets(req.input.model_dump(exclude_none=True))
    job_id = new_job_id()
    with conn.pipeline(transaction=True) as pipe:
        enqueue_graph_job(conn, job_id, f"{req.kind} job {job_id}", pipe)
        # RQ starts the MULTI itself, so the record's writes go after its enqueue.
        rec = store.create(
            job_id,
            kind=req.kind,
            owner=owner,
            input=inp,
            options=req.options.to_options(),
            callback_url=req.callback_url,
            metadata=req.metadata,
            pipe=pipe,
        )
        pipe.execute()
    logger.info("accepted %s job %s for %s", req.kind, job_id, owner)
    return rec
