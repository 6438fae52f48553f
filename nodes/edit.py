"""Caption graph nodes of its own: correct_transcript and plan_edits.

Every edit (cuts, reframe, zoom, overlays) lands in the one RenderSpec that the shared
build_captions / compose_spec / render / deliver nodes make and render in a single FFmpeg pass;
the heavy analysis steps are cached workers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.runtime import Runtime

from reelgraph.errors import MediaTooLarge, UnsupportedMedia
from reelgraph.nodes.stage import stage
from reelgraph.settings import get_settings
from reelgraph.workers.engine.spec import ASPECT_SIZES
from reelgraph.workers.jobs.dispatch import dispatch

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import CaptionContext
    from reelgraph.graph.state import CaptionState


logger = logging.getLogger(__name__)

MAX_SOURCE_SIDE = 1920
ZOOM_TO = 1.1
PERIODIC_ZOOM = 0.06
ZOOM_PERIOD_S = 6.0
LOGO_WIDTH = 0.18


def output_size(
    aspect: str, width: int | None, height: int | None, info: dict[str, Any]
) -> tuple[int, int]:
    """Explicit size, else the aspect's standard size, else the source's (long side <= 1920)."""
    if width and height:
        return int(width), int(height)
    if aspect in ASPECT_SIZES:
        return ASPECT_SIZES[aspect]
    sw, sh = int(info.get("width") or 0), int(info.get("height") or 0)
    if info.get("rotation") in (90, 270):
        sw, sh = sh, sw
    if sw <= 0 or sh <= 0:
        return ASPECT_SIZES["9:16"]
    scale = min(1.0, MAX_SOURCE_SIDE / max(sw, sh))
    return max(16, round(sw * scale / 2) * 2), max(16, round(sh * scale / 2) * 2)


def _source_aspect(info: dict[str, Any]) -> float:
    w, h = float(info.get("width") or 1), float(info.get("height") or 1)
    return h / w if info.get("rotation") in (90, 270) else w / h


@stage
def correct_transcript(state: CaptionState, runtime: Runtime[CaptionContext]) -> dict[str, Any]:
    """Optional LLM correction of word texts; timings kept, cached by model + prompt hash."""
    from reelgraph.nodes import models
    from reelgraph.prompts import load
    from reelgraph.workers.engine.correct import correct_words

    model = models.get_chat_model(runtime.context.llm_model)
    if model is None:
        return {"warnings": ["Transcript correction skipped: no LLM endpoint is configured."]}
    prompt = load("correct_transcript", "v1")
    words = state["transcript"].get("words", [])
    res = correct_words(words, model, prompt.text)
    update: dict[str, Any] = {"cache": {"correct": "hit" if res["cache_hit"] else "miss"}}
    if res["applied"]:
        update["transcript"] = {**state["transcript"], "words": res["words"], "corrected": True}
    else:
        update["warnings"] = [f"Transcript correction not applied: {res['reason']}."]
    return update


def _silence_cuts(
    state: Mapping[str, Any], runtime: Runtime[CaptionContext], fps: int
) -> tuple[list[tuple[float, float]], dict[str, str], list[str]]:
    from reelgraph.workers.engine.compile_video import kept_ranges, quantize_cuts
    from reelgraph.workers.engine.silence import silence_map

    if not runtime.context.remove_silence or not state.get("audio_wav"):
        return [], {}, []
    res = dispatch(
        silence_map,
        queue="cpu",
        wav=state["audio_wav"],
        threshold_db=runtime.context.silence_threshold_db,
        min_silence=runtime.context.min_silence,
        padding=runtime.context.silence_padding,
    )
    cache = {"silence": "hit" if res["cache_hit"] else "miss"}
    cuts = quantize_cuts([(c["start"], c["end"]) for c in res["cuts"]], fps)
    kept = sum(b - a for a, b in kept_ranges(cuts, state["info"]["duration"]))
    if kept < 0.5:
        return [], cache, ["The input is almost all silence; silence removal was skipped."]
    return cuts, cache, []


def _faces(state: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    from reelgraph.workers.engine.vision import face_map

    res = dispatch(face_map, queue="cpu", video=state["media"]["path"])
    return res["samples"], {"faces": "hit" if res["cache_hit"] else "miss"}


def _face_regions(
    samples: list[dict[str, Any]],
    info: Mapping[str, Any],
    out: tuple[int, int],
    track: list[tuple[float, float, float]] | None,
    cuts: list[tuple[float, float]],
) -> list[dict[str, float]]:
    """The faces on the output frame and timeline: the regions captions keep clear of."""
    from reelgraph.workers.engine.caption_layout import face_regions

    sw, sh = int(info.get("width") or 0), int(info.get("height") or 0)
    if info.get("rotation") in (90, 270, -90):
        sw, sh = sh, sw
    if sw <= 0 or sh <= 0:
        return []
    return face_regions(samples, source=(sw, sh), out=out, track=track, cuts=cuts)


def _overlays(
    state: Mapping[str, Any], runtime: Runtime[CaptionContext], cuts: list[Any], out_dur: float
) -> tuple[list[dict[str, Any]], list[str]]:
    from reelgraph.workers.engine.broll import match_broll
    from reelgraph.workers.engine.compile_video import remap_words

    overlays: list[dict[str, Any]] = []
    warnings: list[str] = []
    broll_dir = runtime.context.broll_dir
    if broll_dir:
        words = remap_words(state["transcript"].get("words", []), cuts)
        for ov in match_broll(words, broll_dir):
            ov["end"] = min(ov["end"], out_dur)
            if ov["end"] - ov["start"] < 0.2 or not _decodes(ov["path"]):
                warnings.append(f"B-roll {Path(ov['path']).name} was skipped (unreadable).")
                continue
            overlays.append(ov)
        if not overlays:
            warnings.append("No b-roll file name matched a spoken word.")
    logo = runtime.context.logo
    if logo:
        check_image(logo)
        overlays.append(
            {
                "kind": "image",
                "path": str(Path(logo).resolve()),
                "start": 0.0,
                "end": out_dur,
                "x": 0.88,
                "y": 0.06,
                "width": LOGO_WIDTH,
            }
        )
    return overlays, warnings


def _decodes(path: str) -> bool:
    from reelgraph.workers.engine.probe import probe

    try:
        return probe(path).has_video
    except Exception as exc:  # any ReelgraphError: the clip is skipped with a warning
        logger.warning("b-roll %s unusable: %s", path, exc)
        return False


def check_image(path: str) -> None:
    """Refuse a logo that is not an image, or one whose pixel count is absurd (bomb)."""
    from PIL import Image, UnidentifiedImageError

    limit = get_settings().max_image_pixels
    try:
        with Image.open(path) as im:
            w, h = im.size
    except (UnidentifiedImageError, OSError) as exc:
        raise UnsupportedMedia(f"The logo '{Path(path).name}' is not a readable image.") from exc
    except Image.DecompressionBombError as exc:
        raise MediaTooLarge(f"The logo '{Path(path).name}' is far too large in pixels.") from exc
    if w * h > limit:
        raise MediaTooLarge(
            f"The logo '{Path(path).name}' is {w}x{h}; use one under "
            f"{limit // 1_000_000} megapixels."
        )


def source_enhancement(
    state: Mapping[str, Any], mode: str, width: int, height: int
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The source video's frame enhancement (its noise measured only when it may be used)."""
    from reelgraph.workers.engine.enhance import (
        measure_noise,
        plan_enhance,
        upscale_factor,
        wants_measure,
    )

    info = state["info"]
    sw, sh = int(info.get("width") or 0), int(info.get("height") or 0)
    if info.get("rotation") in (90, 270):
        sw, sh = sh, sw
    factor = upscale_factor(sw, sh, width, height)
    if not wants_measure(mode, factor):
        return None, {}
    res = dispatch(measure_noise, queue="cpu", path=state["media"]["path"], kind="video")
    enhance = plan_enhance(mode, factor, res["noise"])
    cache = {"noise": "hit" if res["cache_hit"] else "miss"}
    return (enhance.model_dump() if enhance else None), cache


@stage
def plan_edits(state: CaptionState, runtime: Runtime[CaptionContext]) -> dict[str, Any]:
    """Silence, filler and retake cuts, face-following reframe, zoom, b-roll, logo and frame
    enhancement, as a plan for the spec."""
    from reelgraph.nodes.disfluency import remove_disfluencies
    from reelgraph.workers.engine.compile_video import kept_ranges, quantize_cuts
    from reelgraph.workers.engine.vision import focus_track

    ctx, info = runtime.context, state["info"]
    w, h = output_size(ctx.aspect, ctx.width, ctx.height, info)
    fps = ctx.fps
    cuts, cache, warnings = _silence_cuts(state, runtime, fps)
    dis = remove_disfluencies(state, ctx)
    cache.update(dis["cache"])
    warnings += dis["warnings"]
    if dis["cuts"]:
        both = quantize_cuts([*cuts, *dis["cuts"]], fps)
        if sum(b - a for a, b in kept_ranges(both, info["duration"])) < 0.5:
            warnings.append("Removing fillers and retakes would leave almost nothing; skipped.")
            dis.update(removed=[], counts={}, transcript=None)
        else:
            cuts = both
    transcript = dis["transcript"] or state["transcript"]
    reframe = abs(_source_aspect(info) - w / h) / (w / h) > 0.02
    zoom = ctx.zoom
    track = None
    samples, face_cache = _faces(state)  # cached; captions keep clear of faces too
    cache.update(face_cache)
    faces_found = sum(1 for s in samples if s["faces"])
    if faces_found and (reframe or zoom):
        track = focus_track(samples, info["duration"])
    motion = None
    if zoom:
        fx = sum(p[1] for p in track) / len(track) if track else 0.5
        fy = sum(p[2] for p in track) / len(track) if track else 0.45
        motion = {
            "zoom_from": 1.0,
            "zoom_to": ZOOM_TO,
            "periodic_zoom": PERIODIC_ZOOM,
            "period_s": ZOOM_PERIOD_S,
            "x_from": round(fx, 4),
            "x_to": round(fx, 4),
            "y_from": round(fy, 4),
            "y_to": round(fy, 4),
        }
    out_dur = sum(b - a for a, b in kept_ranges(cuts, info["duration"]))
    overlays, ov_warnings = _overlays({**state, "transcript": transcript}, runtime, cuts, out_dur)
    enhance, noise_cache = source_enhancement(state, ctx.enhance, w, h)
    cache.update(noise_cache)
    edits = {
        "width": w,
        "height": h,
        "fps": fps,
        "cuts": [{"start": round(a, 4), "end": round(b, 4)} for a, b in cuts],
        "removed_s": round(info["duration"] - out_dur, 3),
        "reframe": reframe,
        "faces_found": faces_found,
        "focus_track": [list(p) for p in track] if (track and (reframe or zoom)) else None,
        "motion": motion,
        "overlays": overlays,
        "face_regions": _face_regions(samples, info, (w, h), track if reframe else None, cuts),
        "removed_words": dis["removed"],
        "disfluencies": dis["counts"],
        "enhance": enhance,
    }
    update = {"edits": edits, "cache": cache, "warnings": warnings + ov_warnings}
    if dis["transcript"]:
        update["transcript"] = transcript
    return update
