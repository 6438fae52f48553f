"""/health (the process answers), /ready (Redis, FFmpeg, storage) and /metrics (Prometheus)."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from redis import Redis

from reelgraph.app.jobstore import JobStore
from reelgraph.settings import get_settings
from reelgraph.workers.jobs.queueing import QUEUES

logger = logging.getLogger(__name__)

router = APIRouter(tags=["ops"])


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness: the API process is up (it does not check dependencies; see /ready)."""
    return {"status": "ok"}


def _check_redis(conn: Redis) -> str | None:
    try:
        conn.ping()
        return None
    except Exception as exc:
        return (
            f"Redis at {_safe_url(get_settings().redis_url)} is unreachable ({type(exc).__name__})."
        )


def _check_ffmpeg() -> str | None:
    from reelgraph.workers.engine.ffmpeg import ffmpeg_binary

    try:
        path = ffmpeg_binary()
    except Exception as exc:
        return str(exc)
    return None if os.path.exists(path) else f"FFmpeg was not found at {path}."


def _check_storage() -> str | None:
    root = get_settings().storage_dir
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".ready-"):
            pass
        return None
    except OSError as exc:
        return f"Storage at {root} is not writable ({exc.strerror})."


def _safe_url(url: str) -> str:
    """The Redis URL without a password."""
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@router.get("/ready")
def ready(request: Request) -> JSONResponse:
    """Readiness: 200 when Redis, FFmpeg and storage work; 503 naming what does not."""
    checks = {
        "redis": _check_redis(request.app.state.redis),
        "ffmpeg": _check_ffmpeg(),
        "storage": _check_storage(),
    }
    reasons = [msg for msg in checks.values() if msg]
    body: dict[str, Any] = {
        "ready": not reasons,
        "checks": {k: ("ok" if v is None else "failed") for k, v in checks.items()},
        "reasons": reasons,
    }
    return JSONResponse(body, status_code=200 if not reasons else 503)


class RedisCollector(Collector):
    """Job counts by status, stage durations and queue depth, read from Redis at scrape time."""

    def __init__(self, conn: Redis):
        self.conn = conn

    def collect(self) -> Iterator[Metric]:
        store = JobStore(self.conn)
        jobs = GaugeMetricFamily("reelgraph_jobs", "Jobs by status.", labels=["status"])
        for status, n in store.status_counts().items():
            jobs.add_metric([status], n)
        yield jobs
        stage_sum = GaugeMetricFamily(
            "reelgraph_stage_seconds_sum", "Total seconds spent per stage.", labels=["stage"]
        )
        stage_count = GaugeMetricFamily(
            "reelgraph_stage_seconds_count", "Completed runs per stage.", labels=["stage"]
        )
        for stage, (total, count) in sorted(store.stage_stats().items()):
            stage_sum.add_metric([stage], total)
            stage_count.add_metric([stage], count)
        yield stage_sum
        yield stage_count
        depth = GaugeMetricFamily(
            "reelgraph_queue_depth", "Jobs waiting per queue.", labels=["queue"]
        )
        with self.conn.pipeline(transaction=False) as pipe:
            for q in QUEUES:
                pipe.llen(f"rq:queue:{q}")
            counts = pipe.execute()
        for q, n in zip(QUEUES, counts, strict=True):
            depth.add_metric([q], int(n))
        yield depth


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RedisCollector(request.app.state.redis))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
