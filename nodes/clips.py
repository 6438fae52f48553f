"""Clips graph nodes: the best self-contained moments of a long video as captioned 9:16 shorts.

ingest_media -> probe_media -> check_clip_source -> extract_audio -> transcribe_audio (the caption
flow's cached analysis of the whole input) -> find_moments -> plan_reframe -> render_clips ->
deliver (``nodes.clip_delivery.CLIPS_DELIVERY``: transcript.json, clips.json, report.json).

find_moments cuts the transcript into sentences and scores every run of whole sentences that
lasts min_seconds..max_seconds: with the configured chat model (``clip_scorer``) or, without one,
with the heuristic of ``moments``; the best that share no sentence become the clips.
plan_reframe follows the faces of the whole input once; render_clips renders each clip as one
caption-flow RenderSpec restricted to its source range (captions re-timed), one render each.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.runtime import Runtime

from reelgraph.errors import InvalidInput, UnsupportedMedia
from reelgraph.files import write_text_atomic
from reelgraph.nodes import moments as mo
from reelgraph.nodes.edit import output_size, source_enhancement
from reelgraph.nodes.stage import stage
from reelgraph.settings import get_settings
from reelgraph.workers.engine import progress
from reelgraph.workers.jobs.dispatch import dispatch

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import ClipsContext
    from reelgraph.graph.state import ClipsState

logger = logging.getLogger(__name__)

#: Candidates the chat model scores (at least; three per clip asked for when more).
SHORTLIST = 24
#: Seconds of the focus track kept around a clip.
TRACK_MARGIN_S = 2.0
State = dict[str, Any]


@stage
def check_clip_source(state: ClipsState, runtime: Runtime[ClipsContext]) -> dict[str, Any]:
    """Refuse an input without picture or sound, or shorter than the shortest clip, before
    any audio is decoded."""
    info, name = state["info"], state["media"]["name"]
    if not info["has_video"]:
        raise UnsupportedMedia(f"{name} has no video stream; clips are cut from a video file.")
    if not info["has_audio"]:
        raise UnsupportedMedia(
            f"{name} has no audio track, so there is no speech to cut clips from."
        )
    duration, shortest = float(info["duration"]), runtime.context.min_seconds
    if duration < shortest:
        raise InvalidInput(
            f"{name} lasts {duration:.1f} s, shorter than the shortest clip ({shortest:g} s); "
            "give a longer video or lower min_seconds (--min-seconds)."
        )
    return {}


def _moment(sents: list[mo.Sentence], w: mo.Window, by: str, **fields: Any) -> dict[str, Any]:
    base = {
        "start": w.start,
        "end": w.end,
        "duration": round(w.end - w.start, 3),
        "score": w.score,
        "title": mo.title_of(sents, w),
        "hook": sents[w.first].text,
        "reason": mo.reason_of(w),
        "scored_by": by,
        "scores": {k: round(v, 3) for k, v in w.features.items()},
        "sentences": [w.first, w.last],
        "text": mo.text_of(sents, w),
    }
    return {**base, **fields}


def _no_window(name: str, sents: list[mo.Sentence], ctx: ClipsContext) -> InvalidInput:
    speech = sents[-1].end - sents[0].start
    return InvalidInput(
        f"No run of whole sentences in {name} lasts {ctx.min_seconds:g} to {ctx.max_seconds:g} s "
        f"(its speech lasts {speech:.0f} s in {len(sents)} sentences); widen the range with "
        "min_seconds and max_seconds (--min-seconds, --max-seconds)."
    )


def _by_llm(
    model: Any, sents: list[mo.Sentence], ranked: list[mo.Window], ctx: ClipsContext
) -> tuple[list[dict[str, Any]] | None, list[str], dict[str, str]]:
    """The clips the chat model scores best (None when its answer stayed invalid)."""
    from reelgraph.nodes.clip_scorer import score_with_llm

    short = mo.shortlist(ranked, max(SHORTLIST, 3 * ctx.count))
    cands = [
        {"id": k, "start": w.start, "end": w.end, "text": mo.text_of(sents, w)}
        for k, w in enumerate(short, 1)
    ]
    scores, warnings, hit = score_with_llm(
        model,
        cands,
        count=ctx.count,
        min_seconds=ctx.min_seconds,
        max_seconds=ctx.max_seconds,
        retries=get_settings().llm_max_retries,
    )
    cache = {"clip_scores": "hit" if hit else "miss"}
    if scores is None:
        return None, warnings, cache
    judged = [(w, scores[k]) for k, w in enumerate(short, 1) if k in scores]
    rescored = sorted(
        (mo.Window(w.first, w.last, w.start, w.end, s.score, w.features) for w, s in judged),
        key=lambda w: (-w.score, w.start),
    )
    by_window = {(w.first, w.last): s for w, s in judged}
    chosen = mo.pick(rescored, ctx.count)
    out = []
    for w in chosen:
        s = by_window[(w.first, w.last)]
        scores_ = {"hook": s.hook, "completeness": s.completeness, "value": s.value}
        extra = {"title": s.title, "hook": s.opening, "reason": s.reason, "scores": scores_}
        out.append(_moment(sents, w, "llm", **extra))
    for w in mo.pick([w for w in ranked if not any(w.overlaps(c) for c in chosen)], ctx.count):
        if len(out) >= ctx.count:
            break
        out.append(_moment(sents, w, "heuristic"))  # the model rated too few that fit
    return out, warnings, cache


@stage
def find_moments(state: ClipsState, runtime: Runtime[ClipsContext]) -> dict[str, Any]:
    """The best non-overlapping runs of whole sentences, scored by the chat model or heuristic."""
    from reelgraph.nodes import models

    ctx, name = runtime.context, state["media"]["name"]
    words = (state.get("transcript") or {}).get("words") or []
    if not words:
        raise InvalidInput(
            f"No speech was recognised in {name}, so it has no sentences to cut clips from; "
            "give a video in which someone speaks."
        )
    sents = mo.sentences(words, float(state["info"]["duration"]))
    cands = mo.windows(sents, ctx.min_seconds, ctx.max_seconds, ctx.fps)
    if not cands:
        raise _no_window(name, sents, ctx)
    ranked = mo.rank(sents, cands, (ctx.min_seconds, ctx.max_seconds))
    model = models.get_chat_model(ctx.llm_model)
    chosen: list[dict[str, Any]] | None = None
    warnings: list[str] = []
    cache: dict[str, str] = {}
    if model is not None:
        chosen, warnings, cache = _by_llm(model, sents, ranked, ctx)
    method = "llm" if chosen is not None else "heuristic"
    if chosen is None:
        chosen = [_moment(sents, w, "heuristic") for w in mo.pick(ranked, ctx.count)]
    if len(chosen) < ctx.count:
        warnings.append(
            f"Only {len(chosen)} clip(s) of {ctx.min_seconds:g} to {ctx.max_seconds:g} s fit "
            f"without overlapping; {ctx.count} were asked for."
        )
    scoring = {
        "method": method,
        "model": getattr(model, "model_name", None) if method == "llm" else None,
        "sentences": len(sents),
        "candidates": len(cands),
    }
    return {"moments": chosen, "scoring": scoring, "warnings": warnings, "cache": cache}


@stage
def plan_reframe(state: ClipsState, runtime: Runtime[ClipsContext]) -> dict[str, Any]:
    """The clips' size and the face-following focus track of the whole input (cached faces)."""
    from reelgraph.workers.engine.vision import face_map, focus_track

    ctx, info = runtime.context, state["info"]
    w, h = ctx.size()
    sw, sh = output_size("source", None, None, info)
    reframe = abs(sw / sh - w / h) / (w / h) > 0.02
    track, faces_found, cache = None, 0, {}
    if reframe:
        res = dispatch(face_map, queue="cpu", video=state["media"]["path"])
        cache["faces"] = "hit" if res["cache_hit"] else "miss"
        faces_found = sum(1 for s in res["samples"] if s["faces"])
        if faces_found:
            track = [list(p) for p in focus_track(res["samples"], float(info["duration"]))]
    enhance, noise_cache = source_enhancement(state, ctx.enhance, w, h)
    cache.update(noise_cache)
    edits = {
        "width": w,
        "height": h,
        "fps": ctx.fps,
        "cuts": [],
        "motion": None,
        "overlays": [],
        "reframe": reframe,
        "faces_found": faces_found,
        "focus_track": track,
        "enhance": enhance,
    }
    return {"edits": edits, "cache": cache}


def _track_near(track: list[list[float]] | None, span: dict[str, float]) -> Any:
    if not track:
        return None
    lo, hi = span["start"] - TRACK_MARGIN_S, span["end"] + TRACK_MARGIN_S
    return [p for p in track if lo <= p[0] <= hi] or None


def _writer() -> Callable[[Any], None]:
    try:
        from langgraph.config import get_stream_writer

        return get_stream_writer()
    except Exception:  # outside a graph run (a node called directly)
        return lambda _event: None


def _render_one(
    state: State, ctx: ClipsContext, look: dict[str, Any], moment: dict[str, Any], name: str
) -> Any:
    """The clip's spec, rendered to ``<name>.mp4`` (one render), and its captions' srt text."""
    from reelgraph.nodes.captions import transcript_words
    from reelgraph.nodes.compose import clip_spec
    from reelgraph.workers.engine.caption_files import spec_caption_texts
    from reelgraph.workers.engine.render import render_spec

    span = {"start": moment["start"], "end": moment["end"]}
    edits = {**state["edits"], "span": span}
    edits["focus_track"] = _track_near(edits["focus_track"], span)
    clip_state = {
        "edits": edits,
        "info": state["info"],
        "media": state["media"],
        "captions": look,
        "caption_words": transcript_words(state["transcript"], [], span),
    }
    spec = clip_spec(clip_state, ctx)
    out = Path(state["out_dir"]) / f"{name}.mp4"
    result = dispatch(render_spec, queue="gpu", spec=spec, out_path=str(out))
    return spec, result, spec_caption_texts(spec, ("srt",)).get("srt")


@stage
def render_clips(state: ClipsState, runtime: Runtime[ClipsContext]) -> dict[str, Any]:
    """Each moment as one render of the caption flow's spec over its range, plus its .srt."""
    from reelgraph.nodes.captions import caption_look

    write, cancel = _writer(), progress.current_cancel()
    look = caption_look(runtime.context)
    out_dir = Path(state["out_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    moments, clips, artifacts, hits = state["moments"], [], {}, []
    n = len(moments)
    for k, moment in enumerate(moments, 1):
        name = f"clip-{k:02d}"
        event = {"stage": "render_clips", "clip": k, "clips": n}

        def report(frac: float, k: int = k, event: dict[str, Any] = event) -> None:
            overall = round((k - 1 + frac) / n, 4)
            write({**event, "type": "progress", "progress": overall, "clip_progress": frac})

        write({**event, "type": "clip", "progress": round((k - 1) / n, 4), "clip_progress": 0.0})
        with progress.hooks(report, cancel):
            spec, result, srt = _render_one(dict(state), runtime.context, look, moment, name)
        files = {f"{name}.mp4": result["path"]}
        if srt:
            files[f"{name}.srt"] = write_text_atomic(out_dir / f"{name}.srt", srt)
        artifacts.update(files)
        hits.append(bool(result["cache_hit"]))
        clips.append(
            {
                **moment,
                "file": f"{name}.mp4",
                "captions": f"{name}.srt" if srt else None,
                "duration": spec["duration"],
                "encoder": result.get("encoder"),
                "render_key": result.get("key"),
            }
        )
        write({**event, "type": "clip_done", "progress": round(k / n, 4), "file": f"{name}.mp4"})
    render = "hit" if hits and all(hits) else "miss"
    return {"clips": clips, "look": look, "artifacts": artifacts, "cache": {"render": render}}
