"""docs/deploy.md, tried: the API and two workers as separate "machines" sharing only Redis,
Postgres (the checkpointer) and the media directory, rendering a segmented create job.

Each process has its own working directory, home, temp and per-machine cache folders; the only
things they share are REDIS_URL, REELGRAPH_CHECKPOINT_URL (a throwaway database on the local
Postgres, dropped afterwards) and REELGRAPH_HOME (the media directory).
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import conftest_redis as _fx
from tests.conftest_redis import child_env, free_port, kill_tree, wait_for, wait_http
from tests.segment_media import FPS, frames_gray

pytestmark = [pytest.mark.integration, pytest.mark.slow]

platform = _fx.platform
redis_url = _fx.redis_url

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PROMPT = (
    "Owls turn their heads almost all the way around. They hunt at night with silent "
    "feathers. Their ears sit at different heights to find prey by sound."
)


@pytest.fixture
def checkpoint_db() -> Iterator[str]:
    """A throwaway Postgres database for the checkpointer; dropped after the test."""
    psycopg = pytest.importorskip("psycopg")
    name = f"reelgraph_deploy_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no Postgres on 127.0.0.1:5432 (user postgres, trust auth)")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _machine(root: Path, name: str, shared: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """A working directory and the env of one machine: its own home, temp and caches."""
    cwd = root / name
    for sub in ("home", "tmp", "xdg-cache"):
        (cwd / sub).mkdir(parents=True, exist_ok=True)
    local = {
        "HOME": str(cwd / "home"),
        "TMPDIR": str(cwd / "tmp"),
        "XDG_CACHE_HOME": str(cwd / "xdg-cache"),
    }
    return cwd, child_env(shared, local)


@pytest.fixture
def cluster(platform: dict[str, str], checkpoint_db: str, tmp_path: Path) -> Iterator[dict]:
    shared = {**platform, "REELGRAPH_CHECKPOINT_URL": checkpoint_db}
    procs: list[subprocess.Popen[bytes]] = []

    def _start(name: str, *args: str) -> subprocess.Popen[bytes]:
        cwd, env = _machine(tmp_path, name, shared)
        log = (tmp_path / f"{name}.log").open("wb")
        cmd = [sys.executable, "-m", "reelgraph.app.cli", *args]
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append(proc)
        return proc

    port = free_port()
    api = _start("api", "serve", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/health", api, 30, "the API server", tmp_path / "api.log")
    workers = [_start(f"worker-{k}", "worker", "--queues", "graph,gpu,cpu") for k in "ab"]
    yield {"base": base, "workers": workers, "db": checkpoint_db, "logs": tmp_path}
    for proc in procs:
        kill_tree(proc.pid)
        proc.wait(timeout=10)


def _media_workers(platform: dict[str, str]) -> set[str]:
    from redis import Redis
    from rq import Worker

    conn = Redis.from_url(platform["REDIS_URL"])
    found = Worker.all(connection=conn)
    return {w.name for w in found if set(w.queue_names()) == {"gpu", "cpu"}}


def test_api_and_two_workers_render_a_segmented_job(cluster: dict, platform: dict) -> None:
    import psycopg

    media = wait_for(
        lambda: m if len(m := _media_workers(platform)) == 2 else None,
        timeout=60,
        what="two media workers",
    )
    base = cluster["base"]
    body = {
        "kind": "create",
        "input": {"prompt": PROMPT},
        "options": {
            "width": 180,
            "height": 320,
            "fps": FPS,
            "quality": "draft",
            "duration": 9,
            "segment_seconds": 2,
        },
    }
    r = httpx.post(f"{base}/v1/jobs", json=body, timeout=30)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    started = time.monotonic()

    def _done() -> dict | None:
        view = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=10).json()
        return view if view["status"] in ("succeeded", "failed", "canceled") else None

    view = wait_for(_done, timeout=300, interval=0.5, what=f"job {job_id}")
    assert view["status"] == "succeeded", view
    print(f"segmented job done in {time.monotonic() - started:.1f} s")

    report = httpx.get(f"{base}/v1/jobs/{job_id}/artifacts/report.json", timeout=10).json()
    rows = report["segments"]
    print("stage timings:", report["timings"], "segments:", rows)
    assert len(rows) >= 3, report
    assert {r["worker"] for r in rows} == media
    assert rows[0]["start"] == 0 and rows[-1]["end"] == pytest.approx(report["duration"], abs=0.04)
    video = httpx.get(f"{base}/v1/jobs/{job_id}/artifacts/video.mp4", timeout=30)
    assert video.status_code == 200
    out = cluster["logs"] / "video.mp4"
    out.write_bytes(video.content)
    assert len(frames_gray(out)) == math.floor(report["duration"] * FPS + 0.5)

    with psycopg.connect(cluster["db"]) as db:  # the graph run was checkpointed in Postgres
        count = db.execute(
            "SELECT count(*) FROM checkpoints WHERE thread_id = %s", (job_id,)
        ).fetchone()
    assert count is not None and count[0] > 0
