"""The `reelgraph` command line: create, caption, analyze, clips, render, serve, worker, doctor."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from reelgraph.errors import ReelgraphError
from reelgraph.logging import setup_logging

logger = logging.getLogger(__name__)

#: Subcommand modules; each has add_parser(subparsers). Missing optional ones are skipped.
COMMANDS = [
    "create",
    "chat",
    "caption",
    "analyze",
    "clips",
    "render",
    "serve",
    "worker",
    "doctor",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reelgraph",
        description="Open-source AI video studio: prompt to finished short video, offline.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"reelgraph.app.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("reelgraph.app.commands"):
                continue
            raise
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging("DEBUG" if args.verbose else None)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ReelgraphError as err:
        logger.debug("failed: %s", err.detail or err, exc_info=True)
        print(f"error: {err.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
