"""POST /v1/jobs/{id}/review: approve, edit or reject a create job that awaits its review.

The answer resumes the job's graph run on its checkpointer thread (``thread_id = job id``) as a
new RQ job on the ``graph`` queue (``<job id>-review-<round>``, its cancel flag the job's own).
Each review round is answered once: a claim key set with NX makes a second answer (or two at
once) a 409.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, Request
from rq import Retry

from reelgraph.app.api.jobs import ERRORS, JobNotFinished, owned, view
from reelgraph.app.api.review import ReviewRequest, human_response
from reelgraph.app.api.submit import GRAPH_TASK
from reelgraph.app.api.views import JobView
from reelgraph.app.auth import require_owner
from reelgraph.app.jobstore import PREFIX, JobStore
from reelgraph.settings import get_settings
from reelgraph.workers.jobs.queueing import get_queue

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["jobs"])
#: How long a review round's claim is kept (the job record's own lifetime bounds it anyway).
CLAIM_TTL_S = 7 * 86400


class NotAwaitingReview(JobNotFinished):
    code = "not_awaiting_review"
    status = 409


def claim_key(job_id: str, round_: int) -> str:
    return f"{PREFIX}review:{job_id}:{round_}"


@router.post("/jobs/{job_id}/review", status_code=202, response_model=JobView, responses=ERRORS)
def review_job(
    job_id: str, req: ReviewRequest, request: Request, owner: str = Depends(require_owner)
) -> Any:
    """Answer a job that awaits review: approve (render the full video), edit (a changed plan,
    or a message asking for a change) or reject (end without rendering)."""
    rec = owned(request, job_id, owner)
    review = rec.get("review") or {}
    round_ = int(review.get("round") or 0)
    conn = request.app.state.redis
    if rec["status"] != "awaiting_review" or not conn.set(
        claim_key(job_id, round_), req.action, nx=True, ex=CLAIM_TTL_S
    ):
        raise NotAwaitingReview(
            f"Job {job_id} is {rec['status']}, not awaiting review; "
            "only a job with status awaiting_review takes an answer, once."
        )
    resume(conn, rec, human_response(req), round_, review | {"decision": req.action})
    logger.info("review of %s round %d: %s", job_id, round_, req.action)
    return view(owned(request, job_id, owner))


def resume(
    conn: Any, rec: dict[str, Any], answer: dict[str, Any], round_: int, review: dict[str, Any]
) -> None:
    """Queue the run's continuation with ``answer`` and mark the job queued, in one MULTI."""
    s = get_settings()
    job_id = rec["id"]
    store = JobStore(conn)
    with conn.pipeline(transaction=True) as pipe:
        get_queue("graph", conn).enqueue_call(
            GRAPH_TASK,
            kwargs={"job_id": job_id, "resume": answer},
            job_id=f"{job_id}-review-{round_}",
            timeout=s.job_timeout_s,
            result_ttl=s.media_result_ttl_s,
            failure_ttl=s.media_result_ttl_s,
            retry=Retry(max=s.graph_retries) if s.graph_retries > 0 else None,
            meta={"root": job_id, "retries_total": s.graph_retries},
            description=f"{rec['kind']} job {job_id}: review round {round_}",
            pipeline=pipe,
        )
        store.queue_status(pipe, job_id, "awaiting_review", "queued", review=review)
        pipe.execute()
