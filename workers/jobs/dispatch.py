"""One way for nodes to run media jobs: inline (embedded mode) or on an RQ queue (server mode).

Both paths run the same module-level job function from ``workers.jobs`` with the same JSON-safe
arguments, so a result computed by a worker is byte-identical to one computed inline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from reelgraph.workers.engine.progress import map_in_threads

logger = logging.getLogger(__name__)

#: "inline" runs jobs in this process; "rq" enqueues them and waits.
_mode: ContextVar[str] = ContextVar("reelgraph_dispatch_mode", default="inline")


@contextmanager
def dispatch_mode(mode: str) -> Iterator[None]:
    token = _mode.set(mode)
    try:
        yield
    finally:
        _mode.reset(token)


def current_mode() -> str:
    return _mode.get()


def dispatch(
    func: Callable[..., Any], /, *, queue: str = "cpu", timeout: int | None = None, **kwargs: Any
) -> Any:
    """Run ``func(**kwargs)`` inline or as an RQ job on ``queue`` and return its result."""
    if _mode.get() == "inline":
        return func(**kwargs)
    from reelgraph.workers.jobs.queueing import enqueue_and_wait  # server mode only

    return enqueue_and_wait(func, queue=queue, timeout=timeout, kwargs=kwargs)


def dispatch_many(
    func: Callable[..., Any],
    calls: list[dict[str, Any]],
    *,
    queue: str = "cpu",
    parallel: int = 2,
    timeout: int | None = None,
) -> list[Any]:
    """Run several calls of ``func``: a thread pool inline, parallel RQ jobs in server mode."""
    if _mode.get() == "inline":
        return map_in_threads(func, calls, parallel)
    from reelgraph.workers.jobs.queueing import enqueue_many_and_wait

    return enqueue_many_and_wait(func, queue=queue, timeout=timeout, calls=calls)
