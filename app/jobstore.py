"""Job records in Redis: one hash per job, an index per owner, an event stream per job, stats.

Keys (all under ``reelgraph:``):
- ``job:<id>``: hash of the record; JSON-valued fields are stored as JSON text.
- ``jobs:<owner>``: sorted set of job ids by creation time (pagination).
- ``job:<id>:events``: Redis stream of ordered events; the last one has ``type == "end"``.
- ``stats:status``: current number of jobs per status; ``stats:stage``: stage duration sums/counts.
"""

from __future__ import annotations

import builtins
import json
import logging
import time
import uuid
from typing import Any

from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.client import Pipeline

from reelgraph.settings import get_settings

logger = logging.getLogger(__name__)

PREFIX = "reelgraph:"
STATUSES = ("queued", "running", "awaiting_review", "succeeded", "failed", "canceled", "rejected")
#: A job in one of these ended; ``awaiting_review`` is not one (it waits for its reviewer).
TERMINAL = frozenset({"succeeded", "failed", "canceled", "rejected"})
JSON_FIELDS = (
    "input",
    "options",
    "metadata",
    "error",
    "artifacts",
    "timings",
    "report",
    "callback",
    "review",
    "estimate",
)
EVENTS_MAXLEN = 5000


def new_job_id() -> str:
    return "job_" + uuid.uuid4().hex[:24]


def job_key(job_id: str) -> str:
    return f"{PREFIX}job:{job_id}"


def events_key(job_id: str) -> str:
    return f"{PREFIX}job:{job_id}:events"


def index_key(owner: str) -> str:
    return f"{PREFIX}jobs:{owner}"


STATUS_STATS = PREFIX + "stats:status"
STAGE_STATS = PREFIX + "stats:stage"


def _encode(fields: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in fields.items():
        if k in JSON_FIELDS:
            out[k] = json.dumps(v, separators=(",", ":"), default=str)
        elif v is None:
            out[k] = ""
        else:
            out[k] = str(v)
    return out


def _decode(raw: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {}
    for kb, vb in raw.items():
        k, v = kb.decode(), vb.decode()
        if k in JSON_FIELDS:
            rec[k] = json.loads(v) if v else None
        elif k == "progress":
            rec[k] = float(v or 0)
        elif k in ("created_at", "started_at", "finished_at", "eta_s"):
            rec[k] = float(v) if v else None
        else:
            rec[k] = v if v != "" else None
    return rec


class JobStore:
    """Reads and writes job records; every method is one or two Redis round trips."""

    def __init__(self, conn: Redis):
        # redis-py's stubs type replies as bytes | str | ...; records are always bytes here.
        self.conn: Any = conn
        self.ttl = get_settings().job_record_ttl_s

    def create(
        self,
        job_id: str,
        *,
        kind: str,
        owner: str,
        input: dict[str, Any],
        options: dict[str, Any],
        callback_url: str | None,
        metadata: dict[str, Any],
        pipe: Pipeline,
    ) -> dict[str, Any]:
        """Queue the writes of a new record in ``pipe`` (executed with the RQ enqueue)."""
        now = time.time()
        rec: dict[str, Any] = {
            "id": job_id,
            "kind": kind,
            "owner": owner,
            "status": "queued",
            "stage": None,
            "progress": 0.0,
            "created_at": now,
            "input": input,
            "options": options,
            "callback_url": callback_url,
            "metadata": metadata,
            "timings": {},
            "artifacts": {},
            "error": None,
            "report": None,
            "callback": {"attempts": []},
        }
        pipe.hset(job_key(job_id), mapping=_encode(rec))  # type: ignore[arg-type]
        pipe.expire(job_key(job_id), self.ttl)
        pipe.zadd(index_key(owner), {job_id: now})
        pipe.hincrby(STATUS_STATS, "queued", 1)
        ev = {"type": "status", "status": "queued", "ts": now}
        pipe.xadd(events_key(job_id), {"data": json.dumps(ev)}, maxlen=EVENTS_MAXLEN)
        pipe.expire(events_key(job_id), self.ttl)
        return rec

    def get(self, job_id: str) -> dict[str, Any] | None:
        raw = self.conn.hgetall(job_key(job_id))
        return _decode(raw) if raw else None  # type: ignore[arg-type]

    def get_many(self, ids: list[str]) -> list[dict[str, Any]]:
        with self.conn.pipeline(transaction=False) as pipe:
            for jid in ids:
                pipe.hgetall(job_key(jid))
            rows = pipe.execute()
        return [_decode(r) for r in rows if r]

    def list(self, owner: str, *, offset: int = 0, limit: int = 20) -> tuple[int, list[dict]]:
        total = int(self.conn.zcard(index_key(owner)))
        ids = [
            i.decode() for i in self.conn.zrevrange(index_key(owner), offset, offset + limit - 1)
        ]
        return total, self.get_many(ids)

    def update(self, job_id: str, **fields: Any) -> None:
        self.conn.hset(job_key(job_id), mapping=_encode(fields))

    def add_event(self, job_id: str, event: dict[str, Any]) -> None:
        event.setdefault("ts", time.time())
        self.conn.xadd(
            events_key(job_id),
            {"data": json.dumps(event, default=str)},
            maxlen=EVENTS_MAXLEN,
            approximate=True,
        )

    def set_status(self, job_id: str, status: str, **fields: Any) -> None:
        """Move a job to ``status``, keep the per-status gauge, and emit the event."""
        if status not in STATUSES:
            raise ValueError(status)
        old = self.conn.hget(job_key(job_id), "status")
        now = time.time()
        if status == "running":
            fields.setdefault("started_at", now)
        if status in TERMINAL:
            fields.setdefault("finished_at", now)
        ev: dict[str, Any] = {
            "type": "end" if status in TERMINAL else "status",
            "status": status,
            "ts": now,
        }
        if fields.get("error"):
            ev["error"] = fields["error"]
        with self.conn.pipeline() as pipe:
            pipe.hset(job_key(job_id), mapping=_encode({"status": status, **fields}))
            if old and old.decode() != status:
                pipe.hincrby(STATUS_STATS, old.decode(), -1)
            if not old or old.decode() != status:
                pipe.hincrby(STATUS_STATS, status, 1)
            pipe.xadd(
                events_key(job_id),
                {"data": json.dumps(ev, default=str)},
                maxlen=EVENTS_MAXLEN,
                approximate=True,
            )
            pipe.execute()

    def queue_status(
        self, pipe: Pipeline, job_id: str, old: str, status: str, **fields: Any
    ) -> None:
        """Queue in ``pipe`` the move of a job known to be ``old`` to ``status`` (a resumed
        review: awaiting_review -> queued), its gauge and its event."""
        ev = {"type": "status", "status": status, "ts": time.time()}
        pipe.hset(job_key(job_id), mapping=_encode({"status": status, **fields}))  # type: ignore[arg-type]
        pipe.hincrby(STATUS_STATS, old, -1)
        pipe.hincrby(STATUS_STATS, status, 1)
        pipe.xadd(events_key(job_id), {"data": json.dumps(ev)}, maxlen=EVENTS_MAXLEN)

    def record_stage(self, job_id: str, stage: str, seconds: float, timings: dict) -> None:
        with self.conn.pipeline() as pipe:
            pipe.hset(job_key(job_id), "timings", json.dumps(timings))
            pipe.hincrbyfloat(STAGE_STATS, f"{stage}:sum", seconds)
            pipe.hincrby(STAGE_STATS, f"{stage}:count", 1)
            pipe.execute()

    def status_counts(self) -> dict[str, int]:
        raw = self.conn.hgetall(STATUS_STATS)
        counts = {s: 0 for s in STATUSES}
        for k, v in raw.items():  # type: ignore[union-attr]
            counts[k.decode()] = max(0, int(v))
        return counts

    def stage_stats(self) -> dict[str, tuple[float, int]]:
        raw = {k.decode(): v.decode() for k, v in self.conn.hgetall(STAGE_STATS).items()}  # type: ignore[union-attr]
        out: dict[str, tuple[float, int]] = {}
        for key, val in raw.items():
            stage, _, what = key.rpartition(":")
            s, c = out.get(stage, (0.0, 0))
            out[stage] = (float(val), c) if what == "sum" else (s, int(val))
        return out

    def read_events(
        self, job_id: str, after: str = "0-0", block_ms: int | None = None, count: int = 100
    ) -> builtins.list[tuple[str, dict[str, Any]]]:
        """Events after stream id ``after`` as (id, event), oldest first."""
        res = self.conn.xread({events_key(job_id): after}, count=count, block=block_ms)
        return decode_stream(res)


async def aget(aredis: AsyncRedis, job_id: str) -> dict[str, Any] | None:
    """``JobStore.get`` for async routes."""
    raw = await aredis.hgetall(job_key(job_id))
    return _decode(raw) if raw else None


async def alist(
    aredis: AsyncRedis, owner: str, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """``JobStore.list`` for async routes: (total, records newest first)."""
    async with aredis.pipeline(transaction=False) as pipe:
        pipe.zcard(index_key(owner))
        pipe.zrevrange(index_key(owner), offset, offset + limit - 1)
        total, ids = await pipe.execute()
    async with aredis.pipeline(transaction=False) as pipe:
        for jid in ids:
            pipe.hgetall(job_key(jid.decode()))
        rows = await pipe.execute()
    return int(total), [_decode(r) for r in rows if r]


def decode_stream(res: Any) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for _key, entries in res or []:
        for eid, data in entries:
            eid_s = eid.decode() if isinstance(eid, bytes) else str(eid)
            payload = data.get(b"data") or data.get("data") or b"{}"
            out.append((eid_s, json.loads(payload)))
    return out
