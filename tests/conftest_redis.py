"""Fixtures for the job platform: a private Redis, worker processes, a live API server.

Import what a test needs (``from tests.conftest_redis import platform, workers, ...``) or add
``pytest_plugins = ["tests.conftest_redis"]`` to the main conftest.

- ``redis_url`` (session): a private ``redis-server`` on a free port when the binary exists,
  else ``REELGRAPH_TEST_REDIS_URL`` / 127.0.0.1:6379 db 13 if reachable, else the test skips.
- ``platform``: a fresh Redis db (flushed), a private REELGRAPH_HOME and the env workers need.
- ``start_worker``: starts ``python -m app.cli worker`` processes with the platform env;
  every process tree is SIGKILLed at teardown.
- ``api``: a TestClient on ``create_app()``; ``live_server``: uvicorn in a subprocess.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _reachable(url: str) -> bool:
    try:
        from redis import Redis

        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary:
        port = free_port()
        d = tmp_path_factory.mktemp("redis")
        proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(d),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while not _reachable(url):
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.skip("a private redis-server did not start")
            time.sleep(0.05)
        yield url
        proc.terminate()
        proc.wait(timeout=10)
        return
    url = os.environ.get("REELGRAPH_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    if not _reachable(url):
        pytest.skip("no redis-server binary and no reachable Redis for the platform tests")
    yield url


@pytest.fixture
def platform(redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Env for this test (also passed to worker/server processes); Redis db flushed."""
    from redis import Redis

    from reelgraph.settings import get_settings

    Redis.from_url(redis_url).flushdb()
    env = {
        "REDIS_URL": redis_url,
        "REELGRAPH_HOME": str(tmp_path / "home"),
        "REELGRAPH_WORKER_HEARTBEAT_S": "1",
        "REELGRAPH_WORKER_DEATH_GRACE_S": "3",
        "REELGRAPH_WORKER_MAINTENANCE_S": "2",
        "REELGRAPH_CALLBACK_BACKOFF_S": "0.2",
        "REELGRAPH_RATE_LIMIT_PER_MINUTE": "0",
        "REELGRAPH_FETCH_ALLOWLIST": '["127.0.0.1"]',
        "HF_HUB_OFFLINE": "1",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    from reelgraph.workers.jobs import queueing

    queueing._conns.clear()
    yield env
    get_settings.cache_clear()
    queueing._conns.clear()


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc), parents first."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop(0)
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def kill_tree(pid: int) -> None:
    for p in process_tree(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(p, signal.SIGKILL)


def child_env(platform: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(platform)
    env.update(extra or {})
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture
def start_worker(
    platform: dict[str, str], tmp_path: Path
) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []

    def _start(
        queues: str = "graph,gpu,cpu",
        extra_env: dict[str, str] | None = None,
        log_name: str | None = None,
    ) -> subprocess.Popen[bytes]:
        log = (tmp_path / (log_name or f"worker-{len(procs)}.log")).open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "reelgraph.app.cli", "worker", "--queues", queues],
            cwd=REPO,
            env=child_env(platform, extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        procs.append(proc)
        return proc

    yield _start
    for proc in procs:
        kill_tree(proc.pid)
        proc.wait(timeout=10)


@pytest.fixture
def api(platform: dict[str, str]) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from reelgraph.app.server import create_app

    with TestClient(create_app()) as client:
        yield client


@pytest.fixture
def live_server(platform: dict[str, str], tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reelgraph.app.cli", "serve", "--port", str(port)],
        cwd=REPO,
        env=child_env(platform),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/health", proc, 20, "the API server", tmp_path / "server.log")
    yield base
    kill_tree(proc.pid)
    proc.wait(timeout=10)


def wait_http(
    url: str, proc: subprocess.Popen[bytes], timeout: float, what: str, log: Path
) -> None:
    """Wait until ``url`` answers 200; fail (killing ``proc``) if it dies or takes too long."""
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            kill_tree(proc.pid)
            pytest.fail(f"{what} did not start: " + log.read_text(errors="replace")[-3000:])
        time.sleep(0.1)


def wait_for(
    fn: Callable[[], Any], timeout: float = 30, interval: float = 0.1, what: str = "condition"
) -> Any:
    """Poll ``fn`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not met within {timeout:g} s")
        time.sleep(interval)


def wait_job_done(api: Any, job_id: str, timeout: float = 240) -> dict[str, Any]:
    """Poll ``GET /v1/jobs/{id}`` until the job ended (succeeded, failed, canceled, rejected)."""

    def _done() -> dict[str, Any] | None:
        view: dict[str, Any] = api.get(f"/v1/jobs/{job_id}").json()
        return view if view["status"] in ("succeeded", "failed", "canceled", "rejected") else None

    result: dict[str, Any] = wait_for(_done, timeout=timeout, interval=0.5, what=f"job {job_id}")
    return result
