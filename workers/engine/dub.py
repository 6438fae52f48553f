"""A dubbed speech track for an existing video: narration clips placed at their segments' times.

Each clip (one translated sentence, synthesised) starts at its segment's start, or right after
the clip before it when that one ran long; a clip longer than its slot (until the next segment)
is sped up with ``atempo``, by at most ``MAX_STRETCH``, and the rest of the overrun shifts the
next clip. The words of each clip move with it, so the dubbed captions follow the dubbed voice.
``place_clips`` is pure; ``mix_dub`` is a cached media job (one FFmpeg run).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reelgraph.errors import RenderFailed
from reelgraph.workers.engine.cache import get_cache, make_key

NAMESPACE = "dub"
#: The most a clip is sped up to fit its slot (1.5 = 50 % faster).
MAX_STRETCH = 1.5
SAMPLE_RATE = 48000


def place_clips(
    clips: Sequence[dict[str, Any]], slots: Sequence[tuple[float, float]], total: float
) -> dict[str, Any]:
    """Where each clip starts and how much it is sped up, the moved words, and how many
    clips end after their slot.

    ``clips`` are synthesis results ({duration, words}); ``slots`` (start, end) per clip.
    Returns ``{"placements": [[start, factor]], "words": [...], "late": int}``.
    """
    placements: list[list[float]] = []
    words: list[dict[str, Any]] = []
    late, prev_end = 0, 0.0
    for clip, (slot_start, slot_end) in zip(clips, slots, strict=True):
        start = max(float(slot_start), prev_end)
        room = max(0.05, float(slot_end) - start)
        duration = float(clip["duration"])
        factor = round(min(MAX_STRETCH, max(1.0, duration / room)), 4)
        end = start + duration / factor
        late += end > float(slot_end) + 0.05
        placements.append([round(start, 3), factor])
        for w in clip["words"]:
            ws = round(start + float(w["start"]) / factor, 3)
            if ws >= total:
                break
            we = round(min(total, start + float(w["end"]) / factor), 3)
            words.append({"text": str(w["text"])[:200], "start": ws, "end": max(we, ws)})
        prev_end = end
    return {"placements": placements, "words": words, "late": late}


def dub_argv(
    audio: Sequence[str], placements: Sequence[Sequence[float]], total: float, out: str
) -> list[str]:
    """One FFmpeg argv mixing the clips at their placements into a mono WAV of ``total`` s."""
    from reelgraph.workers.engine.ffmpeg import input_args
    from reelgraph.workers.engine.filtergraph import fmt

    argv: list[str] = ["-y"]
    filters, labels = [], []
    for i, (path, (start, factor)) in enumerate(zip(audio, placements, strict=True)):
        argv += input_args(path, "wav")
        tempo = f",atempo={fmt(factor)}" if factor != 1.0 else ""
        delay = round(start * 1000)
        filters.append(
            f"[{i}:a]aformat=sample_rates={SAMPLE_RATE}:channel_layouts=mono{tempo},"
            f"adelay={delay}:all=1[c{i}]"
        )
        labels.append(f"[c{i}]")
    mix = (
        f"{''.join(labels)}amix=inputs={len(labels)}:normalize=0:duration=longest"
        if len(labels) > 1
        else f"{labels[0]}anull"
    )
    filters.append(f"{mix},apad,atrim=0:{fmt(total)}[dub]")
    return [
        *argv,
        "-filter_complex",
        ";".join(filters),
        "-map",
        "[dub]",
        "-c:a",
        "pcm_s16le",
        "-ar",
        str(SAMPLE_RATE),
        "-f",
        "wav",
        out,
    ]


def mix_dub(audio: list[str], placements: list[list[float]], total: float) -> dict[str, Any]:
    """Media job: the dubbed speech track (WAV, ``total`` s), cached by clips and placements.

    Returns ``{"audio": path, "cache_hit": bool}``.
    """
    from reelgraph.workers.engine.ffmpeg import ffmpeg_capture, without_paths

    if not audio:
        raise RenderFailed("There is nothing to dub: no translated speech was synthesised.")
    key = make_key(NAMESPACE, {"placements": placements, "total": total}, list(audio))
    cache = get_cache()
    hit = cache.get(NAMESPACE, key)
    if hit is not None:
        return {"audio": str(hit / "dub.wav"), "cache_hit": True}
    with cache.put(NAMESPACE, key) as tmp:
        res = ffmpeg_capture(dub_argv(audio, placements, total, str(tmp / "dub.wav")))
        if res.returncode != 0:
            tail = without_paths(res.stderr.decode("utf-8", "replace")[-300:])
            raise RenderFailed(f"Mixing the dubbed speech failed: {tail}")
    return {"audio": str(cache.entry_dir(NAMESPACE, key) / "dub.wav"), "cache_hit": False}
