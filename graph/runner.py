"""Run a graph as a job: the one entry point (``run_job``) of the CLI, the RQ graph worker and
tests, for every flow (create, caption, analyze).

A run validates the flow's options model (``graph.context.CONTEXTS``) before anything else,
turns the job input into the graph's input, streams the graph to its end (resuming a
checkpointed thread) and shapes the final state into ``{artifacts, report, warnings, ...}``.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reelgraph.errors import InvalidInput
from reelgraph.files import write_json_atomic
from reelgraph.graph.context import CONTEXTS
from reelgraph.graph.eta import Estimator
from reelgraph.graph.streaming import INTERRUPTS, EventFn, stream_graph
from reelgraph.workers.engine import progress

logger = logging.getLogger(__name__)

CREATE_INPUT_KEYS = (
    "prompt",
    "transcript",
    "images",
    "audio",
    "music_file",
    "messages",
    "output_path",
)


def source_of(input: dict[str, Any]) -> str:
    """The media source named by a job input (``source``, ``video``, ``url`` or ``path``)."""
    for key in ("source", "video", "url", "path", "input"):
        if input.get(key):
            return str(input[key])
    if input.get("upload_id"):
        return f"upload:{input['upload_id']}"
    raise InvalidInput("No input media was given; pass a video file, an upload id or a URL.")


def _create_inputs(input: dict[str, Any]) -> dict[str, Any]:
    return {k: input[k] for k in CREATE_INPUT_KEYS if input.get(k) is not None}


def media_inputs(input: dict[str, Any]) -> dict[str, Any]:
    """The media graphs' input: the source and, for a page URL resolved by the worker, its page."""
    page = input.get("page")
    return {"source": source_of(input), **({"page": page} if page else {})}


def _caption_inputs(input: dict[str, Any]) -> dict[str, Any]:
    out = {**media_inputs(input), "need_video": True, "need_audio": True}
    return out | ({"output_path": input["output_path"]} if input.get("output_path") else {})


def _analyze_inputs(input: dict[str, Any]) -> dict[str, Any]:
    return media_inputs(input)


def _create_result(values: dict[str, Any], _started: float) -> dict[str, Any]:
    artifacts = values.get("artifacts") or {}
    path = artifacts.get("report.json")
    report = json.loads(Path(path).read_text()) if path and Path(path).exists() else {}
    return {"artifacts": artifacts, "report": report, "warnings": values.get("warnings", [])}


def _caption_result(values: dict[str, Any], started: float) -> dict[str, Any]:
    """The report gains the run's wall time, in the result and in report.json."""
    artifacts = values.get("artifacts") or {}
    report = dict(values.get("report") or {})
    report["wall_seconds"] = round(time.monotonic() - started, 3)
    if artifacts.get("report.json"):
        path = Path(artifacts["report.json"])
        tmp = path.with_name(path.name + ".partial")
        tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False))
        os.replace(tmp, path)
    return {"artifacts": artifacts, "report": report, "warnings": values.get("warnings", [])}


def _analyze_result(values: dict[str, Any], _started: float) -> dict[str, Any]:
    analysis = values.get("analysis") or {}
    return {
        "artifacts": values.get("artifacts", {}),
        "report": {k: analysis.get(k) for k in ("source", "timings", "cache", "warnings")},
        "analysis": analysis,
        "warnings": values.get("warnings", []),
    }


@dataclass(frozen=True)
class Flow:
    """How to run one flow: its graph builder, its input and its result."""

    builder: str
    """``module:function`` of the uncompiled graph (imported when a run starts)."""
    inputs: Callable[[dict[str, Any]], dict[str, Any]]
    """Job input -> the graph's input (without out_dir)."""
    result: Callable[[dict[str, Any], float], dict[str, Any]]
    """(final state, start time) -> the run's result."""


FLOWS: dict[str, Flow] = {
    "create": Flow("reelgraph.graph.create:build_create_graph", _create_inputs, _create_result),
    "caption": Flow(
        "reelgraph.graph.caption:build_caption_graph", _caption_inputs, _caption_result
    ),
    "analyze": Flow(
        "reelgraph.graph.analyze:build_analyze_graph", _analyze_inputs, _analyze_result
    ),
    "clips": Flow("reelgraph.graph.clips:build_clips_graph", _caption_inputs, _caption_result),
}


def run_job(
    kind: str,
    input: dict[str, Any],
    options: dict[str, Any],
    *,
    out_dir: Path,
    job_id: str | None = None,
    on_event: EventFn | None = None,
    checkpointer: Any = None,
    should_cancel: Callable[[], bool] | None = None,
    resume: Any = None,
) -> dict[str, Any]:
    """Run the ``kind`` graph (create, caption, analyze); returns {artifacts, report, ...}.

    ``options`` are validated first (field names or their aliases; see graph/context.py).
    A run stopped for review returns ``{"review": ..., "interrupts": [...]}`` instead (see
    ``review_result``); ``resume`` (a HumanResponse) continues it on the same checkpointer
    thread (``job_id``).
    """
    flow = FLOWS.get(kind)
    if flow is None:
        raise InvalidInput(f"Unknown job kind '{kind}'; use {', '.join(FLOWS)}.")
    started = time.monotonic()
    ctx = CONTEXTS[kind].from_options(options)
    if getattr(ctx, "review", False) and checkpointer is None:
        raise InvalidInput(
            "The review option stops the run for an answer, so it needs a resumable run: use "
            "reelgraph create --review, an API job or LangGraph Studio."
        )
    inputs = {**flow.inputs(input), "out_dir": str(out_dir)}
    module, _, name = flow.builder.partition(":")
    builder = getattr(importlib.import_module(module), name)()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    eta = Estimator(kind, ctx, inputs, on_event)
    with progress.hooks(None, should_cancel):
        eta.start()
        values = stream_graph(
            builder,
            inputs,
            ctx,
            eta.on_event,
            checkpointer=checkpointer,
            thread_id=job_id,
            on_values=eta.on_values,
            answer=resume,
        )
    if values.get(INTERRUPTS):
        return review_result(values)
    review = values.get("review") or {}
    if review.get("status") == "rejected":
        return {"status": "rejected", "review": review, "artifacts": {}, "report": {}}
    return with_estimate(flow.result(values, started), eta.report())


def review_result(values: dict[str, Any]) -> dict[str, Any]:
    """The result of a run stopped for review: the review (storyboard, preview), the interrupt
    values, and the review's files as artifacts (``preview.mp4``, ``scene-01.jpg`` ...)."""
    review = {**(values.get("review") or {}), "plan": values.get("plan")}
    artifacts = {"preview.mp4": review["preview"]} if review.get("preview") else {}
    for item in review.get("storyboard") or []:
        artifacts[Path(item["thumbnail"]).name] = item["thumbnail"]
    return {
        "status": "awaiting_review",
        "review": review,
        "interrupts": values[INTERRUPTS],
        "artifacts": artifacts,
        "report": {},
        "warnings": values.get("warnings", []),
    }


def with_estimate(result: dict[str, Any], estimate: dict[str, Any]) -> dict[str, Any]:
    """``result`` whose report (and report.json, when there is one) has ``estimate``."""
    report = {**(result.get("report") or {}), "estimate": estimate}
    path = (result.get("artifacts") or {}).get("report.json")
    if path and Path(path).is_file():
        on_disk = json.loads(Path(path).read_text())
        write_json_atomic(path, {**on_disk, "estimate": estimate})
    return {**result, "report": report}
