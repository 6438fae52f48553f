"""Run a graph as a job: the one entry point used by the CLI, the RQ graph worker and tests."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reelgraph.errors import InvalidInput
from reelgraph.graph.streaming import EventFn, stream_graph
from reelgraph.workers.engine import progress

logger = logging.getLogger(__name__)

CREATE_INPUT_KEYS = ("prompt", "transcript", "images", "audio", "music_file", "messages")


def run_create(
    input: dict[str, Any],
    options: dict[str, Any],
    *,
    job_id: str,
    out_dir: Path,
    on_event: EventFn | None = None,
    checkpointer: Any = None,
    should_cancel: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    from reelgraph.graph.context import Context
    from reelgraph.graph.create import build_create_graph

    ctx = Context.from_options(options)
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs: dict[str, Any] = {k: input[k] for k in CREATE_INPUT_KEYS if input.get(k) is not None}
    inputs["out_dir"] = str(out_dir)
    with progress.hooks(None, should_cancel):
        values = stream_graph(
            build_create_graph(), inputs, ctx, on_event, checkpointer=checkpointer, thread_id=job_id
        )
    artifacts = values.get("artifacts") or {}
    report = _read_report(artifacts)
    return {"artifacts": artifacts, "report": report, "warnings": values.get("warnings", [])}


def _read_report(artifacts: dict[str, str]) -> dict[str, Any]:
    import json

    path = artifacts.get("report.json")
    return json.loads(Path(path).read_text()) if path and Path(path).exists() else {}


def run_job(
    kind: str,
    input: dict[str, Any],
    options: dict[str, Any],
    *,
    job_id: str,
    out_dir: Path,
    on_event: EventFn | None = None,
    checkpointer: Any = None,
    should_cancel: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Run the ``kind`` graph (create, caption, analyze) and return {artifacts, report}."""
    if kind == "create":
        return run_create(
            input,
            options,
            job_id=job_id,
            out_dir=out_dir,
            on_event=on_event,
            checkpointer=checkpointer,
            should_cancel=should_cancel,
        )
    if kind == "caption":
        from reelgraph.graph.caption import run_caption

        with progress.hooks(None, should_cancel):
            return run_caption(
                input,
                options,
                out_dir=out_dir,
                on_event=on_event,
                checkpointer=checkpointer,
                job_id=job_id,
            )
    if kind == "analyze":
        from reelgraph.graph.analyze import run_analyze

        with progress.hooks(None, should_cancel):
            return run_analyze(
                input,
                options,
                out_dir=out_dir,
                on_event=on_event,
                checkpointer=checkpointer,
                job_id=job_id,
            )
    raise InvalidInput(f"Unknown job kind '{kind}'; use create, caption or analyze.")
