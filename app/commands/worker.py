"""`reelgraph worker`: RQ workers for the graph and media queues, supervised.

A graph job waits for the media jobs it dispatches, so the graph queue and the media queues
(gpu, cpu) get separate worker processes: ``--queues graph,gpu,cpu`` starts one worker on
``graph`` and one on ``gpu,cpu`` (a waiting graph run never blocks the rendering it waits for).
A worker that dies is restarted; SIGTERM/SIGINT stop them all warmly (the running job finishes),
and so does the death of the supervisor itself. Before starting, the ``.partial`` files that
killed workers left behind are removed.
With ``--burst`` the workers stop once the graph queue is drained and media work is done.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from typing import Any

logger = logging.getLogger(__name__)

MEDIA_QUEUES = ("gpu", "cpu")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("worker", help="run RQ workers for the graph, gpu and cpu queues")
    p.add_argument("--queues", default="graph,gpu,cpu", help="comma-separated queue names")
    p.add_argument("--burst", action="store_true", help="quit when the queues are empty")
    p.add_argument("--media-workers", type=int, default=1, help="worker processes for gpu,cpu")
    p.set_defaults(func=run)


def plan_groups(queues: list[str], media_workers: int = 1) -> list[list[str]]:
    """Which worker processes to start: graph apart from the media queues."""
    unknown = [q for q in queues if q not in ("graph", *MEDIA_QUEUES)]
    if unknown:
        from reelgraph.errors import InvalidInput

        raise InvalidInput(f"Unknown queue(s) {', '.join(unknown)}; use graph, gpu and cpu.")
    media = [q for q in queues if q in MEDIA_QUEUES]
    groups = [["graph"]] if "graph" in queues else []
    groups += [media] * max(1, media_workers) if media else []
    return groups


def _spawn(queues: list[str], burst: bool) -> subprocess.Popen[bytes]:
    from reelgraph.process import child_setup

    argv = [sys.executable, "-m", "reelgraph.workers.jobs.worker", "--queues", ",".join(queues)]
    if burst:
        argv.append("--burst")
    # a killed supervisor stops its workers warmly (each finishes the job it runs)
    return subprocess.Popen(argv, preexec_fn=child_setup(signal.SIGTERM))


def _sweep() -> None:
    """Remove the .partial litter of workers that were killed (see workers.janitor)."""
    from reelgraph.workers.jobs.janitor import sweep_at_startup
    from reelgraph.workers.jobs.queueing import redis_conn

    try:
        sweep_at_startup(redis_conn())
    except Exception as exc:  # Redis down: the workers will say so; never block the start
        logger.warning("skipped the start-up sweep of partial files: %s", exc)


def _media_idle(queues: list[str]) -> bool:
    from reelgraph.workers.jobs.queueing import get_queue

    for name in queues:
        q = get_queue(name)
        if q.count or q.started_job_registry.count:
            return False
    return True


def run(args: argparse.Namespace) -> int:
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    groups = plan_groups(queues, args.media_workers)
    has_graph = bool(groups and groups[0] == ["graph"])
    _sweep()
    # In burst mode media workers keep running until the graph work that feeds them is done.
    procs = [(g, _spawn(g, args.burst and (g == ["graph"] or not has_graph))) for g in groups]
    stopping = False

    def _stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for _, p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    logger.info("worker supervisor %s: %s", os.getpid(), groups)
    while True:
        time.sleep(0.5)
        if stopping or all(p.poll() is not None for _, p in procs):
            break
        for i, (g, p) in enumerate(procs):
            if p.poll() is None:
                continue
            if args.burst:
                continue
            logger.warning("worker on %s exited (%s); restarting it", ",".join(g), p.returncode)
            procs[i] = (g, _spawn(g, False))
        if args.burst and has_graph and procs[0][1].poll() is not None:
            media = [q for q in queues if q in MEDIA_QUEUES]
            if not media or _media_idle(media):
                _stop(signal.SIGTERM, None)
    for _, p in procs:
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
    return 0 if all((p.returncode or 0) == 0 for _, p in procs) else 1
