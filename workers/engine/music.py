"""Music beds: bundled tracks from immich-memories-music chosen by mood, prepared to length."""

from __future__ import annotations

import hashlib
import logging
from importlib import resources
from pathlib import Path
from typing import Any

from reelgraph.errors import CorruptMedia, InvalidInput
from reelgraph.workers.engine.cache import get_cache, make_key

logger = logging.getLogger(__name__)

#: Plan moods without a folder of their own borrow the closest one.
MOOD_FALLBACK = {"dramatic": "energetic"}


def tracks_root() -> Path:
    return Path(str(resources.files("immich_memories_music").joinpath("tracks")))


def moods() -> list[str]:
    root = tracks_root()
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def tracks_for(mood: str) -> list[Path]:
    mood = MOOD_FALLBACK.get(mood, mood)
    folder = tracks_root() / mood
    if not folder.is_dir():
        raise InvalidInput(f"No music for mood '{mood}'; choose one of: {', '.join(moods())}.")
    return sorted(folder.glob("*.opus")) + sorted(folder.glob("*.mp3"))


def pick_track(mood: str, seed: str) -> Path:
    """Deterministic choice among the mood's tracks (same title -> same track)."""
    choices = tracks_for(mood)
    if not choices:
        raise InvalidInput(f"The mood '{mood}' has no tracks installed.")
    idx = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(choices)
    return choices[idx]


def prepare_music(
    track: str, duration: float, fade_in: float = 1.0, fade_out: float = 2.5
) -> dict[str, Any]:
    """Module-level media job: loop/trim ``track`` to ``duration`` with fades -> cached WAV."""
    from pydub import AudioSegment

    key = make_key(
        "music", {"duration": round(duration, 3), "fi": fade_in, "fo": fade_out}, [track]
    )
    cache = get_cache()
    hit = cache.get("music", key)
    if hit is not None:
        return {"path": str(hit / "music.wav"), "cache_hit": True, "key": key}
    from reelgraph.workers.engine.audio import decode_music

    wav = decode_music(track)  # whitelisted FFmpeg decode; raises CorruptMedia/UnsupportedMedia
    try:
        seg = AudioSegment.from_wav(wav)
    except Exception as exc:
        raise CorruptMedia(
            f"The music file '{Path(track).name}' could not be decoded; use MP3, WAV, OGG or M4A."
        ) from exc
    if len(seg) < 500:
        raise CorruptMedia(f"The music file '{Path(track).name}' is too short to use.")
    total_ms = int(duration * 1000)
    seg = seg.set_frame_rate(48000).set_channels(2)
    looped = seg * (total_ms // len(seg) + 1)
    bed = looped[:total_ms].fade_in(int(fade_in * 1000)).fade_out(int(fade_out * 1000))
    with cache.put("music", key) as tmp:
        bed.export(tmp / "music.wav", format="wav")
    return {
        "path": str(cache.entry_dir("music", key) / "music.wav"),
        "cache_hit": False,
        "key": key,
    }
