"""Audio extraction and normalisation through FFmpeg, cached as permanent cache entries.

Both functions key the entry on the source file's bytes (plus the target format), so extracting
the same video twice, from any worker sharing the cache, decodes it once.
"""

from __future__ import annotations

import logging
from pathlib import Path

from reelgraph.errors import CorruptMedia, RenderFailed, UnsupportedMedia
from reelgraph.workers.engine.cache import get_cache, link_or_copy, make_key
from reelgraph.workers.engine.ffmpeg import input_args, run_ffmpeg
from reelgraph.workers.engine.probe import probe

logger = logging.getLogger(__name__)

NAMESPACE = "audio"
WAV_NAME = "audio.wav"


def _decode_to_wav(
    src: Path, demuxer: str, out: Path, sample_rate: int, mono: bool, what: str
) -> None:
    channels = ["-ac", "1"] if mono else []
    args = [*input_args(str(src), demuxer), "-map", "0:a:0", "-vn", "-sn", "-dn"]
    args += ["-ar", str(sample_rate), *channels, "-c:a", "pcm_s16le", "-f", "wav", "-y", str(out)]
    try:
        run_ffmpeg(args, what=what, timeout=900)
    except RenderFailed as exc:
        raise CorruptMedia(
            f"The audio in {src.name} could not be decoded (damaged file); re-export it.",
            detail=exc.detail,
        ) from exc
    if not out.exists() or out.stat().st_size <= 44:
        raise CorruptMedia(f"{src.name} decoded to no audio at all; provide a file with sound.")


def _cached_wav(src: str | Path, sample_rate: int, mono: bool, what: str) -> Path:
    p = Path(src)
    info = probe(p)
    if not info.has_audio:
        raise UnsupportedMedia(f"{p.name} has no audio track; provide a file with sound.")
    cache = get_cache()
    key = make_key(NAMESPACE, {"sr": sample_rate, "mono": mono, "fmt": "pcm_s16le"}, [p])
    hit = cache.get(NAMESPACE, key)
    if hit is not None:
        logger.debug("audio cache hit %s for %s", key, p)
        return hit / WAV_NAME
    with cache.put(NAMESPACE, key) as tmp:
        _decode_to_wav(p, info.demuxer, tmp / WAV_NAME, sample_rate, mono, what)
    return cache.entry_dir(NAMESPACE, key) / WAV_NAME


def extract_audio(
    src: str | Path,
    out_wav: str | Path | None = None,
    *,
    sample_rate: int = 16000,
    mono: bool = True,
) -> str:
    """Decode the first audio track of ``src`` to PCM WAV; return the cached wav's path.

    When ``out_wav`` is given the wav is also placed there (hard link, else copy).
    Raises UnsupportedMedia when there is no audio track, CorruptMedia when it does not decode.
    """
    wav = _cached_wav(src, sample_rate, mono, "audio extraction")
    if out_wav is not None:
        dest = Path(out_wav)
        dest.parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(wav, dest)
    return str(wav)


def decode_music(src: str | Path) -> str:
    """Decode a music track (any format) to a cached 48 kHz stereo wav; return its path.

    The decode forces the probed demuxer under the format and protocol whitelists, so a crafted
    playlist posing as a music file cannot make FFmpeg open anything; pydub only reads plain WAV.
    """
    return str(_cached_wav(src, 48000, False, "music decode"))


def normalize_user_audio(src: str | Path) -> str:
    """Decode user narration (any format) to a cached 48 kHz mono wav; return its path."""
    return str(_cached_wav(src, 48000, True, "narration decode"))
