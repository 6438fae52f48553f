"""narrate_scenes: synthesised speech per scene (in parallel), or the user's own narration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from langgraph.runtime import Runtime

from reelgraph.nodes.stage import stage
from reelgraph.settings import get_settings
from reelgraph.workers.jobs.dispatch import dispatch, dispatch_many

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import Context
    from reelgraph.graph.state import CreateState


#: The pause after a scene, relative to the normal pause, by the scene's pacing.
PACING_PAUSE = {"slow": 2.0, "normal": 1.0, "fast": 0.5}


def narration_inputs(state: Mapping[str, Any], ctx: Any) -> Any:
    """What the narration depends on: each scene's words and pacing, the voice and the length."""
    scenes = [(s["narration"], s.get("pacing")) for s in state["plan"]["scenes"]]
    knobs = (ctx.voice, ctx.speed, ctx.language, ctx.duration) if ctx is not None else None
    return {"scenes": scenes, "knobs": knobs, "audio": state.get("audio")}


@stage(inputs=narration_inputs, outputs=("narration",))
def narrate_scenes(state: CreateState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    plan = state["plan"]
    audio = state.get("audio")
    if audio:
        narration = _user_narration(audio, plan)
        return {"narration": narration, "cache": {"narration": "user-audio"}}
    from reelgraph.workers.engine.narration import assemble_narration
    from reelgraph.workers.engine.tts import language_voice, synthesize_text

    language = {"language": ctx.language} if ctx.language else {}
    calls = [
        {"text": s["narration"], "voice": ctx.voice, "speed": float(ctx.speed), **language}
        for s in plan["scenes"]
    ]
    clips = dispatch_many(
        synthesize_text, calls, queue="cpu", parallel=get_settings().tts_parallelism
    )
    gaps = scene_gaps(clips, [s["pacing"] for s in plan["scenes"]], ctx.duration)
    gap = gaps[0] if len(set(gaps)) == 1 else gaps  # one number keeps the cache key of old runs
    narration = dispatch(assemble_narration, queue="cpu", clips=clips, gap=gap)
    hits = sum(1 for c in clips if c.get("cache_hit"))
    warnings = []
    engines = {c.get("engine") for c in clips}
    if "espeak-ng" in engines and language_voice(ctx.voice, ctx.language).engine == "piper":
        warnings.append("Piper was unavailable for some scenes; espeak-ng narrated them.")
    target = ctx.duration
    if target and narration["duration"] > target + 0.5:
        warnings.append(
            f"The narration runs {narration['duration']:.1f}s, longer than the "
            f"requested {target:g}s; shorten the text to fit."
        )
    fresh = len(clips) - hits
    return {
        "narration": {k: narration[k] for k in ("audio", "duration", "words", "scenes")}
        | {"engine": ",".join(sorted(e for e in engines if e))},
        "cache": {"narration": f"{hits}/{len(clips)} scenes cached"},
        "warnings": warnings,
        # work done: scenes synthesised or the clips joined again
        **({} if fresh or not narration.get("cache_hit") else {"recomputed": []}),
    }


def stretch_gap(clips: list[dict[str, Any]], target: float | None) -> float:
    """Pause between scenes so the video fills ``target`` seconds (within 0.35..4 s)."""
    from reelgraph.workers.engine.narration import GAP, LEAD_IN, TAIL

    if not target or len(clips) < 2:
        return GAP
    spoken = sum(float(c["duration"]) for c in clips)
    gap = (target - spoken - LEAD_IN - TAIL) / (len(clips) - 1)
    return round(min(4.0, max(GAP, gap)), 3)


def scene_gaps(clips: list[dict[str, Any]], pacing: list[str], target: float | None) -> list[float]:
    """The pause after each scene but the last, set by the scene's pacing.

    A slow scene is followed by a longer pause, a fast one by a shorter (``PACING_PAUSE`` times
    the ``stretch_gap``); with a target length the total pause is kept, so the video fills it.
    """
    n = len(clips) - 1
    if n < 1:
        return []
    weights = [PACING_PAUSE[p] for p in pacing[:n]]
    base = stretch_gap(clips, target)
    if target:
        return [round(base * n * w / sum(weights), 3) for w in weights]
    return [round(base * w, 3) for w in weights]


def split_words_by_scene(words: list[dict[str, Any]], plan: dict[str, Any]) -> list[int]:
    """Scene index for each recognised word, by the scenes' word counts."""
    counts = [len(s["narration"].split()) for s in plan["scenes"]]
    out: list[int] = []
    scene, used = 0, 0
    for _ in words:
        while scene < len(counts) - 1 and used >= counts[scene]:
            scene, used = scene + 1, 0
        out.append(scene)
        used += 1
    return out


def _user_narration(audio: str, plan: dict[str, Any]) -> dict[str, Any]:
    from reelgraph.workers.engine.asr import align_words
    from reelgraph.workers.engine.audio import normalize_user_audio
    from reelgraph.workers.engine.probe import audio_duration

    wav = normalize_user_audio(audio)
    text = " ".join(s["narration"] for s in plan["scenes"])
    words = dispatch(align_words, queue="gpu", audio=wav, text=text)
    idx = split_words_by_scene(words, plan)
    duration = round(audio_duration(wav) + 0.3, 3)
    starts: dict[int, float] = {}
    for w, s in zip(words, idx, strict=True):
        w["scene"] = s
        starts.setdefault(s, float(w["start"]))
    n = len(plan["scenes"])
    bounds = [0.0] + [starts.get(i, 0.0) for i in range(1, n)] + [duration]
    for i in range(1, n + 1):  # scenes with no recognised words get a sliver
        bounds[i] = max(bounds[i], bounds[i - 1] + 0.5)
    scenes = [{"start": bounds[i], "end": bounds[i + 1]} for i in range(n)]
    return {
        "audio": wav,
        "duration": max(duration, bounds[-1]),
        "words": words,
        "scenes": scenes,
        "engine": "user-audio",
    }
