"""Run a compiled graph to its end: forward custom events, resume from a checkpoint.

Every flow (create, caption, analyze) goes through ``stream_graph``. With a checkpointer the run
uses ``thread_id = job id``; when that thread already has a checkpoint with pending nodes (its
worker died mid-run), the run continues from the last completed node instead of starting over.
A run that stops at an ``interrupt`` (the create flow's review) returns its state with the
interrupts' values under ``INTERRUPTS``; ``resume`` (the person's answer) continues it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

EventFn = Callable[[dict[str, Any]], None]
#: The key of the returned values that holds the values of the interrupts the run stopped at.
INTERRUPTS = "__interrupts__"


def stream_graph(
    builder: Any,
    inputs: dict[str, Any],
    ctx: Any,
    on_event: EventFn | None = None,
    *,
    checkpointer: Any = None,
    thread_id: str | None = None,
    on_values: Callable[[dict[str, Any]], None] | None = None,
    resume: bool = True,
    answer: Any = None,
) -> dict[str, Any]:
    """Compile ``builder`` (a StateGraph) and run it; return the final state values.

    ``on_event`` gets the nodes' custom events; ``on_values`` the state after each step.
    ``resume=False``: start a new run with ``inputs`` even when the thread has pending nodes
    (a conversation's new message after a turn that failed). ``answer`` answers the interrupt
    the thread stopped at (the review; it needs the checkpointer).
    """
    compiled = builder.compile(checkpointer=checkpointer)
    config: dict[str, Any] = {}
    stream_input: Any = inputs
    if checkpointer is not None:
        if not thread_id:
            raise ValueError("a checkpointed run needs a thread_id")
        config = {"configurable": {"thread_id": thread_id}}
        snapshot = compiled.get_state(config)
        if answer is not None and snapshot and snapshot.interrupts:
            from langgraph.types import Command

            stream_input = Command(resume=answer)
        elif resume and snapshot and snapshot.next:  # a died run, or a retried one: continue
            logger.info("run %s resumes at %s", thread_id, list(snapshot.next))
            stream_input = None
            if on_event is not None:
                on_event({"type": "resumed", "stage": next(iter(snapshot.next))})
    values: dict[str, Any] = {}
    for mode, chunk in compiled.stream(
        stream_input, config or None, context=ctx, stream_mode=["custom", "values"]
    ):
        if mode == "custom" and on_event is not None:
            on_event(chunk)
        elif mode == "values":
            values = chunk
            if on_values is not None:
                on_values(chunk)
    if checkpointer is not None:
        snapshot = compiled.get_state(config)
        values = dict(snapshot.values)
        if snapshot.interrupts:
            values[INTERRUPTS] = [i.value for i in snapshot.interrupts]
    return values
