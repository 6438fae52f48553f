"""What each stage of a run will cost: the units of work the state names, per flow.

Each stage maps to a cost kind of ``workers.engine.costs`` and a function that reads its units
of work from the state and the run's options: characters to narrate, seconds of audio to
transcribe, seconds of output (scaled to 1080x1920 at 30 fps) to render, one run for a stage
without a natural measure. A unit that is not known yet (the source's length before the probe)
is ``None``, and an estimate that needs it waits. As stages finish the state knows more (the
plan's text, the narration's length, the spec), so the same functions give better numbers;
``graph.eta`` turns them into the time left.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reelgraph.nodes.edit import output_size
from reelgraph.workers.engine.costs import render_units

State = Mapping[str, Any]
Units = Callable[[State, Any], float | None]

#: Characters of narration per second of speech at speed 1 (piper's joe voice reads about 15).
CHARS_PER_SECOND = 14.0


def one(_state: State, _ctx: Any) -> float:
    return 1.0


def _message_text(message: Any) -> str:
    content = (
        message.get("content") if isinstance(message, dict) else getattr(message, "content", "")
    )
    return content if isinstance(content, str) else ""


def narration_chars(state: State, _ctx: Any = None) -> float | None:
    """Characters the create flow narrates: the plan's, else the script or prompt given."""
    plan = state.get("plan")
    if plan:
        return float(sum(len(s.get("narration", "")) for s in plan.get("scenes", [])))
    for key in ("transcript", "prompt"):
        text = state.get(key)
        if isinstance(text, str) and text.strip():
            return float(len(text.strip()))
    messages = state.get("messages") or []
    text = _message_text(messages[-1]) if messages else ""
    return float(len(text)) if text.strip() else None


def _spec_units(state: State) -> float | None:
    spec = state.get("spec")
    if not spec:
        return None
    out = spec.get("output") or {}
    size = (int(out.get("width", 1080)), int(out.get("height", 1920)))
    return render_units(float(spec["duration"]), *size, float(out.get("fps", 30)))


def speech_seconds(state: State, ctx: Any) -> float | None:
    """The create flow's video length: the narration's, else the target, else from the text."""
    narration = state.get("narration")
    if narration and narration.get("duration"):
        return float(narration["duration"])
    if getattr(ctx, "duration", None):
        return float(ctx.duration)
    if state.get("audio"):  # the user's own narration: its length is known once narrated
        return None
    chars = narration_chars(state)
    speed = float(getattr(ctx, "speed", 1.0) or 1.0)
    return None if chars is None else chars / CHARS_PER_SECOND / speed


def create_render(state: State, ctx: Any) -> float | None:
    found = _spec_units(state)
    if found is not None:
        return found
    seconds = speech_seconds(state, ctx)
    if seconds is None:
        return None
    w, h = output_size(ctx.aspect, ctx.width, ctx.height, {})
    return render_units(seconds, w, h, ctx.fps)


def source_seconds(state: State, _ctx: Any = None) -> float | None:
    """The input media's length, once probed."""
    info = state.get("info")
    return float(info["duration"]) if info and info.get("duration") is not None else None


def caption_render(state: State, ctx: Any) -> float | None:
    found = _spec_units(state)
    if found is not None:
        return found
    seconds, info = source_seconds(state), state.get("info") or {}
    if seconds is None:
        return None
    w, h = output_size(getattr(ctx, "aspect", "source"), ctx.width, ctx.height, info)
    return render_units(seconds, w, h, ctx.fps)


def clips_render(state: State, ctx: Any) -> float | None:
    """The clips' total length (the moments once found, else the count at a middle length)."""
    seconds = source_seconds(state)
    if seconds is None:
        return None
    moments = state.get("moments")
    if moments is not None:
        total = sum(float(m["end"]) - float(m["start"]) for m in moments)
    else:
        total = min(seconds, ctx.count * (ctx.min_seconds + ctx.max_seconds) / 2)
    w, h = output_size("9:16", ctx.width, ctx.height, state.get("info") or {})
    return render_units(total, w, h, ctx.fps)


@dataclass(frozen=True)
class StageCost:
    """One stage: its cost kind, its units, the state's cache entry that says it was a hit,
    and whether the run's options make it run at all."""

    name: str
    kind: str
    units: Units = one
    cache: str | None = None
    when: Callable[[Any], bool] = lambda _ctx: True


def _translating(ctx: Any) -> bool:
    return bool(getattr(ctx, "translate", None))


RENDER = StageCost("render", "render", create_render, "render")
TRANSLATE = StageCost("translate_captions", "translate_captions", when=_translating)
DELIVER = StageCost("deliver", "deliver")
INGEST = [StageCost("ingest_media", "ingest_media"), StageCost("probe_media", "probe_media")]
AUDIO = [
    StageCost("extract_audio", "extract_audio", source_seconds, "extract_audio"),
    StageCost("transcribe_audio", "transcribe", source_seconds, "transcribe"),
]
#: The stages each flow may run, in order (see the graph builders).
FLOW_STAGES: dict[str, list[StageCost]] = {
    "create": [
        StageCost("plan_script", "plan_script"),
        StageCost("narrate_scenes", "narrate", narration_chars, "narration"),
        StageCost("score_music", "score_music"),
        StageCost("build_captions", "build_captions"),
        StageCost("compose_spec", "compose_spec"),
        RENDER,
        TRANSLATE,
        DELIVER,
    ],
    "caption": [
        *INGEST,
        *AUDIO,
        StageCost("correct_transcript", "correct_transcript", when=lambda c: bool(c.correct)),
        StageCost("plan_edits", "plan_edits", source_seconds),
        StageCost("build_captions", "build_captions"),
        StageCost("compose_spec", "compose_spec"),
        StageCost("render", "render", caption_render, "render"),
        TRANSLATE,
        DELIVER,
    ],
    "analyze": [
        *INGEST,
        *AUDIO,
        StageCost("read_screen_text", "ocr", source_seconds, "ocr"),
        StageCost("assemble_analysis", "assemble_analysis"),
    ],
    "clips": [
        *INGEST,
        StageCost("check_clip_source", "check_clip_source"),
        *AUDIO,
        StageCost("find_moments", "find_moments", source_seconds),
        StageCost("plan_reframe", "plan_edits", source_seconds),
        StageCost("render_clips", "render", clips_render, "render"),
        DELIVER,
    ],
}

_PARTIAL_HITS = re.compile(r"^(\d+)/\d+")


def was_cache_hit(value: Any) -> bool:
    """Whether a stage's ``cache`` entry says (some of) its work came from the cache."""
    text = str(value or "").lower()
    m = _PARTIAL_HITS.match(text)
    if m:
        return int(m.group(1)) > 0
    return text in ("hit", "user-audio")


def stages_for(kind: str, ctx: Any) -> list[StageCost]:
    """The stages a run of ``kind`` with these options goes through."""
    return [s for s in FLOW_STAGES.get(kind, []) if s.when(ctx)]
