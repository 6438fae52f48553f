"""GPU benchmark: each GPU path against its CPU path, side by side in one run on this machine.

Usage: ``python bench/gpu.py [--quick] [--json]``

Rows (``measure()`` returns them; ratio = CPU time / GPU time, so above 1 means the GPU wins):

- ``asr``: faster-whisper's real-time factor on CUDA float16 vs CPU int8 (about 9 s of the
  bundled voice's speech, model loading excluded, best of a few runs).
- ``decode``: FFmpeg decoding an H.264 1080x1920 clip to ``-f null`` with and without
  ``-hwaccel cuda`` (NVDEC).
- ``encoder``: what the trial encode chose and why; with ``h264_nvenc``, the same frames encoded
  by h264_nvenc vs libx264 (the render's settings).
- ``piper``: piper synthesis on onnxruntime's CUDA provider vs the CPU provider.

Where this machine has no GPU (or the path cannot run) a row has ratio ``None`` and a detail
``no GPU on this machine: <reason>``. Never asserts; prints numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reelgraph.workers.engine import gpu
from reelgraph.workers.engine.ffmpeg import ffmpeg_capture

Row = dict[str, Any]


def _row(name: str, ratio: float | None, detail: str) -> Row:
    return {"name": name, "ratio": None if ratio is None else round(ratio, 3), "detail": detail}


def _no_gpu(name: str, reason: str) -> Row:
    return _row(name, None, f"no GPU on this machine: {reason}")


def _best(fn: Callable[[], Any], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        if hasattr(out, "__next__"):  # a generator (piper's synthesize) works while iterated
            list(out)
        best = min(best, time.perf_counter() - t0)
    return best


def _ffmpeg(args: list[str]) -> None:
    res = ffmpeg_capture(["-v", "error", *args], timeout=600)
    if res.returncode != 0:
        raise RuntimeError(res.stderr.decode("utf-8", "replace")[-300:])


def _rtf(device: str, compute: str, samples: Any, runs: int) -> float:
    from faster_whisper import WhisperModel

    from reelgraph.workers.engine.asr import resolve_model

    model = WhisperModel(resolve_model("tiny.en"), device=device, compute_type=compute)

    def once() -> None:
        segments, _ = model.transcribe(samples, language="en", word_timestamps=True, beam_size=5)
        list(segments)

    once()  # warm-up (CUDA kernels, allocator)
    return _best(once, runs) / (len(samples) / 16000)


def measure_asr(quick: bool) -> Row:
    device, compute, why = gpu.whisper_device()
    if device != "cuda":
        return _no_gpu("asr", why)
    from reelgraph.workers.engine.asr_auto import speech_sample

    samples = speech_sample()
    runs = 2 if quick else 5
    on_gpu, on_cpu = _rtf("cuda", compute, samples, runs), _rtf("cpu", "int8", samples, runs)
    detail = f"tiny.en RTF: cuda/{compute} {on_gpu:.4f}, cpu/int8 {on_cpu:.4f}"
    return _row("asr", on_cpu / on_gpu, detail)


def _clip(folder: Path, seconds: int) -> str:
    clip = str(folder / "clip.mp4")
    src = f"testsrc2=s=1080x1920:r=30:d={seconds}"
    _ffmpeg(["-f", "lavfi", "-i", src, "-c:v", "libx264", "-preset", "ultrafast", "-y", clip])
    return clip


def measure_decode(quick: bool, folder: Path) -> Row:
    found = gpu.nvdec_finding()
    if found.value != "cuda":
        return _no_gpu("decode", found.reason)
    seconds = 5 if quick else 20
    clip = _clip(folder, seconds)
    runs = 2 if quick else 3
    soft = _best(lambda: _ffmpeg(["-i", clip, "-f", "null", "-"]), runs)
    hard = _best(lambda: _ffmpeg([*gpu.HWACCEL_ARGS, "-i", clip, "-f", "null", "-"]), runs)
    detail = f"{seconds} s 1080x1920 H.264 to null: software {soft:.2f} s, NVDEC {hard:.2f} s"
    return _row("decode", soft / hard, detail)


def measure_encoder(quick: bool, folder: Path) -> Row:
    found = gpu.encoder_finding()
    if not gpu.gpu_names() and gpu.cuda_device_count() == 0:
        return _no_gpu("encoder", f"the trial chose {found.value} ({found.reason})")
    if found.value != "h264_nvenc":
        return _row("encoder", None, f"the trial chose {found.value}: {found.reason}")
    from reelgraph.workers.engine.compile import encoder_args
    from reelgraph.workers.engine.spec import RenderSpec

    spec = RenderSpec.model_validate(
        {"duration": 1, "visuals": [{"kind": "card", "path": "x", "duration": 1}]}
    )
    seconds = 5 if quick else 20
    src = ["-f", "lavfi", "-i", f"testsrc2=s=1080x1920:r=30:d={seconds}"]
    times = {}
    for enc in ("h264_nvenc", "libx264"):
        out = str(folder / f"{enc}.mp4")
        args = [*src, *encoder_args(spec, enc), "-y", out]
        times[enc] = _best(partial(_ffmpeg, args), 2)
    detail = (
        f"the trial chose h264_nvenc ({found.reason}); {seconds} s 1080x1920: "
        f"h264_nvenc {times['h264_nvenc']:.2f} s, libx264 {times['libx264']:.2f} s"
    )
    return _row("encoder", times["libx264"] / times["h264_nvenc"], detail)


def measure_piper(quick: bool) -> Row:
    found = gpu.piper_provider()
    if found.value != gpu.CUDA_PROVIDER:
        return _no_gpu("piper", found.reason)
    from piper import PiperVoice

    from reelgraph.workers.engine.asr_auto import SAMPLE_TEXT
    from reelgraph.workers.engine.tts import resolve_voice

    info = resolve_voice(None)
    times = {}
    for cuda in (True, False):
        voice = PiperVoice.load(info.model_path, info.config_path, use_cuda=cuda)
        list(voice.synthesize(SAMPLE_TEXT))  # warm-up
        times[cuda] = _best(partial(voice.synthesize, SAMPLE_TEXT), 2 if quick else 5)
    detail = f"{len(SAMPLE_TEXT)} characters: CUDA {times[True]:.3f} s, CPU {times[False]:.3f} s"
    return _row("piper", times[False] / times[True], detail)


def measure(quick: bool = False) -> list[Row]:
    """One row per GPU path (see the module docstring); ratio None where it could not run."""
    with tempfile.TemporaryDirectory(prefix="reelgraph-bench-gpu-") as tmp:
        folder = Path(tmp)
        rows = []
        for name, fn in (
            ("asr", lambda: measure_asr(quick)),
            ("decode", lambda: measure_decode(quick, folder)),
            ("encoder", lambda: measure_encoder(quick, folder)),
            ("piper", lambda: measure_piper(quick)),
        ):
            try:
                rows.append(fn())
            except Exception as exc:  # a path that is detected but breaks: say so, go on
                rows.append(_row(name, None, f"failed: {type(exc).__name__}: {exc}"))
        return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="shorter clips and fewer runs")
    p.add_argument("--json", action="store_true", help="print the rows and the report as JSON")
    args = p.parse_args()
    report = gpu.gpu_report()
    rows = measure(quick=args.quick)
    if args.json:
        print(json.dumps({"report": report, "rows": rows}, indent=2))
        return
    for key, found in report.items():
        text = f"{found['value']}: {found['reason']}" if isinstance(found, dict) else found
        print(f"{key:<16} {text}")
    print()
    for row in rows:
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}x"
        print(f"{row['name']:<8} {ratio:>7}  {row['detail']}")


if __name__ == "__main__":
    main()
