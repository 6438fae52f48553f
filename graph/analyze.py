"""The analyze graph: video or URL -> probe -> transcript + on-screen text -> JSON.

ingest_media -> probe_media -> extract_audio -> transcribe_audio -> read_screen_text
-> assemble_analysis. ``run_analyze`` is the entry point used by the CLI and the job runner.
"""

from __future__ import annotations

import itertools
import operator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any, NotRequired, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages

from reelgraph.errors import InvalidInput
from reelgraph.graph.state import merge_dicts
from reelgraph.graph.streaming import EventFn, stream_graph
from reelgraph.nodes.analyze import (
    assemble_analysis,
    extract_audio,
    ingest_media,
    probe_media,
    read_screen_text,
    transcribe_audio,
)


@dataclass
class AnalyzeContext:
    """Per-run knobs of the analyze graph."""

    asr_model: str = "tiny.en"
    """faster-whisper model: tiny.en (bundled), base, or a CTranslate2 model directory."""
    language: str | None = None
    """Spoken language code; None = detect (English-only models force en)."""
    every_n_frames: int = 30
    """Read on-screen text on every Nth frame."""
    ocr_engine: str = "auto"
    """auto (rapidocr, else tesseract when installed), rapidocr or tesseract."""

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> AnalyzeContext:
        known = {f.name for f in fields(cls)}
        opts = dict(options)
        if "every" in opts and "every_n_frames" not in opts:
            opts["every_n_frames"] = opts.pop("every")
        ctx = cls(**{k: v for k, v in opts.items() if k in known and v is not None})
        from reelgraph.workers.engine.ocr import ENGINES

        if ctx.ocr_engine not in ENGINES:
            raise InvalidInput(
                f"OCR engine '{ctx.ocr_engine}' is unknown; use {', '.join(ENGINES)}."
            )
        if int(ctx.every_n_frames) < 1:
            raise InvalidInput(f"--every {ctx.every_n_frames} is not valid; use 1 or more frames.")
        return ctx


class MediaInput(TypedDict):
    """What a caller gives to the caption and analyze graphs."""

    messages: NotRequired[Annotated[list[AnyMessage], add_messages]]
    """Chat history (kept for Studio and chat clients)."""
    source: str
    """A local media path, ``upload:<id>``, or an http(s) URL (fetched through the guard)."""
    out_dir: NotRequired[str]
    """Directory for this run's artifacts."""
    need_video: NotRequired[bool]
    """Fail at probe time when the input has no video stream (captioning)."""
    need_audio: NotRequired[bool]
    """Fail at audio extraction when the input has no audio track (captioning)."""


class MediaState(MediaInput):
    """Fields shared by the media graphs."""

    media: NotRequired[dict[str, Any]]
    """{path, name, origin, bytes} of the resolved local input."""
    info: NotRequired[dict[str, Any]]
    """MediaInfo as JSON (duration, streams, size, fps)."""
    audio_wav: NotRequired[str | None]
    """Cached 16 kHz mono wav of the input's audio."""
    transcript: NotRequired[dict[str, Any]]
    """{language, duration, model, segments, words}."""
    artifacts: NotRequired[Annotated[dict[str, str], merge_dicts]]
    """Artifact name -> path."""
    timings: NotRequired[Annotated[dict[str, float], merge_dicts]]
    """Seconds per stage."""
    cache: NotRequired[Annotated[dict[str, Any], merge_dicts]]
    """hit/miss per cached stage."""
    warnings: NotRequired[Annotated[list[str], operator.add]]
    """Human-readable warnings for the report."""


class AnalyzeState(MediaState):
    screen_text: NotRequired[list[dict[str, Any]]]
    """On-screen text items: text, start, end, confidence, box."""
    ocr_engine: NotRequired[str]
    """The OCR engine that read the frames."""
    analysis: NotRequired[dict[str, Any]]
    """The analyze JSON document."""


class AnalyzeOutput(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    artifacts: dict[str, str]
    analysis: dict[str, Any]
    warnings: list[str]


def build_analyze_graph() -> StateGraph[Any, Any, Any, Any]:
    """The uncompiled analyze builder."""
    builder = StateGraph(
        AnalyzeState,
        context_schema=AnalyzeContext,
        input_schema=MediaInput,
        output_schema=AnalyzeOutput,
    )
    order = [
        ingest_media,
        probe_media,
        extract_audio,
        transcribe_audio,
        read_screen_text,
        assemble_analysis,
    ]
    for fn in order:
        builder.add_node(fn)
    builder.add_edge(START, order[0].__name__)
    for a, b in itertools.pairwise(order):
        builder.add_edge(a.__name__, b.__name__)
    builder.add_edge(order[-1].__name__, END)
    return builder


#: Compiled without a custom checkpointer, for langgraph.json / LangGraph Studio.
graph = build_analyze_graph().compile()


def source_of(input: dict[str, Any]) -> str:
    """The media source named by a job input (``source``, ``video``, ``url`` or ``path``)."""
    for key in ("source", "video", "url", "path", "input"):
        if input.get(key):
            return str(input[key])
    if input.get("upload_id"):
        return f"upload:{input['upload_id']}"
    raise InvalidInput("No input media was given; pass a video file, an upload id or a URL.")


def run_analyze(
    input: dict[str, Any],
    options: dict[str, Any],
    *,
    out_dir: Path,
    on_event: EventFn | None = None,
    checkpointer: Any = None,
    job_id: str | None = None,
) -> dict[str, Any]:
    """Analyze one media file; returns {artifacts, report, analysis, warnings}."""
    ctx = AnalyzeContext.from_options(options)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = {"source": source_of(input), "out_dir": str(out_dir)}
    values = stream_graph(
        build_analyze_graph(), inputs, ctx, on_event, checkpointer=checkpointer, thread_id=job_id
    )
    analysis = values.get("analysis") or {}
    report = {k: analysis.get(k) for k in ("timings", "cache", "warnings")}
    return {
        "artifacts": values.get("artifacts", {}),
        "report": report,
        "analysis": analysis,
        "warnings": values.get("warnings", []),
    }
