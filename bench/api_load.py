"""Bounded load on the job API over loopback: submissions, then status reads.

    python bench/api_load.py [--concurrency 50] [--duration 20] [--url http://127.0.0.1:8000]

Without ``--url`` it starts a private redis-server and ``reelgraph serve`` on free loopback
ports (rate limit off, no workers: submitted jobs just queue), runs the load, and stops both.
Half the time goes to ``POST /v1/jobs``, half to ``GET /v1/jobs/{id}`` on the submitted ids.
Prints requests/s and p50/p99 latency per endpoint (goals on a 2-core machine: >= 300 reads/s
with p99 < 100 ms; submissions p99 < 150 ms). Loopback only: a non-loopback --url is refused.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.rows import Row, plain, row  # noqa: E402
from reelgraph.app.commands.serve import DEFAULT_WORKERS  # noqa: E402

QUICK = ["--concurrency", "20", "--duration", "6"]

BODY = {
    "kind": "create",
    "input": {"prompt": "Three surprising facts about owls."},
    "options": {"aspect": "9:16", "fps": 30},
    "metadata": {"bench": True},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


@contextmanager
def private_stack(workers: int) -> Iterator[str]:
    """A private redis-server and API server on loopback; yields the API base URL."""
    binary = shutil.which("redis-server")
    if not binary:
        raise SystemExit("redis-server not found; install it or pass --url")
    rport, aport = _free_port(), _free_port()
    home = tempfile.mkdtemp(prefix="reelgraph-bench-")
    procs = [
        subprocess.Popen(
            [
                binary,
                "--port",
                str(rport),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                home,
            ],
            stdout=subprocess.DEVNULL,
        )
    ]
    env = dict(
        os.environ,
        REDIS_URL=f"redis://127.0.0.1:{rport}/0",
        REELGRAPH_HOME=home,
        REELGRAPH_RATE_LIMIT_PER_MINUTE="0",
        PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    try:
        time.sleep(0.3)
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "reelgraph.app.cli",
                    "serve",
                    "--port",
                    str(aport),
                    "--workers",
                    str(workers),
                ],
                cwd=REPO,
                env=env,
            )
        )
        base = f"http://127.0.0.1:{aport}"
        _wait_http(base + "/health")
        yield base
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(home, ignore_errors=True)


class Conn:
    """A minimal keep-alive HTTP/1.1 client (asyncio streams) so the load generator spends
    little CPU on this shared machine: the numbers measure the server, not an HTTP library."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def _phase(
    base: str, kind: str, seconds: float, concurrency: int, ids: list[str]
) -> dict[str, float]:
    parts = urlsplit(base)
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds
    body = json.dumps(BODY).encode()

    async def one_user() -> None:
        nonlocal errors
        conn = Conn(parts.hostname or "127.0.0.1", parts.port or 80)
        try:
            while time.monotonic() < stop_at:
                t0 = time.perf_counter()
                if kind == "submit":
                    status, data = await conn.request("POST", "/v1/jobs", body)
                    if status == 202:
                        ids.append(json.loads(data)["id"])
                    ok = status == 202
                else:
                    status, _ = await conn.request("GET", f"/v1/jobs/{random.choice(ids)}")
                    ok = status == 200
                latencies.append(time.perf_counter() - t0)
                errors += 0 if ok else 1
        finally:
            await conn.close()

    t_start = time.monotonic()
    await asyncio.gather(*(one_user() for _ in range(concurrency)))
    elapsed = time.monotonic() - t_start
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
    }


async def run_load(base: str, concurrency: int, duration: float) -> dict[str, dict[str, float]]:
    ids: list[str] = []
    submit = await _phase(base, "submit", duration / 2, concurrency, ids)
    if not ids:
        raise SystemExit("no job was accepted; is Redis up? see the server log")
    read = await _phase(base, "read", duration / 2, concurrency, ids)
    return {"POST /v1/jobs": submit, "GET /v1/jobs/{id}": read}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--url", help="an already running API on loopback")
    ap.add_argument("--concurrency", type=int, default=50, choices=range(1, 51), metavar="1..50")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds in all (max 60)")
    ap.add_argument(
        "--server-workers",
        type=int,
        default=DEFAULT_WORKERS,
        help="uvicorn workers of the private stack (default: as `reelgraph serve`)",
    )
    return ap.parse_args(argv)


def timed(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    duration = min(60.0, max(2.0, args.duration))
    if args.url:
        host = urlsplit(args.url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("api_load only targets loopback servers")
        return asyncio.run(run_load(args.url.rstrip("/"), args.concurrency, duration))
    with private_stack(args.server_workers) as base:
        return asyncio.run(run_load(base, args.concurrency, duration))


GOALS = {"POST /v1/jobs": "goal p99 < 150 ms", "GET /v1/jobs/{id}": "goal >= 300/s, p99 < 100 ms"}
NAMES = {"POST /v1/jobs": "job submissions", "GET /v1/jobs/{id}": "job status reads"}


def rows_for(args: argparse.Namespace, results: dict[str, dict[str, float]]) -> list[Row]:
    where = args.url or f"private stack, {args.server_workers} uvicorn workers + redis-server"
    rows = []
    for endpoint, r in results.items():
        detail = (
            f"`{endpoint}`: p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
            f"{r['requests']:.0f} requests, {r['errors']:.0f} errors; concurrency "
            f"{args.concurrency}, {min(60.0, max(2.0, args.duration)) / 2:g} s, loopback, "
            f"{where}, load generator on the same CPUs; {GOALS[endpoint]}"
        )
        rows.append(row(f"API throughput: {NAMES[endpoint]} per second", r["rps"], detail))
    return rows


def measure(quick: bool = False) -> list[Row]:
    """The rows, measured now (quick: concurrency 20 for 6 s instead of 50 for 20 s)."""
    args = parse_args(QUICK if quick else [])
    return rows_for(args, timed(args))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = timed(args)
    duration = min(60.0, max(2.0, args.duration))
    print(f"concurrency {args.concurrency}, {duration:g} s, loopback, CPUs: {os.cpu_count()}")
    print(
        f"{'endpoint':<20} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    )
    for name, r in results.items():
        print(
            f"{name:<20} {r['requests']:>9} {r['errors']:>7} {r['rps']:>8.1f} "
            f"{r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}"
        )
    print(json.dumps({k: {m: round(v, 2) for m, v in r.items()} for k, r in results.items()}))
    print("\n" + plain(rows_for(args, results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
