"""Ordered job events over SSE and WebSocket, read from the job's Redis stream.

Every event is JSON with a ``type`` (status, stage, progress, stage_done, resumed, ...); the
last one has ``type == "end"`` and the final ``status``. SSE ids are the stream ids, so a client
that reconnects with ``Last-Event-ID`` continues where it stopped.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Header, Request, WebSocket, WebSocketDisconnect
from redis.asyncio import Redis as AsyncRedis
from redis.exceptions import RedisError
from sse_starlette.sse import EventSourceResponse, ServerSentEvent

from reelgraph.app.api.jobs import ERRORS, owned
from reelgraph.app.auth import require_owner, ws_owner
from reelgraph.app.jobstore import aget, decode_stream, events_key
from reelgraph.errors import ReelgraphError

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["events"])
BLOCK_MS = 10_000
STREAM_ID_RE = re.compile(r"(\d{1,20})(?:-(\d{1,20}))?")
#: WebSocket close codes for refusals (4000 + the HTTP status a request would get).
WS_CLOSE_CODES = {401: 4401, 429: 4429}


def stream_id(value: str | None) -> str:
    """``value`` if it is a Redis stream id (``ms`` or ``ms-seq``, each under 2**64), else
    ``0-0`` (from the start): Redis would refuse it in the middle of the stream."""
    m = STREAM_ID_RE.fullmatch(value or "")
    if m is None or any(int(part) >= 2**64 for part in m.groups() if part):
        return "0-0"
    return str(value)


async def iter_events(
    aredis: AsyncRedis, job_id: str, after: str = "0-0"
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """Yield (stream id, event) from ``after`` on, until the terminal event."""
    after = stream_id(after)
    while True:
        res = await aredis.xread({events_key(job_id): after}, count=100, block=BLOCK_MS)
        for eid, event in decode_stream(res):
            after = eid
            yield eid, event
            if event.get("type") == "end":
                return


@router.get(
    "/jobs/{job_id}/events",
    responses=ERRORS,
    response_description="text/event-stream of job events",
)
def job_events(
    job_id: str,
    request: Request,
    owner: str = Depends(require_owner),
    last_event_id: str | None = Header(None),
) -> EventSourceResponse:
    """Server-sent events: stage and progress updates, ending with an ``end`` event."""
    owned(request, job_id, owner)
    aredis: AsyncRedis = request.app.state.aredis_events

    async def gen() -> AsyncIterator[ServerSentEvent]:
        async for eid, event in iter_events(aredis, job_id, last_event_id or "0-0"):
            yield ServerSentEvent(data=json.dumps(event), event=event.get("type"), id=eid)

    return EventSourceResponse(gen(), ping=15)


@router.websocket("/jobs/{job_id}/ws")
async def job_ws(websocket: WebSocket, job_id: str) -> None:
    """The same events as JSON messages; the server closes after the ``end`` event."""
    try:
        owner = await ws_owner(websocket)
        rec = await aget(websocket.app.state.aredis, job_id) if len(job_id) <= 64 else None
    except ReelgraphError as exc:
        await websocket.close(code=WS_CLOSE_CODES.get(exc.status, 1011))
        return
    except RedisError:
        logger.error("Redis unavailable: websocket for %s refused", job_id)
        await websocket.close(code=1013)  # try again later
        return
    if rec is None or rec.get("owner") != owner:
        await websocket.close(code=4404)
        return
    await websocket.accept()
    try:
        async for eid, event in iter_events(websocket.app.state.aredis_events, job_id):
            await websocket.send_json({"id": eid, **event})
        await websocket.close()
    except WebSocketDisconnect:
        logger.debug("websocket for %s closed by the client", job_id)
