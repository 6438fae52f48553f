"""ASR benchmark: real-time factor on 60 s of speech, and the chunked path's overhead.

Usage: ``python bench/asr.py [--seconds 60] [--models tiny.en,base] [--device cpu|auto]``

Builds 60 s of piper narration with music 15 dB under it (tests/fixtures_speech), then for each
model, measured in this one run on this machine: one pass over the whole file, the chunked path
(30 s chunks, 2 s overlap) run in parallel as ``transcribe`` runs it, and the chunked path run
serially. The transcript cache is bypassed; model loading is excluded (warm-up first).
Prints RTF (processing time / audio time) and the chunked / one-pass ratios side by side.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.rows import Row, plain, row, unavailable
from reelgraph.workers.engine import asr
from reelgraph.workers.jobs.dispatch import dispatch_many
from tests.fixtures_speech import LONG_TEXT, build_speech, word_error_rate

QUICK = ["--seconds", "15", "--models", "tiny.en"]


def _trim(src: Path, dst: Path, seconds: float) -> float:
    with wave.open(str(src), "rb") as w:
        sr = w.getframerate()
        pcm = np.frombuffer(w.readframes(int(seconds * sr)), dtype="<i2")
    with wave.open(str(dst), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sr)
        out.writeframes(pcm.tobytes())
    return len(pcm) / sr


def _timed(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def bench_model(model: str, wav: str, duration: float, text: str, repeat: int) -> dict[str, Any]:
    asr.load_model(model)
    asr.transcribe_chunk(wav, 0.0, 5.0, model, None)  # warm-up
    t_one, one = _timed(lambda: asr.transcribe_chunk(wav, 0.0, duration, model, None), repeat)
    calls = [
        {"audio": wav, "start": s, "end": e, "model": model, "language": None}
        for s, e in asr.plan_chunks(duration)
    ]
    t_par, par = _timed(
        lambda: asr.merge_chunks(dispatch_many(asr.transcribe_chunk, calls, parallel=2)), repeat
    )
    t_ser, _ = _timed(
        lambda: asr.merge_chunks(dispatch_many(asr.transcribe_chunk, calls, parallel=1)), repeat
    )
    return {
        "model": model,
        "rtf_one": t_one / duration,
        "rtf_chunked": t_par / duration,
        "par_over_one": t_par / t_one,
        "serial_over_one": t_ser / t_one,
        "wer_one": word_error_rate(text, " ".join(w["text"] for w in one["words"])),
        "wer_chunked": word_error_rate(text, " ".join(w["text"] for w in par)),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--models", default="tiny.en,base")
    ap.add_argument("--device", default="cpu", choices=["cpu", "auto"])
    ap.add_argument("--repeat", type=int, default=1)
    return ap.parse_args(argv)


def timed(args: argparse.Namespace) -> tuple[str, list[dict[str, Any]]]:
    """(what was transcribed on which device, one result per model: numbers or "skipped")."""
    chosen = asr.device_and_compute
    if args.device == "cpu":
        asr.device_and_compute = lambda: ("cpu", "int8")  # type: ignore[assignment]
    try:
        device, compute = asr.device_and_compute()
        with tempfile.TemporaryDirectory() as tmp:
            fx = build_speech(tmp, LONG_TEXT, -15.0, "bench")
            from reelgraph.workers.engine.audio import _decode_to_wav

            wav16 = Path(tmp) / "speech16k.wav"
            _decode_to_wav(Path(fx.wav), "wav", wav16, 16000, True, "bench decode")
            wav = Path(tmp) / "bench60.wav"
            duration = _trim(wav16, wav, args.seconds)
            spoken = " ".join(w["text"] for w in fx.words if w["end"] <= duration)
            about = f"{duration:.1f} s of speech + music at -15 dB; device {device}/{compute}"
            results = []
            for model in [m.strip() for m in args.models.split(",") if m.strip()]:
                try:
                    results.append(bench_model(model, str(wav), duration, spoken, args.repeat))
                except Exception as exc:  # a missing model is reported, not fatal
                    results.append({"model": model, "skipped": str(exc)})
    finally:
        asr.device_and_compute = chosen  # type: ignore[assignment]
    return about, results


def rows_for(about: str, results: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for r in results:
        name = f"ASR real-time factor, {r['model']} (processing / audio time)"
        if "skipped" in r:
            rows.append(unavailable(name, r["skipped"]))
            continue
        detail = (
            f"one pass; chunked in parallel: RTF {r['rtf_chunked']:.3f} "
            f"({r['par_over_one']:.2f} x one pass, serial {r['serial_over_one']:.2f} x); "
            f"WER {r['wer_one']:.3f} one pass, {r['wer_chunked']:.3f} chunked; {about}; "
            "model loading excluded"
        )
        rows.append(row(name, r["rtf_one"], detail))
    return rows


def measure(quick: bool = False) -> list[Row]:
    """The rows, measured now (quick: 15 s with tiny.en instead of 60 s with tiny.en and base)."""
    return rows_for(*timed(parse_args(QUICK if quick else [])))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    about, results = timed(args)
    print(f"audio {about}")
    print(
        f"{'model':8} {'RTF 1-pass':>11} {'RTF chunked':>12} {'chunked/1-pass':>15} "
        f"{'serial/1-pass':>14} {'WER 1-pass':>11} {'WER chunked':>12}"
    )
    for r in results:
        if "skipped" in r:
            print(f"{r['model']:8} skipped: {r['skipped']}")
            continue
        print(
            f"{r['model']:8} {r['rtf_one']:11.3f} {r['rtf_chunked']:12.3f} "
            f"{r['par_over_one']:15.2f} {r['serial_over_one']:14.2f} "
            f"{r['wer_one']:11.3f} {r['wer_chunked']:12.3f}"
        )
    print("\n" + plain(rows_for(about, results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
