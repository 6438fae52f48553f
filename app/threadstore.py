"""Thread records in Redis: a conversation's messages, versions and events for the API.

The conversation itself (plan, option edits, versions with their plans) is a LangGraph thread on
the checkpointer, with the same id; this store is what the API shows and orders. Keys (under
``reelgraph:``):

- ``thread:<id>``: hash {id, owner, options (JSON), created_at, last_job}.
- ``thread:<id>:messages``: list of JSON {role, text, at, message_id, job_id}.
- ``thread:<id>:versions``: list of JSON {version, job_id, changed}; ``thread:<id>:plan``: the
  latest version's plan (JSON).
- ``thread:<id>:events``: stream of {type: message|stage|stage_done|version|turn_end, ...}.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from redis import Redis

from reelgraph.app.jobstore import PREFIX, decode_stream
from reelgraph.settings import get_settings

EVENTS_MAXLEN = 2000


def new_thread_id() -> str:
    return "thr_" + uuid.uuid4().hex[:24]


def new_message_id() -> str:
    return "msg_" + uuid.uuid4().hex[:24]


def thread_key(thread_id: str, part: str = "") -> str:
    return f"{PREFIX}thread:{thread_id}" + (f":{part}" if part else "")


class ThreadStore:
    """Reads and writes thread records (a few Redis round trips each)."""

    def __init__(self, conn: Redis):
        self.conn: Any = conn
        self.ttl = get_settings().job_record_ttl_s

    def _touch(self, pipe: Any, thread_id: str) -> None:
        for part in ("", "messages", "versions", "plan", "events"):
            pipe.expire(thread_key(thread_id, part), self.ttl)

    def create(self, owner: str, options: dict[str, Any]) -> str:
        thread_id = new_thread_id()
        rec = {
            "id": thread_id,
            "owner": owner,
            "options": json.dumps(options),
            "created_at": str(time.time()),
            "last_job": "",
        }
        with self.conn.pipeline() as pipe:
            pipe.hset(thread_key(thread_id), mapping=rec)
            self._touch(pipe, thread_id)
            pipe.execute()
        return thread_id

    def get(self, thread_id: str) -> dict[str, Any] | None:
        raw = self.conn.hgetall(thread_key(thread_id))
        if not raw:
            return None
        rec = {k.decode(): v.decode() for k, v in raw.items()}
        rec["options"] = json.loads(rec.get("options") or "{}")
        return rec

    def add_message(self, thread_id: str, role: str, text: str, **extra: Any) -> dict[str, Any]:
        msg = {"role": role, "text": text, "at": time.time(), **extra}
        with self.conn.pipeline() as pipe:
            pipe.rpush(thread_key(thread_id, "messages"), json.dumps(msg))
            if extra.get("job_id") and role == "user":
                pipe.hset(thread_key(thread_id), "last_job", extra["job_id"])
            self._add_event(pipe, thread_id, {"type": "message", **msg})
            self._touch(pipe, thread_id)
            pipe.execute()
        return msg

    def add_version(
        self, thread_id: str, entry: dict[str, Any], plan: dict[str, Any] | None
    ) -> None:
        with self.conn.pipeline() as pipe:
            pipe.rpush(thread_key(thread_id, "versions"), json.dumps(entry))
            if plan is not None:
                pipe.set(thread_key(thread_id, "plan"), json.dumps(plan))
            self._add_event(pipe, thread_id, {"type": "version", **entry})
            self._touch(pipe, thread_id)
            pipe.execute()

    def messages(self, thread_id: str) -> list[dict[str, Any]]:
        return [json.loads(m) for m in self.conn.lrange(thread_key(thread_id, "messages"), 0, -1)]

    def versions(self, thread_id: str) -> list[dict[str, Any]]:
        return [json.loads(v) for v in self.conn.lrange(thread_key(thread_id, "versions"), 0, -1)]

    def plan(self, thread_id: str) -> dict[str, Any] | None:
        raw = self.conn.get(thread_key(thread_id, "plan"))
        return json.loads(raw) if raw else None

    def _add_event(self, pipe: Any, thread_id: str, event: dict[str, Any]) -> None:
        event.setdefault("ts", time.time())
        pipe.xadd(
            thread_key(thread_id, "events"),
            {"data": json.dumps(event, default=str)},
            maxlen=EVENTS_MAXLEN,
            approximate=True,
        )

    def add_event(self, thread_id: str, event: dict[str, Any]) -> None:
        with self.conn.pipeline() as pipe:
            self._add_event(pipe, thread_id, dict(event))
            pipe.execute()

    def read_events(
        self, thread_id: str, after: str = "0-0", block_ms: int | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        res = self.conn.xread({thread_key(thread_id, "events"): after}, count=100, block=block_ms)
        return decode_stream(res)
