"""`reelgraph doctor`: what this machine can do (FFmpeg, encoders, voice, ASR, fonts, GPU)."""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Callable
from typing import Any

REQUIRED_FILTERS = ("ass", "zoompan", "xfade", "sidechaincompress", "amix", "loudnorm")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("doctor", help="check FFmpeg, encoders, voice, ASR model, fonts and GPU")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument(
        "--remeasure-asr",
        action="store_true",
        help="measure the ASR models' speed again for --asr-model auto (run on an idle machine)",
    )
    p.set_defaults(func=run)


def _check(fn: Callable[[], Any]) -> tuple[bool, Any]:
    try:
        return True, fn()
    except Exception as exc:  # doctor reports problems, it does not crash on them
        return False, getattr(exc, "message", None) or str(exc)


def _ffmpeg() -> dict[str, Any]:
    from reelgraph.workers.engine.ffmpeg import ffmpeg_binary, ffmpeg_capture, ffmpeg_version

    filters = ffmpeg_capture(["-filters"], timeout=30).stdout.decode("utf-8", "replace")
    names = {ln.split()[1] for ln in filters.splitlines() if len(ln.split()) > 2}
    missing = [f for f in REQUIRED_FILTERS if f not in names]
    if missing:
        raise RuntimeError(f"{ffmpeg_binary()} lacks filters: {', '.join(missing)}")
    return {"binary": ffmpeg_binary(), "version": ffmpeg_version(), "filters": "all required"}


def _encoders() -> dict[str, Any]:
    from reelgraph.workers.engine.ffmpeg import choose_encoder, trial_encode

    return {
        "libx264": trial_encode("libx264"),
        "h264_nvenc": trial_encode("h264_nvenc"),
        "chosen": choose_encoder("auto"),
    }


def _voice() -> Any:
    from reelgraph.workers.engine.tts import list_voices, resolve_voice

    v = resolve_voice(None)
    return {
        "default": getattr(v, "name", str(v)),
        "voices": [getattr(x, "name", str(x)) for x in list_voices()],
    }


def _asr() -> Any:
    from reelgraph.workers.engine.asr import resolve_model

    out: dict[str, Any] = {"tiny.en": resolve_model("tiny.en")}
    ok, base = _check(lambda: resolve_model("base"))
    out["base"] = base if ok else f"not installed ({base})"
    ok, auto = _check(_asr_auto)
    out["auto"] = auto if ok else f"not available ({auto})"
    return out


def _asr_auto() -> dict[str, Any]:
    """The model ``--asr-model auto`` uses here and why (measured once per machine)."""
    from reelgraph.workers.engine.asr_auto import auto_choice

    choice = auto_choice()
    return {"model": choice["model"], "reason": choice["reason"], "measured": choice["rtf"]}


def _fonts() -> Any:
    from reelgraph.workers.engine.fonts import font_family_names, fonts_dir

    return {"dir": str(fonts_dir()), "families": font_family_names()}


def _gpu() -> Any:
    """Each GPU path's choice here with its reason (``workers.engine.gpu``)."""
    from reelgraph.workers.engine.gpu import gpu_report

    return gpu_report()


def _ocr() -> Any:
    import rapidocr  # noqa: F401

    return {"rapidocr": True, "tesseract": bool(shutil.which("tesseract"))}


CHECKS: dict[str, Callable[[], Any]] = {
    "ffmpeg": _ffmpeg,
    "encoders": _encoders,
    "tts_voice": _voice,
    "asr_model": _asr,
    "fonts": _fonts,
    "gpu": _gpu,
    "ocr": _ocr,
}


def _print_check(name: str, ok: bool, info: Any) -> None:
    mark = "ok " if ok else "FAIL"
    if name == "gpu" and ok and isinstance(info, dict):  # one line per GPU path, with why
        for path, found in info.items():
            if isinstance(found, dict):
                text = f"{found['value']}: {found['reason']}"
            else:
                text = ", ".join(found) if isinstance(found, list) else str(found)
            print(f"[{mark}] {'gpu.' + path:<18} {text}")
        return
    text = json.dumps(info, default=str) if not isinstance(info, str) else info
    print(f"[{mark}] {name:<10} {text}")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "remeasure_asr", False):  # measured now; the check below reads it back
        from reelgraph.workers.engine.asr_auto import auto_choice

        _check(lambda: auto_choice(remeasure=True))
    results = {name: _check(fn) for name, fn in CHECKS.items()}
    if args.json:
        print(
            json.dumps(
                {k: {"ok": ok, "info": info} for k, (ok, info) in results.items()},
                indent=2,
                default=str,
            )
        )
    else:
        for name, (ok, info) in results.items():
            _print_check(name, ok, info)
    essential = ("ffmpeg", "encoders", "tts_voice", "fonts")
    return 0 if all(results[n][0] for n in essential) else 1
