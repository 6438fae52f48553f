"""Messages of an API thread as jobs: submitted like any create job, run on the graph queue on
the thread's LangGraph thread, one at a time and in order.

A message is a ``create`` job whose input names the thread (``thread``, ``text``,
``message_id``, ``attachments`` and ``after``: the thread's previous job). The graph worker
waits until ``after`` has ended, runs the turn (``graph.threads.run_turn``) with the thread's
options, forwards stage events to the thread's event stream and, once the job has succeeded,
records the reply (with the video's URL) and the version in the thread store.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from redis import Redis

from reelgraph.app.api.submit import enqueue_graph_job
from reelgraph.app.callbacks import artifact_urls
from reelgraph.app.jobstore import TERMINAL, JobStore, new_job_id
from reelgraph.app.threadstore import ThreadStore, new_message_id, thread_key
from reelgraph.errors import Canceled
from reelgraph.settings import get_settings
from reelgraph.workers.engine import progress

logger = logging.getLogger(__name__)

#: How often a message's job looks whether the thread's previous one has ended.
WAIT_POLL_S = 0.2
#: Forwarded to the thread's event stream (progress stays on the job's own stream).
THREAD_EVENTS = ("stage", "stage_done")


def answer_review(conn: Redis, thread: dict[str, Any], text: str) -> dict[str, str] | None:
    """A message while the thread's last turn awaits its review answers that review ("looks
    good" approves, "reject" rejects, anything else is a change to make) and resumes that
    turn's job; None when no review is waiting."""
    from reelgraph.app.api.reviews import CLAIM_TTL_S, claim_key, resume
    from reelgraph.nodes.review_request import chat_answer

    last = conn.lindex(thread_key(thread["id"], "jobs"), -1)
    rec = JobStore(conn).get(last.decode() if isinstance(last, bytes) else last) if last else None
    if rec is None or rec["status"] != "awaiting_review":
        return None
    review = rec.get("review") or {}
    round_ = int(review.get("round") or 0)
    answer = chat_answer(text)
    if not conn.set(claim_key(rec["id"], round_), answer["type"], nx=True, ex=CLAIM_TTL_S):
        return None  # answered a moment ago: this message is a new turn after it
    resume(conn, rec, answer, round_, review | {"decision": answer["type"]})
    message_id = new_message_id()
    ThreadStore(conn).add_message(
        thread["id"], "user", text, message_id=message_id, job_id=rec["id"]
    )
    return {"message_id": message_id, "job_id": rec["id"]}


def record_review(conn: Redis, rec: dict[str, Any], result: dict[str, Any]) -> None:
    """A turn that stopped for its review: the reply asks for an answer."""
    if result.get("reply"):
        ThreadStore(conn).add_message(
            rec["input"]["thread"], "assistant", result["reply"], job_id=rec["id"]
        )


def submit_message(
    conn: Redis, thread: dict[str, Any], owner: str, text: str, attachments: list[str]
) -> dict[str, str]:
    """Store and queue the job of one message; returns {message_id, job_id}. A message while
    a review waits answers it instead (``answer_review``)."""
    if not attachments:
        answered = answer_review(conn, thread, text)
        if answered is not None:
            return answered
    s = get_settings()
    job_id, message_id = new_job_id(), new_message_id()
    thread_id = thread["id"]
    length = int(conn.rpush(thread_key(thread_id, "jobs"), job_id))  # type: ignore[arg-type]
    conn.expire(thread_key(thread_id, "jobs"), s.job_record_ttl_s)
    after = conn.lindex(thread_key(thread_id, "jobs"), length - 2) if length > 1 else None
    inp = {
        "thread": thread_id,
        "text": text,
        "message_id": message_id,
        "attachments": attachments,
        "after": after.decode() if isinstance(after, bytes) else after,
    }
    with conn.pipeline(transaction=True) as pipe:
        enqueue_graph_job(conn, job_id, f"message {message_id} of {thread_id}", pipe)
        JobStore(conn).create(
            job_id,
            kind="create",
            owner=owner,
            input=inp,
            options=thread["options"],
            callback_url=None,
            metadata={"thread": thread_id, "message_id": message_id},
            pipe=pipe,
        )
        pipe.execute()
    ThreadStore(conn).add_message(thread_id, "user", text, message_id=message_id, job_id=job_id)
    return {"message_id": message_id, "job_id": job_id}


def is_thread_job(rec: dict[str, Any]) -> bool:
    return bool((rec.get("input") or {}).get("thread"))


def wait_for_previous(store: JobStore, after: str | None) -> None:
    """Block until the thread's previous message's job has ended (turns run in order)."""
    if not after:
        return
    deadline = time.monotonic() + get_settings().job_timeout_s
    missing_since = time.monotonic()
    while time.monotonic() < deadline:
        if progress.should_cancel():
            raise Canceled("The job was canceled.")
        rec = store.get(after)
        if rec is not None and rec["status"] in (*TERMINAL, "awaiting_review"):
            return  # a turn waiting for its review: its answer resumes that job, not this one
        if rec is None and time.monotonic() - missing_since > 5:  # expired or never stored
            return
        time.sleep(WAIT_POLL_S)


def run_thread_turn(
    rec: dict[str, Any], out_dir: Path, sink: Any, local: Any, answer: Any = None
) -> dict[str, Any]:
    """The graph worker's run of one message (``local`` resolves an asset id or URL);
    ``answer`` continues a turn that stopped for its review."""
    from reelgraph.graph.checkpoint import get_checkpointer
    from reelgraph.graph.threads import run_turn

    inp = rec["input"]
    store = JobStore(sink.store.conn)
    threads = ThreadStore(sink.store.conn)
    if answer is None:
        wait_for_previous(store, inp.get("after"))
    work = out_dir / ".inputs"
    files = (
        []
        if answer is not None
        else [local(ref, work, f"attachment-{i}") for i, ref in enumerate(inp["attachments"])]
    )

    def on_event(event: dict[str, Any]) -> None:
        sink(event)
        if event.get("type") in THREAD_EVENTS:
            threads.add_event(inp["thread"], {**event, "job_id": rec["id"]})

    with get_checkpointer() as cp:
        return run_turn(
            inp["thread"],
            inp["text"],
            turn_id=inp["message_id"],
            out_dir=out_dir,
            checkpointer=cp,
            options=rec.get("options") or {},
            attachments=files,
            on_event=on_event,
            should_cancel=progress.current_cancel(),
            answer=answer,
        )


def record_turn(conn: Redis, rec: dict[str, Any], result: dict[str, Any]) -> None:
    """After the job succeeded: the reply (with the video's URL) and the version."""
    inp, job_id = rec["input"], rec["id"]
    threads = ThreadStore(conn)
    reply = result.get("reply") or ""
    version = result.get("version")
    if version:
        url = artifact_urls(job_id, {"video.mp4": ""})["video.mp4"]
        reply = f"{reply} {url}".strip()
    extra = {"version": version} if version else {}
    threads.add_message(inp["thread"], "assistant", reply, job_id=job_id, **extra)
    if version:
        entry = {"version": version, "job_id": job_id, "changed": result.get("changed") or []}
        threads.add_version(inp["thread"], entry, result.get("plan"))


def record_failure(conn: Redis, rec: dict[str, Any], error: dict[str, str]) -> None:
    """A message whose job failed or was canceled: the reply says so; no version."""
    text = f"That did not work: {error.get('message', 'the job failed')}"
    ThreadStore(conn).add_message(rec["input"]["thread"], "assistant", text, job_id=rec["id"])
