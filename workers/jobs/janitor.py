"""Start-up hygiene: ``.partial`` files left by a killed worker are removed.

Artifacts are written to ``*.partial`` names and renamed into place, so a killed worker never
leaves a half file that looks done, but it does leave the partial. ``reelgraph worker`` sweeps
the data directories once before it starts its workers: every partial goes when no other worker
is alive (registered in Redis from another host, or a live process on this one); otherwise only
partials older than the job time limit go, since nothing writes one for longer.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from redis import Redis
from rq import Worker

from reelgraph.settings import get_settings

logger = logging.getLogger(__name__)

PARTIAL_MARK = ".partial"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def other_workers_alive(conn: Redis) -> bool:
    """Whether any registered RQ worker could still be writing into the shared directories."""
    host = socket.gethostname()
    for worker in Worker.all(connection=conn):
        if worker.hostname != host:
            return True
        if worker.pid and worker.pid != os.getpid() and _pid_alive(int(worker.pid)):
            return True
    return False


def _partials(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        for name in list(dirnames):
            if PARTIAL_MARK in name:
                dirnames.remove(name)
                yield Path(dirpath) / name
        for name in filenames:
            if PARTIAL_MARK in name:
                yield Path(dirpath) / name


def sweep_partials(roots: list[Path], *, min_age_s: float) -> list[Path]:
    """Remove partial files and folders under ``roots`` last changed ``min_age_s`` ago or more."""
    now = time.time()
    removed = []
    for root in roots:
        for path in _partials(root):
            try:
                if now - path.lstat().st_mtime < min_age_s:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except FileNotFoundError:
                continue
            removed.append(path)
    if removed:
        logger.info("removed %d partial file(s) left by stopped workers", len(removed))
    return removed


def sweep_at_startup(conn: Redis) -> list[Path]:
    """The supervisor's start-up sweep of storage, cache and uploads."""
    s = get_settings()
    age = float(s.job_timeout_s) if other_workers_alive(conn) else 0.0
    return sweep_partials([s.storage_dir, s.cache_dir, s.uploads_dir], min_age_s=age)
