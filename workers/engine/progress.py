"""Progress and cancellation plumbing shared by inline and queued execution.

A media job reports progress with ``report(fraction)`` and checks ``should_cancel()``; who listens
depends on where it runs: the CLI's progress bar (inline), or ``job.meta`` on an RQ worker.
Both are context variables, so concurrent jobs in threads do not see each other's hooks.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

Reporter = Callable[[float], None]
CancelCheck = Callable[[], bool]

_reporter: ContextVar[Reporter | None] = ContextVar("reelgraph_reporter", default=None)
_cancel: ContextVar[CancelCheck | None] = ContextVar("reelgraph_cancel", default=None)


def report(fraction: float) -> None:
    fn = _reporter.get()
    if fn is not None:
        fn(max(0.0, min(1.0, fraction)))


def should_cancel() -> bool:
    fn = _cancel.get()
    return bool(fn and fn())


def current_reporter() -> Reporter | None:
    return _reporter.get()


def current_cancel() -> CancelCheck | None:
    return _cancel.get()


@contextmanager
def hooks(reporter: Reporter | None = None, cancel: CancelCheck | None = None) -> Iterator[None]:
    t1 = _reporter.set(reporter)
    t2 = _cancel.set(cancel)
    try:
        yield
    finally:
        _reporter.reset(t1)
        _cancel.reset(t2)


def map_in_threads(
    func: Callable[..., Any], calls: list[dict[str, Any]], parallel: int = 2
) -> list[Any]:
    """Run ``func(**kw)`` for each of ``calls`` on up to ``parallel`` threads, in order.

    Each thread runs in a copy of the caller's context, so the progress and cancel hooks above
    reach it.
    """
    if parallel <= 1 or len(calls) <= 1:
        return [func(**kw) for kw in calls]
    from concurrent.futures import ThreadPoolExecutor

    def _one(ctx: contextvars.Context, kw: dict[str, Any]) -> Any:
        return ctx.run(lambda: func(**kw))

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = [pool.submit(_one, contextvars.copy_context(), kw) for kw in calls]
        return [f.result() for f in futures]
