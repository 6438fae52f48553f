"""The graph checkpointer: Postgres when ``REELGRAPH_CHECKPOINT_URL`` names one, SQLite otherwise.

Runs use ``thread_id = job id``, so a job re-run on another worker (after its worker died)
resumes from the last completed node. Postgres is the one to use with several machines; the
SQLite file (``<home>/checkpoints.sqlite``) works for workers that share one disk.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reelgraph.errors import DependencyMissing, ServiceUnavailable
from reelgraph.settings import get_settings

logger = logging.getLogger(__name__)


def sqlite_path() -> Path:
    return get_settings().home / "checkpoints.sqlite"


@contextmanager
def get_checkpointer(url: str | None = None) -> Iterator[Any]:
    """Yield a ready checkpointer (tables created); closes its connection on exit."""
    url = url if url is not None else get_settings().checkpoint_url
    if url:
        with _postgres(url) as saver:
            yield saver
        return
    with _sqlite(sqlite_path()) as saver:
        yield saver


@contextmanager
def _postgres(url: str) -> Iterator[Any]:
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise DependencyMissing(
            "Postgres checkpointing needs langgraph-checkpoint-postgres: pip install it."
        ) from exc
    try:
        cm = PostgresSaver.from_conn_string(url)
        saver = cm.__enter__()
    except Exception as exc:
        raise ServiceUnavailable(
            "The checkpoint database is unreachable; check REELGRAPH_CHECKPOINT_URL."
        ) from exc
    try:
        saver.setup()
        yield saver
    finally:
        cm.__exit__(None, None, None)


@contextmanager
def _sqlite(path: Path) -> Iterator[Any]:
    import sqlite3

    from langgraph.checkpoint.sqlite import SqliteSaver

    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        saver = SqliteSaver(conn)
        saver.setup()
        yield saver
    finally:
        conn.close()
