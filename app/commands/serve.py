"""`reelgraph serve`: the FastAPI app on uvicorn (REDIS_URL names the job queue's Redis)."""

from __future__ import annotations

import argparse
import os
from typing import Any

#: One uvicorn process per core (capped): status reads and submissions are CPU-bound JSON work.
DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))


def add_parser(sub: Any) -> None:
    p = sub.add_parser("serve", help="run the HTTP API (jobs, uploads, events, artifacts)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"uvicorn processes (default: one per core: {DEFAULT_WORKERS})",
    )
    p.add_argument("--log-level", default="warning", help="uvicorn log level")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(
        "reelgraph.app.server:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=max(1, args.workers),
        log_level=args.log_level,
        access_log=False,
    )
    return 0
