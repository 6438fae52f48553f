"""compose_spec (create and caption flows): the one RenderSpec of the video.

create: one picture per scene (user images, else pick_visuals' picks: stills with Ken Burns
motion, video clips fitted to their scene, or cards with their figures) crossfaded, each image
enhanced when small or noisy (``enhance``), the narration and music bed. caption: the
source video with its cuts, reframe, zoom, overlays and enhancement, and its own audio (clips:
the same, for a range of the source). Both: the caption words and look that build_captions
chose.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from langgraph.runtime import Runtime

from reelgraph.nodes.edit import output_size
from reelgraph.nodes.scene_edits import scene_pictures
from reelgraph.nodes.scene_visuals import figure_overlays, scene_sources
from reelgraph.nodes.stage import stage
from reelgraph.workers.engine.spec import (
    Audio,
    Captions,
    Enhance,
    Motion,
    Music,
    Output,
    RenderSpec,
    Transition,
    Visual,
)

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import Output as OutputOptions

XFADE = 0.5
#: Ken Burns moves cycled over clips: (zoom_from, zoom_to, x_from, x_to, y_from, y_to).
MOVES = [
    (1.0, 1.18, 0.5, 0.5, 0.45, 0.55),
    (1.18, 1.0, 0.35, 0.65, 0.5, 0.5),
    (1.05, 1.2, 0.7, 0.3, 0.5, 0.45),
    (1.2, 1.04, 0.5, 0.5, 0.6, 0.4),
]


def motion_for(index: int) -> Motion:
    zf, zt, xf, xt, yf, yt = MOVES[index % len(MOVES)]
    return Motion(zoom_from=zf, zoom_to=zt, x_from=xf, x_to=xt, y_from=yf, y_to=yt)


def timeline(total: float, scenes: list[dict[str, float]], n_images: int) -> list[float]:
    """Clip lengths on the output timeline: one per scene, or images spread evenly."""
    if n_images > len(scenes):
        return [total / n_images] * n_images
    spans = [s["end"] - s["start"] for s in scenes]
    spans[-1] += max(0.0, total - sum(spans))
    return spans


def whole_frames(seconds: float, fps: int) -> float:
    """``seconds`` rounded up to a whole number of frames: video and audio end together."""
    return round(math.ceil(seconds * fps - 1e-6) / fps, 6)


def clip_durations(spans: list[float], xfade: float) -> tuple[list[float], list[float]]:
    """Each clip is lengthened by the crossfade into the next so the total is unchanged."""
    fades = [
        min(xfade, spans[i] / 2, spans[i + 1] / 2) if i < len(spans) - 1 else 0.0
        for i in range(len(spans))
    ]
    return [spans[i] + fades[i] for i in range(len(spans))], fades


def _still_enhance(kind: str, path: str, mode: str, width: int, height: int) -> Enhance | None:
    """The frame enhancement of one still or scene clip; cards are drawn at the output size and
    never need it."""
    if kind not in ("image", "clip") or mode == "off":
        return None
    from reelgraph.workers.engine.enhance import (
        measure_noise,
        plan_enhance,
        upscale_factor,
        wants_measure,
    )

    factor = upscale_factor(*_picture_size(kind, path), width, height)
    if not wants_measure(mode, factor):
        return None
    noise = measure_noise(path, "video" if kind == "clip" else "image")["noise"]
    return plan_enhance(mode, factor, noise)


def _picture_size(kind: str, path: str) -> tuple[int, int]:
    """(width, height) of a still, or of a clip as it is shown (rotation applied)."""
    if kind == "clip":
        from reelgraph.workers.engine.probe import probe

        info = probe(path)
        turned = info.rotation in (90, 270, -90)
        return (info.height, info.width) if turned else (info.width, info.height)
    from PIL import Image

    with Image.open(path) as img:
        return img.width, img.height


def _captions(state: dict[str, Any]) -> Captions | None:
    """The spec's captions: build_captions' words and look; None when nothing is said."""
    words = state.get("caption_words") or []
    if not words:
        return None
    avoid = (state.get("edits") or {}).get("face_regions") or []  # caption flow: the faces
    return Captions(words=words, avoid=avoid, **state["captions"])


def _stills_spec(state: dict[str, Any], ctx: Any) -> RenderSpec:
    """create: one still per scene (or the images spread evenly), narration and music."""
    width, height = output_size(ctx.aspect, ctx.width, ctx.height, {})
    fps = ctx.fps
    narration = state["narration"]
    total = whole_frames(max(float(narration["duration"]), float(ctx.duration or 0.0)), fps)
    n_images = len(state.get("images") or [])
    spans = timeline(total, narration["scenes"], n_images)
    durations, fades = clip_durations(spans, XFADE)
    sources = scene_sources(state, spans, width, height)
    if len(spans) == len(state["plan"]["scenes"]):  # one clip per scene: a follow-up's pictures
        sources = scene_pictures(state["plan"]["scenes"], sources, max(width, height) * 2)
    stills = {(s["kind"], s["path"]) for s in sources}
    enhance = {p: _still_enhance(k, p, ctx.enhance, width, height) for k, p in stills}
    visuals = [
        Visual(
            kind=src["kind"],
            path=src["path"],
            duration=round(durations[i], 4),
            start=src.get("start", 0.0),
            speed=src.get("speed", 1.0),
            loop=src.get("loop", False),
            motion=motion_for(i) if src["kind"] != "clip" else None,
            transition=Transition(
                kind="crossfade" if fades[i] else "none", duration=round(fades[i], 4)
            ),
            enhance=enhance[src["path"]],
        )
        for i, src in enumerate(sources)
    ]
    mood = (state.get("plan") or {}).get("mood", "calm")
    overlays = figure_overlays(sources, spans, mood, width, height)
    music = state.get("music")
    return RenderSpec(
        duration=total,
        output=Output(width=width, height=height, fps=fps, quality=ctx.quality),
        visuals=visuals,
        overlays=overlays,
        captions=_captions(state),
        audio=Audio(
            narration=narration["audio"],
            music=Music(
                path=music["path"],
                volume_db=getattr(ctx, "music_volume", -12.0),
                loop=False,
                fade_in=0,
                fade_out=0,
            )
            if music
            else None,
        ),
    )


def _video_spec(state: dict[str, Any], ctx: Any) -> RenderSpec:
    """caption: the source video with cuts, reframe, zoom and overlays, and its own audio."""
    from reelgraph.workers.engine.compile_video import output_duration

    edits, info = state["edits"], state["info"]
    span = edits.get("span") or {"start": 0.0, "end": info["duration"]}  # a clip: part of it
    visual = Visual(
        kind="video",
        start=span["start"],
        path=state["media"]["path"],
        duration=span["end"] - span["start"],
        motion=edits["motion"],
        focus_track=edits["focus_track"],
        enhance=edits.get("enhance"),
    )
    spec = RenderSpec(
        duration=visual.duration,
        output=Output(
            width=edits["width"], height=edits["height"], fps=edits["fps"], quality=ctx.quality
        ),
        visuals=[visual],
        overlays=edits["overlays"],
        cuts=edits["cuts"],
        captions=_captions(state),
        audio=Audio(source_audio=bool(info["has_audio"])),
    )
    return spec.model_copy(update={"duration": output_duration(spec, visual)})


def clip_spec(state: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """The caption flow's spec of ``state`` as the render job takes it, restricted to the
    source range ``state["edits"]["span"]`` (``{start, end}``) when there is one."""
    from reelgraph.workers.engine.render import store_relative

    return store_relative(_video_spec(state, ctx).model_dump(mode="json"))


SPEC_OPTIONS = ("aspect", "width", "height", "fps", "quality", "enhance", "duration")


def spec_inputs(state: dict[str, Any], ctx: Any) -> Any:
    """create: everything the stills spec is made of (the caption flow runs once per job)."""
    if "edits" in state or ctx is None:
        return None
    plan = state["plan"]
    keys = ("narration", "music", "captions", "caption_words", "images")
    knobs = [getattr(ctx, f, None) for f in (*SPEC_OPTIONS, "music_volume")]
    return [[state.get(k) for k in keys], plan["scenes"], plan.get("mood"), knobs]


@stage(inputs=spec_inputs, outputs=("spec",))
def compose_spec(state: dict[str, Any], runtime: Runtime[OutputOptions]) -> dict[str, Any]:
    """The RenderSpec as JSON: from the source video (caption flow) or from stills (create)."""
    build = _video_spec if "edits" in state else _stills_spec
    spec = build(state, runtime.context)
    from reelgraph.workers.engine.render import store_relative

    return {"spec": store_relative(spec.model_dump(mode="json"))}
