"""Speech fixtures shared by tests: piper narration of a known text with music mixed under it.

``build_speech(out_dir, text)`` synthesises ``text`` with the bundled joe voice (piper's own
alignment gives the reference word times), optionally mixes a bundled immich-memories-music track
under it ``music_db`` dB below the speech's RMS level, and writes a 22.05 kHz mono wav. Results
are kept on disk in ``out_dir`` so several tests in one session share one synthesis.

Also here: ``word_error_rate`` (jiwer on normalised words) and ``start_errors`` (|start delta|
for each reference word matched to a recognised word).
"""

from __future__ import annotations

import difflib
import json
import re
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

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
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32), (
            w.getframerate()
        )


def _write_wav(path: Path, samples: np.ndarray, sr: int) -> None:
    pcm = np.clip(samples, -32767, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())


def music_track(mood: str = "calm") -> Path:
    """The first bundled immich-memories-music track of ``mood``."""
    import immich_memories_music

    return sorted((immich_memories_music.tracks_dir() / mood).glob("*.opus"))[0]


def decode_music(track: Path, seconds: float, sr: int) -> np.ndarray:
    """``seconds`` of ``track`` as mono float samples at ``sr`` (looped if short)."""
    from workers.ffmpeg import ffmpeg_capture

    res = ffmpeg_capture(
        ["-loglevel", "error", "-stream_loop", "-1", "-i", str(track), "-t", f"{seconds:.3f}",
         "-ac", "1", "-ar", str(sr), "-f", "s16le", "pipe:1"]
    )  # fmt: skip
    if res.returncode != 0:
        raise RuntimeError(res.stderr.decode(errors="replace")[-300:])
    return np.frombuffer(res.stdout, dtype="<i2").astype(np.float32)


def mix_under(speech: np.ndarray, music: np.ndarray, music_db: float) -> np.ndarray:
    """``speech`` plus ``music`` scaled to ``music_db`` dB relative to the speech RMS."""
    music = np.resize(music, speech.shape) if len(music) else np.zeros_like(speech)
    s_rms = float(np.sqrt(np.mean(speech[np.abs(speech) > 0] ** 2))) if speech.any() else 1.0
    m_rms = float(np.sqrt(np.mean(music**2))) or 1.0
    return speech + music * (s_rms / m_rms) * 10 ** (music_db / 20.0)


def build_speech(
    out_dir: str | Path,
    text: str = KNOWN_TEXT,
    music_db: float | None = -15.0,
    name: str = "speech",
) -> SpeechFixture:
    """Synthesise ``text`` with piper, mix music under it, and cache the result in ``out_dir``."""
    from workers.tts import synthesize_wav

    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    speech_wav, meta = d / f"{name}.clean.wav", d / f"{name}.json"
    if not (meta.exists() and speech_wav.exists()):
        res = synthesize_wav(text, speech_wav, voice="joe")
        if res["engine"] != "piper":
            raise RuntimeError("piper is not working; the speech fixture needs it")
        meta.write_text(json.dumps({"words": res["words"], "duration": res["duration"]}))
    info = json.loads(meta.read_text())
    wav = speech_wav
    if music_db is not None:
        wav = d / f"{name}.music{int(music_db)}.wav"
        if not wav.exists():
            speech, sr = _read_wav(speech_wav)
            music = decode_music(music_track(), len(speech) / sr + 0.1, sr)
            _write_wav(wav, mix_under(speech, music, music_db), sr)
    return SpeechFixture(wav, speech_wav, info["words"], float(info["duration"]), text)


def normalise(text: str) -> list[str]:
    """Lower-case words without punctuation, for WER and matching."""
    return [w for w in re.sub(r"[^\w' ]+", " ", text.lower()).split() if w.strip("'")]


def word_error_rate(reference: str, hypothesis: str) -> float:
    import jiwer

    return float(jiwer.wer(" ".join(normalise(reference)), " ".join(normalise(hypothesis))))


def start_errors(ref: list[dict[str, Any]], hyp: list[dict[str, Any]]) -> list[float]:
    """|start delta| in seconds for each reference word matched (difflib) to a recognised word."""
    a = [" ".join(normalise(w["text"])) for w in ref]
    b = [" ".join(normalise(w["text"])) for w in hyp]
    out: list[float] = []
    for blk in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        for k in range(blk.size):
            out.append(abs(float(ref[blk.a + k]["start"]) - float(hyp[blk.b + k]["start"])))
    return out
