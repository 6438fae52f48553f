"""One turn of a conversation: a message on a LangGraph thread of the create graph.

The chat command and the threads API both call ``run_turn``. The thread lives on the
checkpointer (SQLite embedded, Postgres on a server); its state holds the plan, the option
edits and the versions, so a follow-up sees them. The first message plans and renders as
``create`` does (its attachments are the pictures); a later one enters at edit_plan. A job run
again after its worker died resumes its own turn (its message carries the job id) instead of
starting over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage

from reelgraph.graph.context import Context
from reelgraph.graph.create import build_create_graph
from reelgraph.graph.eta import Estimator
from reelgraph.graph.streaming import INTERRUPTS, EventFn, stream_graph
from reelgraph.nodes.versions import public_plan
from reelgraph.workers.engine import progress

logger = logging.getLogger(__name__)


def thread_values(thread_id: str, checkpointer: Any) -> dict[str, Any]:
    """The thread's current state values ({} for a new thread)."""
    compiled = build_create_graph().compile(checkpointer=checkpointer)
    snap = compiled.get_state({"configurable": {"thread_id": thread_id}})
    return dict(snap.values or {}) if snap else {}


def _turn_input(
    values: dict[str, Any], text: str, attachments: list[str], out_dir: Path, turn_id: str
) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "messages": [HumanMessage(content=text, id=turn_id)],
        "out_dir": str(out_dir),
    }
    if values.get("plan"):
        inputs["attachments"] = list(attachments)
    else:  # the first message: its pictures are the video's
        inputs["images"] = list(attachments)
    return inputs


def run_turn(
    thread_id: str,
    text: str,
    *,
    turn_id: str,
    out_dir: Path,
    checkpointer: Any,
    options: dict[str, Any] | None = None,
    attachments: list[str] | None = None,
    on_event: EventFn | None = None,
    should_cancel: Callable[[], bool] | None = None,
    answer: Any = None,
) -> dict[str, Any]:
    """Run one message on the thread; returns {reply, version, changed, artifacts, report}.

    ``version`` is None when the message changed nothing (the reply says why). With the
    ``review`` option the turn stops before the render: the result is the review's
    (``status: awaiting_review``, see ``graph.runner.review_result``) and ``answer`` (a
    HumanResponse) continues the same turn.
    """
    ctx = Context.from_options(options or {})
    builder = build_create_graph()
    compiled = builder.compile(checkpointer=checkpointer)
    config: Any = {"configurable": {"thread_id": thread_id}}
    snap = compiled.get_state(config)
    values = dict(snap.values or {}) if snap else {}
    mine = any(getattr(m, "id", None) == turn_id for m in values.get("messages") or [])
    out_dir.mkdir(parents=True, exist_ok=True)
    if mine and not (snap and snap.next):
        logger.info("turn %s of %s already ran", turn_id, thread_id)
    else:
        inputs = _turn_input(values, text, attachments or [], out_dir, turn_id)
        if answer is not None:  # the review's answer continues the turn where it stopped
            inputs = {}
        eta = Estimator("create", ctx, {**values, **inputs}, on_event)  # the time left
        with progress.hooks(None, should_cancel):
            eta.start()
            values = stream_graph(
                builder,
                inputs,
                ctx,
                eta.on_event,
                checkpointer=checkpointer,
                thread_id=thread_id,
                resume=mine or answer is not None,
                answer=answer,
                on_values=eta.on_values,
            )
    if values.get(INTERRUPTS):
        from reelgraph.graph.runner import review_result

        reply = "The plan is ready for review: approve it, ask for a change, or reject it."
        return {**review_result(values), "reply": reply, "version": None, "changed": []}
    return turn_result(values, turn_id)


def turn_result(values: dict[str, Any], turn_id: str) -> dict[str, Any]:
    """The reply (the last AI message after this turn's message) and the version it made."""
    messages = values.get("messages") or []
    at = next((i for i, m in enumerate(messages) if getattr(m, "id", None) == turn_id), -1)
    replies = [m for m in messages[at + 1 :] if isinstance(m, AIMessage)]
    reply = str(replies[-1].content) if replies else ""
    turn = values.get("turn") or {}
    versions = values.get("versions") or []
    made = bool(
        turn.get("rendered") and versions and versions[-1]["version"] == turn.get("version")
    )
    report = values.get("report") if made else None
    return {
        "reply": reply,
        "version": versions[-1]["version"] if made else None,
        "changed": versions[-1]["changed"] if made else [],
        "artifacts": dict(values.get("artifacts") or {}) if made else {},
        "report": report,
        "plan": public_plan(values["plan"]) if made else None,
        "warnings": list(values.get("warnings") or []),
    }
