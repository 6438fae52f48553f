"""Wraps a node so it reports progress events, records its timing and runs media hooks."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from reelgraph.workers.engine import progress


def _writer() -> Callable[[Any], None]:
    try:
        from langgraph.config import get_stream_writer

        return get_stream_writer()
    except Exception:  # outside a graph run (unit tests calling a node directly)
        return lambda _event: None


def stage(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Emit {type: stage, stage, progress} events and add {timings: {name: seconds}}."""
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> dict[str, Any]:
        write = _writer()
        write({"type": "stage", "stage": name, "progress": 0.0})
        parent_cancel = progress.current_cancel()

        def report(frac: float) -> None:
            write({"type": "progress", "stage": name, "progress": round(frac, 4)})

        t0 = time.monotonic()
        with progress.hooks(report, parent_cancel):
            update = fn(*args, **kwargs)
        elapsed = round(time.monotonic() - t0, 3)
        write({"type": "stage_done", "stage": name, "progress": 1.0, "seconds": elapsed})
        timings = {**update.get("timings", {}), name: elapsed}
        return {**update, "timings": timings}

    return wrapper
