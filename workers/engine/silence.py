"""Silence map: the ranges of an audio file quiet enough to cut, as RenderSpec ``Cut`` ranges.

PCM is decoded with FFmpeg (mono 16 kHz) and measured with numpy in 10 ms windows. The map is a
*conditional* cache entry: keyed by the audio bytes plus threshold, minimum silence and padding.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from reelgraph.errors import CorruptMedia
from reelgraph.workers.engine.cache import get_cache, make_key
from reelgraph.workers.engine.ffmpeg import ffmpeg_capture, input_args
from reelgraph.workers.engine.probe import input_demuxer
from reelgraph.workers.engine.spec import Cut

logger = logging.getLogger(__name__)

NAMESPACE = "silence"
VERSION = 1
RATE = 16000
WINDOW_S = 0.01


def decode_pcm(wav: str | Path) -> np.ndarray:
    args = input_args(str(wav), input_demuxer(wav))
    res = ffmpeg_capture(
        ["-v", "error", *args, "-vn", "-ac", "1", "-ar", str(RATE), "-f", "s16le", "pipe:1"]
    )
    if res.returncode != 0:
        raise CorruptMedia(
            f"The audio of {Path(wav).name} cannot be decoded for silence detection (damaged "
            "file); re-export it.",
            detail=res.stderr.decode(errors="replace")[-2000:],
        )
    return np.frombuffer(res.stdout, dtype="<i2").astype(np.float32) / 32768.0


def window_levels_db(
    samples: np.ndarray, rate: int = RATE, window_s: float = WINDOW_S
) -> np.ndarray:
    """RMS level in dBFS of each ``window_s`` window (a trailing partial window is dropped)."""
    n = max(1, int(rate * window_s))
    usable = len(samples) // n * n
    if usable == 0:
        return np.zeros(0, dtype=np.float32)
    frames = samples[:usable].reshape(-1, n)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    return (20.0 * np.log10(np.maximum(rms, 1e-10))).astype(np.float32)


def silences_from_levels(
    levels: np.ndarray,
    *,
    window_s: float = WINDOW_S,
    threshold_db: float = -35.0,
    min_silence: float = 0.5,
    padding: float = 0.15,
) -> list[tuple[float, float]]:
    """Cut ranges from per-window levels: quiet runs >= min_silence, shrunk by padding.

    Padding is kept on the speech side only: a leading or trailing silence is cut to the edge.
    """
    quiet = levels < threshold_db
    total = len(levels) * window_s
    cuts: list[tuple[float, float]] = []
    i = 0
    while i < len(quiet):
        if not quiet[i]:
            i += 1
            continue
        j = i
        while j < len(quiet) and quiet[j]:
            j += 1
        start, end = i * window_s, j * window_s
        if end - start >= min_silence:
            a = start if i == 0 else start + padding
            b = end if j == len(quiet) else end - padding
            if b - a > 1e-3:
                cuts.append((round(a, 3), round(min(b, total), 3)))
        i = j
    return cuts


def silence_map(
    wav: str, threshold_db: float = -35.0, min_silence: float = 0.5, padding: float = 0.15
) -> dict[str, Any]:
    """Job function: ``{"cuts": [{"start","end"}], "duration", "cache_hit"}`` (JSON-safe)."""
    params = {
        "v": VERSION,
        "threshold_db": threshold_db,
        "min_silence": min_silence,
        "padding": padding,
    }
    key = make_key(NAMESPACE, params, [wav])
    cache = get_cache()
    hit = cache.get_json(NAMESPACE, key)
    if hit is not None:
        return {**hit, "cache_hit": True}
    samples = decode_pcm(wav)
    levels = window_levels_db(samples)
    cuts = silences_from_levels(
        levels, threshold_db=threshold_db, min_silence=min_silence, padding=padding
    )
    value = {"cuts": [{"start": a, "end": b} for a, b in cuts], "duration": len(samples) / RATE}
    cache.put_json(NAMESPACE, key, value)
    logger.info("silence map of %s: %d cuts (key %s)", wav, len(cuts), key[:12])
    return {**value, "cache_hit": False}


def detect_silences(
    wav: str | Path, *, threshold_db: float = -35.0, min_silence: float = 0.5, padding: float = 0.15
) -> list[Cut]:
    """Silent ranges of ``wav`` to cut (cached per audio hash and settings)."""
    res = silence_map(str(wav), threshold_db, min_silence, padding)
    return [Cut(start=c["start"], end=c["end"]) for c in res["cuts"]]
