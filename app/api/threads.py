"""/v1/threads: a conversation about one video. Each message is a create job on the thread's
LangGraph thread; each message that changes something makes a version (see docs/api.md)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator
from redis.asyncio import Redis as AsyncRedis
from sse_starlette.sse import EventSourceResponse, ServerSentEvent

from reelgraph.app.api.checks import check_media_ref, check_text
from reelgraph.app.api.events import BLOCK_MS, stream_id
from reelgraph.app.api.jobs import ERRORS, JobNotFound, fast_json
from reelgraph.app.api.options import CreateOptions, flow_context
from reelgraph.app.api.thread_jobs import submit_message
from reelgraph.app.auth import require_owner
from reelgraph.app.callbacks import artifact_urls
from reelgraph.app.jobstore import JobStore, decode_stream
from reelgraph.app.threadstore import ThreadStore, thread_key
from reelgraph.settings import get_settings

router = APIRouter(prefix="/v1", tags=["threads"])


class ThreadCreate(BaseModel):
    """A new conversation; ``options`` are a create job's, used by every message."""

    model_config = ConfigDict(extra="forbid")

    options: CreateOptions = Field(default_factory=CreateOptions)  # type: ignore[valid-type]

    @field_validator("options")
    @classmethod
    def _flow(cls, v: Any) -> Any:
        flow_context("create", v.to_options())  # the rules between fields, the limits
        return v


class MessageCreate(BaseModel):
    """A message: the first one says what the video is about, later ones how to change it."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="What to make, or what to change.")
    attachments: list[str] = Field(
        default_factory=list, description="Pictures: upload asset ids or http(s) URLs."
    )

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        limit = get_settings().max_prompt_chars
        if len(v) > limit:
            raise ValueError(f"is {len(v)} characters; the limit is {limit}.")
        if not v.strip():
            raise ValueError("is empty; say what to make or what to change.")
        return check_text(v)

    @field_validator("attachments")
    @classmethod
    def _attachments(cls, v: list[str]) -> list[str]:
        if len(v) > get_settings().max_images:
            raise ValueError(f"has {len(v)} items; the limit is {get_settings().max_images}.")
        out = [check_media_ref(x, f"attachments[{i}]") for i, x in enumerate(v)]
        if any(x.startswith("data:") for x in out):
            raise ValueError("attachments are upload asset ids or URLs (upload the file first).")
        return out


def owned_thread(request: Request, thread_id: str, owner: str) -> dict[str, Any]:
    """The thread if ``owner`` may see it (404 otherwise, existence not leaked)."""
    rec = ThreadStore(request.app.state.redis).get(thread_id) if len(thread_id) <= 64 else None
    if rec is None or rec.get("owner") != owner:
        raise JobNotFound(f"Thread {thread_id[:64]} does not exist; check the id.")
    return rec


@router.post("/threads", status_code=201, responses=ERRORS)
def create_thread(
    request: Request, body: ThreadCreate | None = None, owner: str = Depends(require_owner)
) -> Any:
    """Start a conversation; post its first message to make the first version."""
    options = (body or ThreadCreate()).options.to_options()  # type: ignore[attr-defined]
    thread_id = ThreadStore(request.app.state.redis).create(owner, options)
    links = {"self": f"/v1/threads/{thread_id}", "events": f"/v1/threads/{thread_id}/events"}
    return fast_json({"id": thread_id, "links": links}, 201)


@router.post("/threads/{thread_id}/messages", status_code=202, responses=ERRORS)
async def post_message(
    thread_id: str, body: MessageCreate, request: Request, owner: str = Depends(require_owner)
) -> Any:
    """Send a message; it runs as a job (``job_id``) after the thread's earlier messages."""
    thread = await run_in_threadpool(owned_thread, request, thread_id, owner)
    conn = request.app.state.redis
    ids = await run_in_threadpool(submit_message, conn, thread, owner, body.text, body.attachments)
    return fast_json(ids, 202)


def version_view(entry: dict[str, Any], jobs: JobStore) -> dict[str, Any]:
    rec = jobs.get(entry["job_id"]) or {}
    urls = artifact_urls(entry["job_id"], rec.get("artifacts") or {})
    return {
        "version": entry["version"],
        "job_id": entry["job_id"],
        "status": rec.get("status", "expired"),
        "video_url": urls.get("video.mp4"),
        "report_url": urls.get("report.json"),
        "spec_url": urls.get("spec.json"),
        "changed": entry.get("changed") or [],
    }


@router.get("/threads/{thread_id}", responses=ERRORS)
def get_thread(thread_id: str, request: Request, owner: str = Depends(require_owner)) -> Any:
    """The messages, the current plan and every version with its links."""
    owned_thread(request, thread_id, owner)
    store, jobs = ThreadStore(request.app.state.redis), JobStore(request.app.state.redis)
    return fast_json(
        {
            "id": thread_id,
            "messages": store.messages(thread_id),
            "plan": store.plan(thread_id),
            "versions": [version_view(v, jobs) for v in store.versions(thread_id)],
        }
    )


@router.get(
    "/threads/{thread_id}/events",
    responses=ERRORS,
    response_description="text/event-stream of message, stage and version events",
)
def thread_events(
    thread_id: str,
    request: Request,
    owner: str = Depends(require_owner),
    last_event_id: str | None = Header(None),
) -> EventSourceResponse:
    """Server-sent events of the conversation; open until the client leaves."""
    owned_thread(request, thread_id, owner)
    aredis: AsyncRedis = request.app.state.aredis_events
    key = thread_key(thread_id, "events")

    async def gen() -> AsyncIterator[ServerSentEvent]:
        after = stream_id(last_event_id)
        while True:
            res = await aredis.xread({key: after}, count=100, block=BLOCK_MS)
            for eid, event in decode_stream(res):
                after = eid
                yield ServerSentEvent(data=json.dumps(event), event=event.get("type"), id=eid)

    return EventSourceResponse(gen(), ping=15)
