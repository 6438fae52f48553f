"""Logging set-up shared by the CLI, the server and the workers."""

from __future__ import annotations

import logging
import os


def setup_logging(level: str | None = None) -> None:
    lvl = (level or os.environ.get("REELGRAPH_LOG_LEVEL") or "WARNING").upper()
    logging.basicConfig(
        level=getattr(logging, lvl, logging.WARNING),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
