"""Wraps a node so it reports progress events, records its timing and runs media hooks.

In a conversation (a thread whose state already holds a plan) the wrapper also:

- hands the node the run's options with the thread's edits on top (``option_overrides`` in
  state, written by ``edit_plan``), so every node reads ``runtime.context`` as before;
- skips a node whose inputs did not change since it last ran on the thread (``@stage(inputs=)``:
  a fingerprint of what the node reads, kept in ``stage_keys``), so a caption edit never
  re-narrates;
- lists the node in ``recomputed`` when it did work (a node that did none, such as a render the
  cache answered, returns ``recomputed: []`` itself) and in ``reused`` when it was skipped.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from reelgraph.workers.engine import progress

#: First item of a turn-scoped list (warnings, recomputed) or key of a turn-scoped dict (timings,
#: cache) in an update that starts the field afresh: a new message on a thread begins a new turn.
TURN_RESET = "__turn__"
#: Keys of a node's output that name files: a skip needs them still on disk.
_FILE_KEYS = ("audio", "path")

Node = Callable[..., dict[str, Any]]
InputsFn = Callable[[Any, Any], Any]


def _writer() -> Callable[[Any], None]:
    try:
        from langgraph.config import get_stream_writer

        return get_stream_writer()
    except Exception:  # outside a graph run (unit tests calling a node directly)
        return lambda _event: None


def with_thread_options(state: Any, runtime: Any) -> Any:
    """``runtime`` whose context carries the thread's option edits (``option_overrides``)."""
    over = state.get("option_overrides") if isinstance(state, Mapping) else None
    ctx = getattr(runtime, "context", None)
    if not over or ctx is None or not hasattr(ctx, "model_dump"):
        return runtime
    fields = type(ctx).model_fields
    data = {**ctx.model_dump(), **{k: v for k, v in over.items() if k in fields}}
    return runtime.override(context=type(ctx).model_validate(data))


def fingerprint(value: Any) -> str:
    """sha256 of the canonical JSON of ``value`` (what a node read)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _gone(path: str) -> bool:
    """An absolute file path that no longer exists (store-relative names are not checked)."""
    return os.path.isabs(path) and not os.path.exists(path)


def _files_present(value: Any) -> bool:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in _FILE_KEYS and isinstance(item, str) and _gone(item):
                return False
            if isinstance(item, Mapping) and not _files_present(item):
                return False
    return True


def _reusable(state: Mapping[str, Any], name: str, key: str, outputs: tuple[str, ...]) -> bool:
    """Whether ``name`` ran on this thread with the same inputs and its outputs are intact."""
    if (state.get("stage_keys") or {}).get(name) != key:
        return False
    return all(o in state and _files_present(state[o]) for o in outputs)


def stage(
    fn: Node | None = None,
    *,
    inputs: InputsFn | None = None,
    outputs: tuple[str, ...] = (),
    thread_options: bool = True,
) -> Any:
    """Emit {type: stage, stage, progress} events and add {timings: {name: seconds}}.

    With ``inputs`` (``(state, context) -> JSON``) the node is skipped when that fingerprint is
    the one it last ran with on this thread and its ``outputs`` are still in state. With
    ``thread_options=False`` the node sees the run's own options (edit_plan edits the overrides).
    """
    if fn is None:
        return functools.partial(
            stage, inputs=inputs, outputs=outputs, thread_options=thread_options
        )
    node: Node = fn
    name = node.__name__

    @functools.wraps(node)
    def wrapper(*args: Any, **kwargs: Any) -> dict[str, Any]:
        state = args[0] if args else kwargs.get("state")
        if thread_options:
            args, kwargs = _overlay(state, args, kwargs)
        runtime = args[1] if len(args) > 1 else kwargs.get("runtime")
        write = _writer()
        write({"type": "stage", "stage": name, "progress": 0.0})
        t0 = time.monotonic()
        ctx = getattr(runtime, "context", None)
        key = fingerprint(inputs(state, ctx)) if inputs else ""
        if inputs and isinstance(state, Mapping) and _reusable(state, name, key, outputs):
            update: dict[str, Any] = {"reused": [name], "recomputed": []}
        else:
            update = _run(node, name, write, args, kwargs)
            if inputs:
                update["stage_keys"] = {name: key}
        elapsed = round(time.monotonic() - t0, 3)
        done = {"type": "stage_done", "stage": name, "progress": 1.0, "seconds": elapsed}
        write(done | ({"reused": True} if update.get("reused") else {}))
        timings = {**update.get("timings", {}), name: elapsed}
        recomputed = update.get("recomputed", [name])
        return {**update, "timings": timings, "recomputed": recomputed}

    return wrapper


def _overlay(state: Any, args: Any, kwargs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The node's arguments with its runtime's context carrying the thread's option edits."""
    if len(args) > 1:
        return (args[0], with_thread_options(state, args[1]), *args[2:]), kwargs
    if "runtime" in kwargs:
        return args, {**kwargs, "runtime": with_thread_options(state, kwargs["runtime"])}
    return args, kwargs


def _run(
    node: Node, name: str, write: Callable[[Any], None], args: Any, kwargs: Any
) -> dict[str, Any]:
    parent_cancel = progress.current_cancel()

    def report(frac: float) -> None:
        write({"type": "progress", "stage": name, "progress": round(frac, 4)})

    with progress.hooks(report, parent_cancel):
        return dict(node(*args, **kwargs))
