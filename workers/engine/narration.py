"""Assemble per-scene narration clips into one track with word timings on the video timeline."""

from __future__ import annotations

from typing import Any

from reelgraph.workers.engine.cache import get_cache, make_key
from reelgraph.workers.engine.ffmpeg import ffmpeg_binary

LEAD_IN = 0.25
GAP = 0.35
TAIL = 0.6


def assemble_narration(
    clips: list[dict[str, Any]],
    gap: float | list[float] = GAP,
    lead_in: float = LEAD_IN,
    tail: float = TAIL,
) -> dict[str, Any]:
    """Module-level media job: concatenate scene clips (WAV) with gaps; cached by clip content.

    ``gap`` is the pause between scenes, or a list of the pause after each scene but the last.
    Returns {audio, duration, words:[{text,start,end,scene}], scenes:[{start,end}], cache_hit}.
    Scene i spans from its first sample to the start of scene i+1 (gaps belong to the scene).
    """
    from pydub import AudioSegment

    key = make_key(
        "narration-mix",
        {"gap": gap, "lead": lead_in, "tail": tail, "words": [c["words"] for c in clips]},
        [c["audio"] for c in clips],
    )
    cache = get_cache()
    pauses = _pauses(gap, len(clips), tail)
    words: list[dict[str, Any]] = []
    scenes: list[dict[str, float]] = []
    t = lead_in
    for i, clip in enumerate(clips):
        start = t
        for w in clip["words"]:
            words.append(
                {
                    "text": w["text"],
                    "start": round(start + w["start"], 3),
                    "end": round(start + w["end"], 3),
                    "scene": i,
                }
            )
        t = start + float(clip["duration"]) + pauses[i]
        scenes.append({"start": round(0.0 if i == 0 else start, 3), "end": round(t, 3)})
    duration = round(t, 3)
    result = {"duration": duration, "words": words, "scenes": scenes, "key": key}
    hit = cache.get("narration-mix", key)
    if hit is not None:
        return {**result, "audio": str(hit / "narration.wav"), "cache_hit": True}
    AudioSegment.converter = ffmpeg_binary()
    track = AudioSegment.silent(duration=int(lead_in * 1000), frame_rate=48000)
    for i, clip in enumerate(clips):
        seg = AudioSegment.from_file(clip["audio"]).set_frame_rate(48000).set_channels(1)
        # Pad/trim each clip to its nominal duration so word timings stay exact.
        want = round(float(clip["duration"]) * 1000)
        seg = seg[:want] + AudioSegment.silent(duration=max(0, want - len(seg)), frame_rate=48000)
        track += seg
        track += AudioSegment.silent(duration=int(pauses[i] * 1000), frame_rate=48000)
    with cache.put("narration-mix", key) as tmp:
        track.export(tmp / "narration.wav", format="wav")
    return {
        **result,
        "audio": str(cache.entry_dir("narration-mix", key) / "narration.wav"),
        "cache_hit": False,
    }


def _pauses(gap: float | list[float], n: int, tail: float) -> list[float]:
    """The silence after each of ``n`` clips: the gaps between them, then the tail."""
    gaps = list(gap) if isinstance(gap, list) else [gap] * max(0, n - 1)
    if len(gaps) != max(0, n - 1):
        raise ValueError(f"{len(gaps)} gaps given for {n} narration clips")
    return [float(g) for g in gaps] + [tail]
