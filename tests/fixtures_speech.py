"""Speech fixtures shared by tests: piper narration of a known text with music mixed under it.

The narration is deterministic. Piper's VITS graph draws two ``RandomNormalLike`` tensors
(unseeded) scaled by ``noise_scale`` and ``noise_w_scale``; with the voice's defaults (0.667,
0.8) every synthesis differs in timing and timbre. ``SYNTH_SETTINGS`` sets both to 0 (and
``length_scale`` to 1), so the same text gives the same samples, sha256 for sha256, and piper's
own phoneme alignment still gives the reference word times.

``build_speech(out_dir, text)`` synthesises ``text`` with the bundled joe voice, mixes a bundled
immich-memories-music track under it ``music_db`` dB below the speech's RMS level, and writes a
22.05 kHz mono wav. Files are named by a key over everything that shapes them (text, settings,
voice, piper, onnxruntime, music track, FFmpeg) and kept in ``out_dir``, by default a cache per
machine (``$REELGRAPH_TEST_CACHE`` or ``~/.cache/reelgraph-tests/speech``), so they are made once;
a cached wav whose sha256 no longer matches its metadata is made again.

Also here: ``word_error_rate`` (jiwer on normalised words), ``start_errors`` (|start delta| for
each reference word matched to a recognised word), ``heard_words`` (which reference words were
recognised) and ``new_doubles`` (a word or phrase said twice back to back that the reference
does not double).
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.metadata
import json
import os
import re
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: Bump when the way fixtures are made changes, so old cached files are not reused.
FIXTURE_VERSION = 2

#: Fixed piper settings: no generator or duration noise, the voice's natural speed.
SYNTH_SETTINGS: dict[str, Any] = {
    "voice": "joe",
    "noise_scale": 0.0,
    "noise_w_scale": 0.0,
    "length_scale": 1.0,
}

#: About 25 s of narration with the joe voice: no digits, so words compare one to one.
KNOWN_TEXT = (
    "Every morning the harbor wakes up slowly. Fishing boats leave before sunrise, and the "
    "market fills with voices, baskets and the smell of fresh bread. By noon the tourists "
    "arrive, cameras ready, looking for the perfect picture of the old lighthouse. In the "
    "evening the wind turns cold, the lamps come on one by one, and the whole town gathers "
    "by the water to watch the last ferry sail home. Tomorrow it will all begin again, "
    "just like it always has."
)

#: Extra sentences for long fixtures (about 95 s with KNOWN_TEXT repeated around them).
_LONG_EXTRA = (
    "A small team of engineers built a robot that waters plants while everyone sleeps. "
    "It reads the moisture in the soil, decides which pots need help, and rolls quietly "
    "between the shelves. Nobody expected it to learn the names of the flowers, but after "
    "a month it greeted the roses every single day. Scientists say the ocean holds more "
    "secrets than the surface of the moon. Deep below the waves, strange creatures glow in "
    "the dark and hunt without ever seeing sunlight. Some of them have lived there for "
    "millions of years, long before the first ships crossed the sea. "
    "The library on the hill keeps a collection of maps drawn by hand. Each one shows rivers "
    "that have moved, forests that have vanished and roads that nobody walks anymore. "
    "Students come from far away to trace the lines with careful fingers. "
    "Every autumn the geese fly south over the valley in long and noisy lines. Farmers look "
    "up from their fields and know that winter is coming soon. "
)
LONG_TEXT = " ".join([KNOWN_TEXT, _LONG_EXTRA, KNOWN_TEXT.replace("Every morning", "Each day")])


@dataclass(frozen=True)
class SpeechFixture:
    """A mixed wav, the clean speech wav, the reference words and the duration."""

    wav: Path
    speech_wav: Path
    words: list[dict[str, Any]]
    duration: float
    text: str


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return samples.astype(np.float32), w.getframerate()


def _write_wav(path: Path, samples: np.ndarray, sr: int) -> None:
    """Write 16-bit mono ``samples`` to ``path`` atomically (a ``.partial`` file, then rename)."""
    pcm = np.clip(samples, -32767, 32767).astype("<i2")
    tmp = path.with_name(f"{path.name}.{os.getpid()}.partial")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.partial")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def sha256_file(path: str | Path) -> str:
    """sha256 of a file's bytes (not memoised: cached fixtures are checked with it)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def speech_cache_dir() -> Path:
    """The per-machine fixture cache: ``$REELGRAPH_TEST_CACHE`` or ``~/.cache/reelgraph-tests``."""
    explicit = os.environ.get("REELGRAPH_TEST_CACHE")
    if explicit:
        return Path(explicit) / "speech"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "reelgraph-tests" / "speech"


def music_track(mood: str = "calm") -> Path:
    """The first bundled immich-memories-music track of ``mood``."""
    import immich_memories_music

    return sorted((immich_memories_music.tracks_dir() / mood).glob("*.opus"))[0]


def decode_music(track: Path, seconds: float, sr: int) -> np.ndarray:
    """``seconds`` of ``track`` as mono float samples at ``sr`` (looped if short)."""
    from reelgraph.workers.engine.ffmpeg import ffmpeg_capture

    argv = ["-loglevel", "error", "-stream_loop", "-1", "-i", str(track)]
    argv += ["-t", f"{seconds:.3f}", "-ac", "1", "-ar", str(sr), "-f", "s16le", "pipe:1"]
    res = ffmpeg_capture(argv)
    if res.returncode != 0:
        raise RuntimeError(res.stderr.decode(errors="replace")[-300:])
    return np.frombuffer(res.stdout, dtype="<i2").astype(np.float32)


def mix_under(speech: np.ndarray, music: np.ndarray, music_db: float) -> np.ndarray:
    """``speech`` plus ``music`` scaled to ``music_db`` dB relative to the speech RMS."""
    music = np.resize(music, speech.shape) if len(music) else np.zeros_like(speech)
    s_rms = float(np.sqrt(np.mean(speech[np.abs(speech) > 0] ** 2))) if speech.any() else 1.0
    m_rms = float(np.sqrt(np.mean(music**2))) or 1.0
    return speech + music * (s_rms / m_rms) * 10 ** (music_db / 20.0)


def _piper_identity() -> dict[str, Any]:
    """What shapes piper's samples besides the text: settings, voice files, engine versions."""
    from reelgraph.workers.engine.cache import hash_file
    from reelgraph.workers.engine.tts import resolve_voice

    info = resolve_voice(SYNTH_SETTINGS["voice"])
    if info.engine != "piper":
        raise RuntimeError("The joe piper voice is not installed; the speech fixture needs it.")
    return {
        "fixture": FIXTURE_VERSION,
        "settings": SYNTH_SETTINGS,
        "model": hash_file(info.model_path),
        "config": hash_file(info.config_path),
        "piper": importlib.metadata.version("piper-tts"),
        "onnxruntime": importlib.metadata.version("onnxruntime"),
    }


def synthesize(text: str, out_wav: str | Path) -> dict[str, Any]:
    """Deterministic piper narration of ``text`` (``SYNTH_SETTINGS``) with its word times.

    The same steps as ``workers.tts`` (its alignment helpers are reused) but with fixed noise
    scales. Returns ``{"words", "duration", "sha256"}``.
    """
    from piper.config import SynthesisConfig

    from reelgraph.workers.engine import tts

    info = tts.resolve_voice(SYNTH_SETTINGS["voice"])
    voice = tts._load_piper(info)
    cfg = SynthesisConfig(**{k: v for k, v in SYNTH_SETTINGS.items() if k != "voice"})
    chunks = list(voice.synthesize(text, syn_config=cfg, include_alignments=True))
    if not chunks:
        raise RuntimeError("piper produced no audio for the speech fixture")
    pcm = np.concatenate([c.audio_int16_array for c in chunks]).astype(np.float32)
    _write_wav(Path(out_wav), pcm, chunks[0].sample_rate)
    timed, duration = tts._timed_phonemes(chunks)
    tokens = tts.tokenize(text)
    expected = [tts._word_phonemes(info.model_path, tok) for tok in tokens]
    words = tts.align_tokens(tokens, expected, timed)
    return {"words": words, "duration": duration, "sha256": sha256_file(out_wav)}


def _cached(wav: Path, meta: Path) -> dict[str, Any] | None:
    """The metadata of a cached wav, or None when either file is missing or the wav changed."""
    if not (wav.is_file() and meta.is_file()):
        return None
    info = json.loads(meta.read_text())
    return info if info.get("sha256") == sha256_file(wav) else None


def build_speech(
    out_dir: str | Path | None = None,
    text: str = KNOWN_TEXT,
    music_db: float | None = -15.0,
    name: str = "speech",
) -> SpeechFixture:
    """Piper narration of ``text`` with music under it, made once and cached in ``out_dir``."""
    from reelgraph.workers.engine.cache import make_key
    from reelgraph.workers.engine.ffmpeg import ffmpeg_version

    d = Path(out_dir) if out_dir is not None else speech_cache_dir()
    d.mkdir(parents=True, exist_ok=True)
    ident = _piper_identity()
    key = make_key("test-speech", {**ident, "text": text})[:16]
    speech_wav, meta = d / f"{name}-{key}.clean.wav", d / f"{name}-{key}.json"
    info = _cached(speech_wav, meta)
    if info is None:
        info = synthesize(text, speech_wav)
        _write_json(meta, info)
    wav = speech_wav
    if music_db is not None:
        track = music_track()
        params = {"speech": info["sha256"], "music_db": music_db, "ffmpeg": ffmpeg_version()}
        mkey = make_key("test-speech-mix", params, [track])[:16]
        wav, mix_meta = d / f"{name}-{mkey}.mix.wav", d / f"{name}-{mkey}.mix.json"
        if _cached(wav, mix_meta) is None:
            speech, sr = _read_wav(speech_wav)
            music = decode_music(track, len(speech) / sr + 0.1, sr)
            _write_wav(wav, mix_under(speech, music, music_db), sr)
            _write_json(mix_meta, {"sha256": sha256_file(wav), "music": track.name})
    return SpeechFixture(wav, speech_wav, info["words"], float(info["duration"]), text)


def normalise(text: str) -> list[str]:
    """Lower-case words without punctuation, for WER and matching."""
    return [w for w in re.sub(r"[^\w' ]+", " ", text.lower()).split() if w.strip("'")]


def word_error_rate(reference: str, hypothesis: str) -> float:
    import jiwer

    return float(jiwer.wer(" ".join(normalise(reference)), " ".join(normalise(hypothesis))))


def _tokens(words: list[dict[str, Any]]) -> list[str]:
    return [" ".join(normalise(w["text"])) for w in words]


def heard_words(ref: list[dict[str, Any]], hyp: list[dict[str, Any]]) -> set[int]:
    """Indices of the reference words that a difflib alignment matches to a recognised word."""
    sm = difflib.SequenceMatcher(None, _tokens(ref), _tokens(hyp), autojunk=False)
    return {blk.a + k for blk in sm.get_matching_blocks() for k in range(blk.size)}


def start_errors(ref: list[dict[str, Any]], hyp: list[dict[str, Any]]) -> list[float]:
    """|start delta| in seconds for each reference word matched (difflib) to a recognised word."""
    out: list[float] = []
    sm = difflib.SequenceMatcher(None, _tokens(ref), _tokens(hyp), autojunk=False)
    for blk in sm.get_matching_blocks():
        for k in range(blk.size):
            out.append(abs(float(ref[blk.a + k]["start"]) - float(hyp[blk.b + k]["start"])))
    return out


def doubled_runs(words: list[str], max_n: int = 3) -> list[tuple[str, ...]]:
    """Each phrase of 1 to ``max_n`` normalised words that is said twice back to back."""
    out = []
    for n in range(1, max_n + 1):
        for i in range(len(words) - 2 * n + 1):
            if words[i : i + n] == words[i + n : i + 2 * n]:
                out.append(tuple(words[i : i + n]))
    return out


def new_doubles(ref: list[dict[str, Any]], hyp: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """Phrases said twice back to back in ``hyp`` that the reference never doubles."""
    allowed = set(doubled_runs(normalise(" ".join(w["text"] for w in ref))))
    said = doubled_runs(normalise(" ".join(w["text"] for w in hyp)))
    return [p for p in said if p not in allowed]
