"""/v1/jobs and /v1/uploads: submit, read, list, cancel, results and artifacts (HTTP Range)."""

from __future__ import annotations

import json
import logging
import mimetypes
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from starlette.responses import MalformedRangeHeader
from starlette.responses import RangeNotSatisfiable as StarletteRangeNotSatisfiable

from reelgraph.app.api.assets import receive_upload
from reelgraph.app.api.limits import content_length
from reelgraph.app.api.models import JobCreate
from reelgraph.app.api.review import review_view
from reelgraph.app.api.submit import links, needs_thread, submit_job
from reelgraph.app.api.views import Asset, ErrorBody, JobPage, JobResult, JobSubmitted, JobView
from reelgraph.app.auth import require_owner
from reelgraph.app.callbacks import artifact_urls, enqueue_delivery
from reelgraph.app.jobstore import TERMINAL, JobStore, aget, alist
from reelgraph.errors import MediaTooLarge, MissingAsset, ReelgraphError
from reelgraph.settings import get_settings
from reelgraph.workers.jobs.queueing import request_cancel

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["jobs"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 404, 409, 413, 422, 429, 503)
}
#: Routes that stream their body themselves (with their own cap): exempt from the JSON cap.
STREAMED_BODY_PATHS = frozenset({"/v1/uploads"})
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
}


class JobNotFound(ReelgraphError):
    code = "not_found"
    status = 404


class JobNotFinished(ReelgraphError):
    code = "job_not_finished"
    status = 409


def owned(request: Request, job_id: str, owner: str) -> dict[str, Any]:
    """The record of ``job_id`` if ``owner`` may see it (404 otherwise, existence not leaked)."""
    rec = JobStore(request.app.state.redis).get(job_id) if len(job_id) <= 64 else None
    if rec is None or rec.get("owner") != owner:
        raise JobNotFound(f"Job {job_id[:64]} does not exist; check the id.")
    return rec


async def aowned(request: Request, job_id: str, owner: str) -> dict[str, Any]:
    """``owned`` for async routes."""
    rec = await aget(request.app.state.aredis, job_id) if len(job_id) <= 64 else None
    if rec is None or rec.get("owner") != owner:
        raise JobNotFound(f"Job {job_id[:64]} does not exist; check the id.")
    return rec


def view_dict(rec: dict[str, Any]) -> dict[str, Any]:
    """The JobView fields of a record (the hot read path skips model validation)."""
    return {
        "id": rec["id"],
        "kind": rec["kind"],
        "status": rec["status"],
        "stage": rec.get("stage"),
        "progress": rec.get("progress") or 0.0,
        "eta_s": rec.get("eta_s"),
        "estimate": rec.get("estimate"),
        "created_at": rec["created_at"],
        "started_at": rec.get("started_at"),
        "finished_at": rec.get("finished_at"),
        "timings": rec.get("timings") or {},
        "error": rec.get("error"),
        "artifacts": sorted(rec.get("artifacts") or {}),
        "metadata": rec.get("metadata") or {},
        "callback": rec.get("callback"),
        "links": links(rec["id"]),
        "review": review_view(rec["id"], rec.get("review")),
    }


def view(rec: dict[str, Any]) -> JobView:
    return JobView(**view_dict(rec))


def fast_json(body: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")), status_code=status, media_type="application/json"
    )


@router.post("/jobs", status_code=202, response_model=JobSubmitted, responses=ERRORS)
async def create_job(req: JobCreate, request: Request, owner: str = Depends(require_owner)) -> Any:
    """Submit a create, caption, analyze or clips job; poll it, stream its events, or await a
    callback."""
    conn = request.app.state.redis
    if needs_thread(req):  # decoding media or resolving the callback's host: off the event loop
        rec = await run_in_threadpool(submit_job, conn, req, owner)
    else:  # one Redis round trip (~1 ms): cheaper inline than a thread hop under load
        rec = submit_job(conn, req, owner)
    return fast_json({"id": rec["id"], "status": "queued", "links": links(rec["id"])}, 202)


@router.get("/jobs", response_model=JobPage, responses=ERRORS)
async def list_jobs(
    request: Request,
    offset: int = Query(0, ge=0, le=1_000_000),
    limit: int = Query(20, ge=1, le=100),
    owner: str = Depends(require_owner),
) -> Any:
    """The caller's jobs, newest first."""
    total, recs = await alist(request.app.state.aredis, owner, offset, limit)
    items = [view_dict(r) for r in recs]
    return fast_json({"items": items, "total": total, "offset": offset, "limit": limit})


@router.get("/jobs/{job_id}", response_model=JobView, responses=ERRORS)
async def get_job(job_id: str, request: Request, owner: str = Depends(require_owner)) -> Any:
    """Status, stage, progress 0..1, per-stage timings and error of one job."""
    return fast_json(view_dict(await aowned(request, job_id, owner)))


@router.post("/jobs/{job_id}/cancel", status_code=202, response_model=JobView, responses=ERRORS)
def cancel_job(job_id: str, request: Request, owner: str = Depends(require_owner)) -> Any:
    """Cancel a job: a queued one ends at once, a running one within about 2 s."""
    rec = owned(request, job_id, owner)
    if rec["status"] in TERMINAL:
        raise JobNotFinished(f"Job {job_id} already ended ({rec['status']}); nothing to cancel.")
    conn = request.app.state.redis
    request_cancel(job_id, conn)
    if rec["status"] == "awaiting_review":  # nothing runs: it ends here
        JobStore(conn).set_status(
            job_id, "canceled", error={"code": "canceled", "message": "The job was canceled."}
        )
        if rec.get("callback_url"):
            enqueue_delivery(conn, job_id)
        return view(owned(request, job_id, owner))
    try:
        rq_job = Job.fetch(job_id, connection=conn)
        if rq_job.get_status() in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
            rq_job.cancel()
            store = JobStore(conn)
            store.set_status(
                job_id, "canceled", error={"code": "canceled", "message": "The job was canceled."}
            )
            if rec.get("callback_url"):
                enqueue_delivery(conn, job_id)
    except NoSuchJobError:
        pass
    return view(owned(request, job_id, owner))


@router.get("/jobs/{job_id}/result", response_model=JobResult, responses=ERRORS)
async def get_result(job_id: str, request: Request, owner: str = Depends(require_owner)) -> Any:
    """Artifact URLs and the report of a finished job (409 while it runs)."""
    rec = await aowned(request, job_id, owner)
    if rec["status"] not in TERMINAL:
        raise JobNotFinished(f"Job {job_id} is {rec['status']}; wait for it (see its events).")
    return JobResult(
        id=job_id,
        status=rec["status"],
        error=rec.get("error"),
        artifacts=artifact_urls(job_id, rec.get("artifacts")),
        report=rec.get("report"),
    )


def artifact_path(rec: dict[str, Any], name: str) -> Path:
    """The file of a finished job's artifact (or of a job awaiting review: its storyboard and
    preview); only names the job recorded, only final files."""
    if rec["status"] not in ("succeeded", "awaiting_review"):
        raise JobNotFinished(
            f"Job {rec['id']} is {rec['status']}; artifacts exist once it succeeds."
        )
    artifacts = rec.get("artifacts") or {}
    if name not in artifacts:
        raise MissingAsset(f"Job {rec['id']} has no artifact '{name[:64]}'; see its result.")
    root = (get_settings().storage_dir / rec["id"]).resolve()
    path = (root / artifacts[name]).resolve()
    if root not in path.parents or not path.is_file() or path.name.endswith(".partial"):
        raise MissingAsset(f"Artifact '{name}' of job {rec['id']} is missing on disk.")
    return path


class BadRange(ReelgraphError):
    code = "bad_range"
    status = 400


class RangeNotSatisfiable(ReelgraphError):
    code = "range_not_satisfiable"
    status = 416

    def __init__(self, message: str, size: int):
        super().__init__(message)
        self.headers = {"Content-Range": f"bytes */{size}"}


def check_range(request: Request, response: FileResponse, size: int) -> None:
    """Refuse, in the JSON error shape, a Range header that FileResponse would answer with a
    plain-text 400 or 416 (it applies the same parser, so the two never disagree)."""
    header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if header is None or (if_range is not None and not response._should_use_range(if_range)):
        return
    try:
        FileResponse._parse_range_header(header, size)
    except MalformedRangeHeader as exc:
        why = str(exc.content).rstrip(".")
        raise BadRange(f"The Range header cannot be used ({why}); send bytes=START-END.") from None
    except StarletteRangeNotSatisfiable:
        raise RangeNotSatisfiable(
            f"The requested range starts past the end of the {size}-byte file.", size
        ) from None


def file_response(request: Request, path: Path, name: str) -> FileResponse:
    """The file, with HTTP Range; range errors in the JSON error shape."""
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    stat = path.stat()
    response = FileResponse(path, media_type=media, filename=name, stat_result=stat)
    check_range(request, response, stat.st_size)
    return response


@router.get(
    "/jobs/{job_id}/artifacts/{name}",
    responses={**ERRORS, 400: {"model": ErrorBody}, 416: {"model": ErrorBody}},
)
def get_artifact(
    job_id: str, name: str, request: Request, owner: str = Depends(require_owner)
) -> FileResponse:
    """Download an artifact (video.mp4, captions.srt, ...); supports HTTP Range."""
    path = artifact_path(owned(request, job_id, owner), name)
    return file_response(request, path, name)


@router.post(
    "/uploads",
    status_code=201,
    response_model=Asset,
    responses={**ERRORS, 415: {"model": ErrorBody}},
    tags=["uploads"],
    openapi_extra={"requestBody": UPLOAD_BODY},
)
async def upload(request: Request, owner: str = Depends(require_owner)) -> Any:
    """Upload an image, audio or video file (multipart field ``file``); returns its asset id."""
    limit = get_settings().max_upload_bytes
    declared = content_length(request.headers.get("content-length"))
    if declared > limit + 64 * 1024:
        raise MediaTooLarge(f"The upload is {declared} bytes; the limit is {limit}.")
    meta = await receive_upload(request.headers.get("content-type", ""), request.stream())
    return Asset(**{k: meta[k] for k in ("id", "kind", "mime", "size", "sha256")})
