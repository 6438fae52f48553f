"""The caption graph: caption, tighten and reframe an existing video in one render.

ingest_media -> probe_media -> extract_audio -> transcribe_audio -> [correct_transcript]
-> plan_edits -> build_edit_captions -> compose_edit_spec -> render -> deliver_edit.
Transcript, faces, audio and silence maps are cached, so a re-run with another caption style
only re-renders. ``run_caption`` is the entry point used by the CLI and the job runner.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any, NotRequired, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.runtime import Runtime

from reelgraph.errors import InvalidInput, MissingAsset
from reelgraph.graph.analyze import MediaInput, MediaState, source_of
from reelgraph.graph.streaming import EventFn, stream_graph
from reelgraph.nodes.analyze import extract_audio, ingest_media, probe_media, transcribe_audio
from reelgraph.nodes.edit import (
    build_edit_captions,
    compose_edit_spec,
    correct_transcript,
    deliver_edit,
    plan_edits,
)
from reelgraph.nodes.render import render
from reelgraph.settings import get_settings
from reelgraph.workers.engine.spec import ASPECT_SIZES

#: Option names of the REST API and the seeds mapped onto the context's fields.
_ALIASES = {
    "style": "caption_style",
    "model": "llm_model",
    "broll": "broll_dir",
    "threshold": "silence_threshold_db",
    "cut_silences": "remove_silence",
    "padding": "silence_padding",
    "correct_transcript": "correct",
}


@dataclass
class CaptionContext:
    """Per-run knobs of the caption graph (LangGraph Studio can save them as presets)."""

    caption_style: str = "karaoke"
    """Caption preset: karaoke, pop or clean."""
    aspect: str = "source"
    """source (keep the input's shape), 9:16, 16:9 or 1:1 (reframed following faces)."""
    width: int | None = None
    """Explicit output width (with height; overrides aspect)."""
    height: int | None = None
    """Explicit output height."""
    fps: int = 30
    """Output frames per second."""
    quality: str = "standard"
    """draft, standard or high."""
    remove_silence: bool = False
    """Cut pauses longer than min_silence."""
    silence_threshold_db: float = -35.0
    """Level (dBFS) under which audio counts as silence."""
    min_silence: float = 0.5
    """Shortest pause (s) that is cut."""
    silence_padding: float = 0.15
    """Seconds of each pause kept next to speech."""
    zoom: bool = False
    """Slow periodic zoom with a push toward the face."""
    broll_dir: str | None = None
    """Folder of b-roll clips/images matched to spoken words by file name."""
    logo: str | None = None
    """Image shown in the top-right corner for the whole video."""
    asr_model: str = "tiny.en"
    """faster-whisper model: tiny.en (bundled), base, or a CTranslate2 directory."""
    language: str | None = None
    """Spoken language code; None = detect."""
    correct: bool = False
    """Ask the configured LLM to fix recognition errors (word timings kept)."""
    llm_model: str | None = None
    """Chat model for correction (defaults to settings.llm_model)."""

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> CaptionContext:
        opts = {_ALIASES.get(k, k): v for k, v in options.items()}
        known = {f.name for f in fields(cls)}
        ctx = cls(**{k: v for k, v in opts.items() if k in known and v is not None})
        ctx.check()
        return ctx

    def check(self) -> None:
        """Raise InvalidInput / MissingAsset with an actionable sentence for a bad knob."""
        from reelgraph.workers.engine.captions import PRESETS

        s = get_settings()
        if self.caption_style not in PRESETS:
            raise InvalidInput(
                f"Caption style '{self.caption_style}' is unknown; use one of {', '.join(PRESETS)}."
            )
        if self.aspect != "source" and self.aspect not in ASPECT_SIZES:
            raise InvalidInput(f"Unknown aspect '{self.aspect}'; use 9:16, 16:9, 1:1 or source.")
        if (self.width is None) != (self.height is None):
            raise InvalidInput("Give both width and height, or neither.")
        if (
            self.width
            and self.height
            and not (
                16 <= self.width <= s.max_width
                and 16 <= self.height <= s.max_height
                and self.width % 2 == 0
                and self.height % 2 == 0
            )
        ):
            raise InvalidInput(
                f"Resolution {self.width}x{self.height} is not valid; use even "
                f"sizes within 16..{s.max_width} x 16..{s.max_height}."
            )
        if not 1 <= int(self.fps) <= s.max_fps:
            raise InvalidInput(f"fps {self.fps} is out of range; use 1..{s.max_fps}.")
        if self.quality not in ("draft", "standard", "high"):
            raise InvalidInput(f"Unknown quality '{self.quality}'; use draft, standard or high.")
        if not -90.0 <= self.silence_threshold_db <= -5.0 or not 0.1 <= self.min_silence <= 30:
            raise InvalidInput(
                "Silence settings are out of range; use a threshold of -90..-5 dB "
                "and a minimum silence of 0.1..30 s."
            )
        if not 0.0 <= self.silence_padding <= self.min_silence / 2:
            raise InvalidInput("Silence padding must be between 0 and half the minimum silence.")
        if self.broll_dir and not Path(self.broll_dir).is_dir():
            raise MissingAsset(f"The b-roll folder '{self.broll_dir}' does not exist.")
        if self.logo:
            if not Path(self.logo).is_file():
                raise MissingAsset(f"The logo file '{self.logo}' does not exist; check the path.")
            from reelgraph.nodes.edit import check_image

            check_image(self.logo)


class CaptionState(MediaState):
    """Everything the caption nodes exchange (references and small JSON only)."""

    edits: NotRequired[dict[str, Any]]
    """Planned edits: size, cuts, focus track, motion, overlays."""
    captions: NotRequired[dict[str, str]]
    """Paths of captions.ass/.srt/.vtt and the style."""
    caption_words: NotRequired[list[dict[str, Any]]]
    """Caption words on the output (cut) timeline."""
    spec: NotRequired[dict[str, Any]]
    """The RenderSpec as JSON."""
    video: NotRequired[dict[str, Any]]
    """The render job's result: path, encoder, cache_hit, key."""
    report: NotRequired[dict[str, Any]]
    """The report.json content."""


class CaptionOutput(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    artifacts: dict[str, str]
    report: dict[str, Any]
    warnings: list[str]


def route_after_transcript(state: dict[str, Any], runtime: Runtime[Any]) -> str:
    """correct_transcript when asked for and there are words; else straight to plan_edits."""
    wanted = bool(getattr(runtime.context, "correct", False)) if runtime is not None else False
    has_words = bool((state.get("transcript") or {}).get("words"))
    return correct_transcript.__name__ if wanted and has_words else plan_edits.__name__


def build_caption_graph() -> StateGraph[Any, Any, Any, Any]:
    """The uncompiled caption builder."""
    builder = StateGraph(
        CaptionState,
        context_schema=CaptionContext,
        input_schema=MediaInput,
        output_schema=CaptionOutput,
    )
    head = [ingest_media, probe_media, extract_audio, transcribe_audio]
    tail = [plan_edits, build_edit_captions, compose_edit_spec, render, deliver_edit]
    for fn in [*head, correct_transcript, *tail]:
        builder.add_node(fn)
    builder.add_edge(START, head[0].__name__)
    for a, b in itertools.pairwise(head):
        builder.add_edge(a.__name__, b.__name__)
    builder.add_conditional_edges(
        transcribe_audio.__name__,
        route_after_transcript,
        [correct_transcript.__name__, plan_edits.__name__],
    )
    builder.add_edge(correct_transcript.__name__, plan_edits.__name__)
    for a, b in itertools.pairwise(tail):
        builder.add_edge(a.__name__, b.__name__)
    builder.add_edge(tail[-1].__name__, END)
    return builder


#: Compiled without a custom checkpointer, for langgraph.json / LangGraph Studio.
graph = build_caption_graph().compile()


def run_caption(
    input: dict[str, Any],
    options: dict[str, Any],
    *,
    out_dir: Path,
    on_event: EventFn | None = None,
    checkpointer: Any = None,
    job_id: str | None = None,
) -> dict[str, Any]:
    """Caption/edit one video; returns {artifacts, report, warnings}."""
    t0 = time.monotonic()
    ctx = CaptionContext.from_options(options)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = {
        "source": source_of(input),
        "out_dir": str(out_dir),
        "need_video": True,
        "need_audio": True,
    }
    values = stream_graph(
        build_caption_graph(), inputs, ctx, on_event, checkpointer=checkpointer, thread_id=job_id
    )
    artifacts = values.get("artifacts") or {}
    report = dict(values.get("report") or {})
    report["wall_seconds"] = round(time.monotonic() - t0, 3)
    if artifacts.get("report.json"):
        path = Path(artifacts["report.json"])
        tmp = path.with_name(path.name + ".partial")
        tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False))
        os.replace(tmp, path)
    return {"artifacts": artifacts, "report": report, "warnings": values.get("warnings", [])}
