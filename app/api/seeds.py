"""The seed projects' routes, with their field names, mapped onto /v1 jobs.

``POST /process {url}`` starts an analyze job; ``POST /generate {...}`` a create job;
``GET /status/{job_id}``, ``GET /result/{job_id}`` and ``GET /get_video?job_id=`` read them.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reelgraph.app.api.errors import describe_errors
from reelgraph.app.api.jobs import ERRORS, JobNotFinished, artifact_path, file_response, owned
from reelgraph.app.api.models import JobCreate
from reelgraph.app.api.options import CreateOptions, option_names
from reelgraph.app.api.submit import submit_job
from reelgraph.app.auth import require_owner
from reelgraph.app.callbacks import artifact_urls
from reelgraph.errors import InvalidInput

router = APIRouter(tags=["compat"])
#: The create options /generate takes besides its own fields: names and aliases.
CREATE_OPTION_NAMES = option_names(CreateOptions)


class ProcessRequest(BaseModel):
    url: str = Field(
        ...,
        max_length=4096,
        description="Video to analyze: a media URL, a page URL that plays it, or an asset id.",
    )


class GenerateRequest(BaseModel):
    """The seed's fields; any option of a create job (``POST /v1/jobs``) may be given too, by
    its name or an alias (``style`` is ``caption_style``). Other fields are ignored."""

    model_config = ConfigDict(extra="allow")

    images: list[str] = Field(default_factory=list, description="Image URLs or base64 data.")
    audio_file: str | None = Field(None, description="Narration audio: URL, asset id or base64.")
    transcript: str | None = None
    prompt: str | None = None
    duration: float | None = None
    resolution: str | None = Field(None, description="WIDTHxHEIGHT (1080x1920) or 9:16/16:9/1:1.")
    fps: int | None = None
    enhance_frames: bool | None = Field(
        None, description="Frame enhancement: true is enhance on, false off; absent is auto."
    )
    style: str | None = Field(None, description="The caption style: caption_style's alias.")
    callback_url: str | None = None


def _validated(data: dict[str, Any]) -> JobCreate:
    try:
        return JobCreate.model_validate(data)
    except ValidationError as exc:  # the seed's field names: no input./options. prefixes
        raise InvalidInput(describe_errors(exc.errors(), drop=("input", "options"))) from exc


def _resolution(value: str | None) -> dict[str, Any]:
    if not value:
        return {}
    if value in ("9:16", "16:9", "1:1"):
        return {"aspect": value}
    m = re.fullmatch(r"\s*(\d{2,5})\s*[xX]\s*(\d{2,5})\s*", value)
    if not m:
        raise InvalidInput("resolution must look like 1080x1920, or be 9:16, 16:9 or 1:1.")
    return {"width": int(m.group(1)), "height": int(m.group(2))}


def _seed_status(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "job_id": rec["id"],
        "status": rec["status"],
        "stage": rec.get("stage"),
        "progress": rec.get("progress") or 0.0,
        "error": rec.get("error"),
    }


@router.post("/process", status_code=202, responses=ERRORS)
def process(body: ProcessRequest, request: Request, owner: str = Depends(require_owner)) -> Any:
    """Analyze a video (transcript + on-screen text); ``url`` may be a page that plays it."""
    req = _validated({"kind": "analyze", "input": {"video": body.url}})
    rec = submit_job(request.app.state.redis, req, owner)
    return {"job_id": rec["id"], "status": "queued"}


@router.post("/generate", status_code=202, responses=ERRORS)
def generate(body: GenerateRequest, request: Request, owner: str = Depends(require_owner)) -> Any:
    """Make a video from a prompt / transcript / images / audio."""
    fields = {
        "duration": body.duration,
        "fps": body.fps,
        "style": body.style,
        "enhance_frames": body.enhance_frames,  # the `enhance` option's alias: true on, false off
    }
    extra = {k: v for k, v in (body.model_extra or {}).items() if k in CREATE_OPTION_NAMES}
    options: dict[str, Any] = {**fields, **extra, **_resolution(body.resolution)}
    data = {
        "kind": "create",
        "input": {
            "prompt": body.prompt,
            "transcript": body.transcript,
            "images": body.images,
            "audio": body.audio_file,
        },
        "options": {k: v for k, v in options.items() if v is not None},
        "callback_url": body.callback_url,
    }
    rec = submit_job(request.app.state.redis, _validated(data), owner)
    return {"job_id": rec["id"], "status": "queued"}


@router.get("/status/{job_id}", responses=ERRORS)
def status(job_id: str, request: Request, owner: str = Depends(require_owner)) -> Any:
    return _seed_status(owned(request, job_id, owner))


@router.get("/result/{job_id}", responses=ERRORS)
def result(job_id: str, request: Request, owner: str = Depends(require_owner)) -> Any:
    rec = owned(request, job_id, owner)
    if rec["status"] not in ("succeeded", "failed", "canceled"):
        raise JobNotFinished(f"Job {job_id} is {rec['status']}; poll /status/{job_id}.")
    return {
        **_seed_status(rec),
        "result": rec.get("report"),
        "artifacts": artifact_urls(job_id, rec.get("artifacts")),
    }


@router.get("/get_video", responses=ERRORS)
def get_video(
    request: Request, job_id: str = Query(..., max_length=64), owner: str = Depends(require_owner)
) -> FileResponse:
    """The finished video (HTTP Range supported)."""
    rec = owned(request, job_id, owner)
    return file_response(request, artifact_path(rec, "video.mp4"), "video.mp4")
