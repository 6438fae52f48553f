"""GPU paths: what this machine can use, found by trying it, each with the reason (one report).

- **encoder**: ``h264_nvenc`` where a real trial encode works (``ffmpeg.trial_encode``), else
  ``libx264``. Datacenter GPUs such as the H100 decode (NVDEC) but have no NVENC engine, so
  the encoder is never assumed from the GPU's presence.
- **nvdec**: FFmpeg decodes video inputs with ``-hwaccel cuda`` (frames come back to system
  memory, so the filter graph is unchanged) where a trial decode of a tiny H.264 clip works.
  ``REELGRAPH_HWDECODE=auto|on|off``; a run whose hardware decode fails runs again with
  software decoding (``with_hwdecode_fallback``), so ``on`` never costs a render.
- **whisper_device**: faster-whisper on ``cuda``/``float16`` when CTranslate2 sees a CUDA device,
  else ``cpu``/``int8``.
- **piper_provider**: piper's onnxruntime session on ``CUDAExecutionProvider`` when the installed
  onnxruntime has it (the ``onnxruntime-gpu`` build) and a CUDA device is visible, else CPU.

Every probe here is cheap except the trial encode and decode, which are cached per process.
``reelgraph doctor`` prints ``gpu_report()``.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reelgraph.errors import RenderFailed
from reelgraph.settings import get_settings
from reelgraph.workers.engine.ffmpeg import ffmpeg_capture, run_capture, trial_encode

logger = logging.getLogger(__name__)

#: The input options that make FFmpeg decode a video input on the GPU (NVDEC).
HWACCEL_ARGS = ("-hwaccel", "cuda")
CUDA_PROVIDER = "CUDAExecutionProvider"
CPU_PROVIDER = "CPUExecutionProvider"


@dataclass(frozen=True)
class Finding:
    """One GPU path's choice on this machine and why."""

    value: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _tail(data: bytes, limit: int = 160) -> str:
    lines = [ln.strip() for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
    return (lines[-1] if lines else "no output")[:limit]


def cuda_device_count() -> int:
    """CUDA devices CTranslate2 can use (0 when it cannot tell)."""
    try:
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # a broken CUDA install reads as no device
        logger.warning("CTranslate2's CUDA probe failed; taking it as no GPU", exc_info=True)
        return 0


def gpu_names() -> list[str]:
    """NVIDIA GPUs ``nvidia-smi`` lists here ([] without the tool or a driver)."""
    smi = shutil.which("nvidia-smi")
    if not smi:
        return []
    try:
        res = run_capture([smi, "--query-gpu=name", "--format=csv,noheader"], timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if res.returncode != 0:
        return []
    return [ln.strip() for ln in res.stdout.decode("utf-8", "replace").splitlines() if ln.strip()]


def ffmpeg_hwaccels() -> list[str]:
    """The hardware decoders this FFmpeg was built with (``ffmpeg -hwaccels``)."""
    out = ffmpeg_capture(["-hwaccels"], timeout=30).stdout.decode("utf-8", "replace")
    return [ln.strip() for ln in out.splitlines()[1:] if ln.strip()]


def trial_decode() -> tuple[bool, str]:
    """(ok, FFmpeg's last line): decode a tiny H.264 clip with ``-hwaccel cuda``."""
    with tempfile.TemporaryDirectory(prefix="reelgraph-nvdec-") as tmp:
        clip = str(Path(tmp) / "t.mp4")
        src = ["-f", "lavfi", "-i", "testsrc=s=256x144:r=30:d=0.2"]
        made = ffmpeg_capture(
            ["-v", "error", *src, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", clip], timeout=60
        )
        if made.returncode != 0:
            return False, "could not make the test clip: " + _tail(made.stderr)
        res = ffmpeg_capture(
            ["-v", "error", *HWACCEL_ARGS, "-i", clip, "-f", "null", "-"], timeout=60
        )
        return res.returncode == 0, _tail(res.stderr)


@lru_cache(maxsize=1)
def nvdec_finding() -> Finding:
    """``cuda`` when this FFmpeg decodes with ``-hwaccel cuda`` here, else ``none``."""
    if "cuda" not in ffmpeg_hwaccels():
        return Finding("none", "this FFmpeg was built without the cuda hwaccel")
    ok, last = trial_decode()
    if ok:
        return Finding("cuda", "a trial H.264 decode with -hwaccel cuda worked")
    return Finding("none", f"a trial H.264 decode with -hwaccel cuda failed: {last}")


def hwdecode_finding() -> Finding:
    """Whether renders decode video inputs with NVDEC: the setting, then the trial."""
    mode = get_settings().hwdecode
    if mode == "off":
        return Finding("off", "REELGRAPH_HWDECODE=off")
    if mode == "on":
        return Finding("on", "REELGRAPH_HWDECODE=on (software decoding again if it fails)")
    found = nvdec_finding()
    return Finding("on" if found.value == "cuda" else "off", found.reason)


def use_hwdecode() -> bool:
    """Decode video inputs with ``-hwaccel cuda`` (see ``hwdecode_finding``)."""
    return hwdecode_finding().value == "on"


def encoder_finding() -> Finding:
    """The video encoder renders use and why: the setting, else a trial encode."""
    wanted = get_settings().encoder
    if wanted not in ("auto", ""):
        return Finding(wanted, f"REELGRAPH_ENCODER={wanted}")
    if trial_encode("h264_nvenc"):
        return Finding("h264_nvenc", "a trial encode with h264_nvenc worked")
    return Finding(
        "libx264",
        "a trial encode with h264_nvenc failed here (no NVIDIA driver, or a GPU without an "
        "NVENC engine)",
    )


def whisper_device() -> tuple[str, str, str]:
    """(device, compute type, reason) for faster-whisper: cuda/float16 with a CUDA device."""
    n = cuda_device_count()
    if n > 0:
        return "cuda", "float16", f"CTranslate2 sees {n} CUDA device(s)"
    return "cpu", "int8", "CTranslate2 sees no CUDA device"


def piper_provider() -> Finding:
    """onnxruntime's provider for piper: CUDA when the build has it and a device is visible."""
    try:
        import onnxruntime

        providers = list(onnxruntime.get_available_providers())
    except Exception as exc:  # piper cannot run at all then; TTS falls back to espeak-ng
        return Finding(CPU_PROVIDER, f"onnxruntime is not importable ({exc})")
    if CUDA_PROVIDER not in providers:
        return Finding(
            CPU_PROVIDER,
            f"this onnxruntime has no {CUDA_PROVIDER} (install onnxruntime-gpu for it)",
        )
    if cuda_device_count() < 1:
        return Finding(CPU_PROVIDER, f"onnxruntime has {CUDA_PROVIDER} but no CUDA device is seen")
    return Finding(CUDA_PROVIDER, f"onnxruntime has {CUDA_PROVIDER} and a CUDA device is seen")


@lru_cache(maxsize=1)
def gpu_report() -> dict[str, Any]:
    """Every GPU path's choice on this machine with its reason (cached per process)."""
    device, compute, why = whisper_device()
    names = gpu_names()
    return {
        "gpus": names or "none found by nvidia-smi",
        "encoder": encoder_finding().to_dict(),
        "nvdec": hwdecode_finding().to_dict(),
        "whisper_device": Finding(f"{device}/{compute}", why).to_dict(),
        "piper_provider": piper_provider().to_dict(),
    }


def with_hwdecode_fallback(run: Callable[[bool], None], hwdecode: bool, what: str) -> str:
    """Run ``run(hwdecode)``; when it fails with hardware decoding, run ``run(False)``.

    Returns how the inputs were decoded: ``nvdec``, ``software``, or ``software (nvdec failed)``.
    A cancel or any other error is not retried.
    """
    if not hwdecode:
        run(False)
        return "software"
    try:
        run(True)
        return "nvdec"
    except RenderFailed as exc:
        logger.warning("%s with -hwaccel cuda failed (%s); again with software decoding", what, exc)
    run(False)
    return "software (nvdec failed)"
