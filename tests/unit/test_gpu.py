"""GPU detection (fake ffmpeg / nvidia-smi on a CPU machine), NVDEC argv, whisper and piper
device choice, and the software-decode retry."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from reelgraph.errors import Canceled, RenderFailed
from reelgraph.workers.engine import ffmpeg, gpu
from reelgraph.workers.engine.compile import compile_spec
from reelgraph.workers.engine.spec import RenderSpec

#: A stand-in ffmpeg: lists the cuda hwaccel, "encodes" by writing its output file, and exits 0
#: unless the argv holds the word in $FAKE_FFMPEG_FAIL.
FAKE_FFMPEG = """#!/bin/sh
for a in "$@"; do
  if [ -n "$FAKE_FFMPEG_FAIL" ] && [ "$a" = "$FAKE_FFMPEG_FAIL" ]; then
    echo "Device creation failed: -1." >&2; exit 1
  fi
  if [ "$a" = "-hwaccels" ]; then printf 'Hardware acceleration methods:\\nvdpau\\ncuda\\n'; fi
  if [ "$a" = "-version" ]; then echo "ffmpeg version fake"; fi
  last="$a"
done
case "$last" in */*.mp4) echo data > "$last";; esac
exit 0
"""


def _script(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def _clear() -> None:
    for fn in (ffmpeg.ffmpeg_binary, ffmpeg.trial_encode, gpu.nvdec_finding, gpu.gpu_report):
        fn.cache_clear()


@pytest.fixture
def fake_gpu_ffmpeg(tmp_path: Path, settings_env):
    settings_env(REELGRAPH_FFMPEG_BINARY=str(_script(tmp_path, "ffmpeg", FAKE_FFMPEG)))
    _clear()
    yield
    _clear()


@pytest.fixture
def real_ffmpeg(settings_env):
    settings_env(REELGRAPH_HWDECODE="auto", REELGRAPH_ENCODER="auto")
    _clear()
    yield
    _clear()


def test_fake_gpu_ffmpeg_detects_nvenc_and_nvdec(fake_gpu_ffmpeg) -> None:
    assert gpu.nvdec_finding().value == "cuda"
    assert gpu.use_hwdecode() is True
    assert gpu.encoder_finding() == gpu.Finding(
        "h264_nvenc", "a trial encode with h264_nvenc worked"
    )
    report = gpu.gpu_report()
    assert set(report) == {"gpus", "encoder", "nvdec", "whisper_device", "piper_provider"}
    assert report["nvdec"]["value"] == "on" and "worked" in report["nvdec"]["reason"]


def test_gpu_without_nvenc_engine_falls_back_to_libx264(fake_gpu_ffmpeg, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_FFMPEG_FAIL", "h264_nvenc")  # an H100: NVDEC, no NVENC
    found = gpu.encoder_finding()
    assert found.value == "libx264" and "NVENC" in found.reason
    assert ffmpeg.choose_encoder("auto") == "libx264"
    assert gpu.nvdec_finding().value == "cuda"


def test_failed_trial_decode_turns_nvdec_off_with_ffmpegs_reason(
    fake_gpu_ffmpeg, monkeypatch
) -> None:
    monkeypatch.setenv("FAKE_FFMPEG_FAIL", "cuda")
    found = gpu.hwdecode_finding()
    assert found.value == "off"
    assert "Device creation failed" in found.reason


def test_this_cpu_machine_finds_no_gpu_paths(real_ffmpeg) -> None:
    if gpu.gpu_names() or gpu.cuda_device_count():
        pytest.skip("this machine has a GPU (tests/unit/test_gpu.py fakes one elsewhere)")
    report = gpu.gpu_report()
    assert report["encoder"]["value"] == "libx264"
    assert report["nvdec"]["value"] == "off" and report["nvdec"]["reason"]
    assert report["whisper_device"]["value"] == "cpu/int8"
    assert report["piper_provider"]["value"] == gpu.CPU_PROVIDER


def test_hwdecode_setting_forces_either_way(fake_gpu_ffmpeg, settings_env) -> None:
    settings_env(REELGRAPH_HWDECODE="off")
    assert gpu.hwdecode_finding() == gpu.Finding("off", "REELGRAPH_HWDECODE=off")
    assert gpu.use_hwdecode() is False
    settings_env(REELGRAPH_HWDECODE="on")
    assert gpu.use_hwdecode() is True


def test_encoder_setting_is_honoured(settings_env) -> None:
    settings_env(REELGRAPH_ENCODER="libx264")
    assert gpu.encoder_finding() == gpu.Finding("libx264", "REELGRAPH_ENCODER=libx264")


def test_nvidia_smi_names_the_gpus(tmp_path: Path, monkeypatch) -> None:
    _script(tmp_path, "nvidia-smi", "#!/bin/sh\necho 'NVIDIA H200'\n")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert gpu.gpu_names() == ["NVIDIA H200"]


def test_whisper_device_follows_ctranslate2(monkeypatch) -> None:
    import ctranslate2

    from reelgraph.workers.engine import asr

    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 2)
    assert gpu.whisper_device() == ("cuda", "float16", "CTranslate2 sees 2 CUDA device(s)")
    assert asr.device_and_compute() == ("cuda", "float16")
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    assert asr.device_and_compute() == ("cpu", "int8")


def test_whisper_falls_back_to_cpu_when_cuda_fails_to_load(monkeypatch) -> None:
    import faster_whisper

    from reelgraph.workers.engine import asr

    seen: list[tuple[str, str]] = []

    def fake_model(path: str, device: str, compute_type: str, **kw: object) -> str:
        seen.append((device, compute_type))
        if device == "cuda":
            raise RuntimeError("CUDA failed with error no CUDA-capable device is detected")
        return "cpu-model"

    monkeypatch.setattr(faster_whisper, "WhisperModel", fake_model)
    assert asr._whisper("m", "cuda", "float16") == "cpu-model"
    assert seen == [("cuda", "float16"), ("cpu", "int8")]


def test_piper_provider_needs_the_cuda_build_and_a_device(monkeypatch) -> None:
    import ctranslate2
    import onnxruntime

    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: [gpu.CPU_PROVIDER])
    assert "onnxruntime-gpu" in gpu.piper_provider().reason
    cuda_build = [gpu.CUDA_PROVIDER, gpu.CPU_PROVIDER]
    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: cuda_build)
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    assert gpu.piper_provider().value == gpu.CPU_PROVIDER
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    assert gpu.piper_provider().value == gpu.CUDA_PROVIDER


def test_piper_loads_with_use_cuda_and_falls_back_to_cpu(monkeypatch) -> None:
    import piper

    from reelgraph.workers.engine import tts

    calls: list[bool] = []

    def fake_load(model: str, config: str, use_cuda: bool = False, **kw: object) -> str:
        calls.append(use_cuda)
        if use_cuda:
            raise RuntimeError("CUDA_PATH is set but CUDA wasn't able to be loaded")
        return "voice"

    monkeypatch.setattr(piper.PiperVoice, "load", staticmethod(fake_load))
    monkeypatch.setattr(gpu, "piper_provider", lambda: gpu.Finding(gpu.CUDA_PROVIDER, "test"))
    info = tts.VoiceInfo(
        name="x", engine="piper", model_path="/nonexistent/x.onnx", config_path="/x.json"
    )
    monkeypatch.setattr(tts, "_voices", {})
    assert tts._load_piper(info) == "voice"
    assert calls == [True, False]


def _video_spec() -> RenderSpec:
    return RenderSpec.model_validate(
        {
            "duration": 2,
            "output": {"width": 180, "height": 320, "fps": 30},
            "visuals": [{"kind": "video", "path": "/m/src.mp4", "duration": 2}],
            "overlays": [
                {"kind": "image", "path": "/m/logo.png", "start": 0, "end": 2},
                {"kind": "video", "path": "/m/broll.mp4", "start": 0.5, "end": 1.5},
            ],
            "audio": {"narration": "/m/voice.wav", "source_audio": False},
        }
    )


def _inputs(argv: list[str]) -> dict[str, list[str]]:
    """Each input path -> its options before ``-i``."""
    out, start = {}, 1
    for i, arg in enumerate(argv):
        if arg == "-i":
            out[argv[i + 1]] = argv[start:i]
            start = i + 2
    return out


def test_golden_argv_puts_hwaccel_cuda_on_video_inputs_only() -> None:
    inputs = _inputs(compile_spec(_video_spec(), "/o.mp4", hwdecode=True))
    assert inputs["/m/src.mp4"][:2] == ["-hwaccel", "cuda"]
    assert inputs["/m/broll.mp4"][:2] == ["-hwaccel", "cuda"]
    assert "-hwaccel" not in inputs["/m/logo.png"] + inputs["/m/voice.wav"]
    plain = compile_spec(_video_spec(), "/o.mp4")
    assert "-hwaccel" not in plain
    with_hw = compile_spec(_video_spec(), "/o.mp4", hwdecode=True)
    assert [a for a in with_hw if a not in ("-hwaccel", "cuda")] == plain


def test_fallback_runs_again_with_software_decoding() -> None:
    runs: list[bool] = []

    def run(hw: bool) -> None:
        runs.append(hw)
        if hw:
            raise RenderFailed("Render failed: Device setup failed for decoder")

    assert gpu.with_hwdecode_fallback(run, True, "Render") == "software (nvdec failed)"
    assert runs == [True, False]
    runs.clear()
    assert gpu.with_hwdecode_fallback(run, False, "Render") == "software"
    assert runs == [False]


def test_fallback_does_not_retry_a_cancel() -> None:
    runs: list[bool] = []

    def run(hw: bool) -> None:
        runs.append(hw)
        raise Canceled("The job was canceled.")

    with pytest.raises(Canceled):
        gpu.with_hwdecode_fallback(run, True, "Render")
    assert runs == [True]


def test_doctor_prints_one_line_per_gpu_path_with_its_reason(fake_gpu_ffmpeg, capsys) -> None:
    from reelgraph.app.commands.doctor import _check, _gpu, _print_check

    ok, info = _check(_gpu)
    _print_check("gpu", ok, info)
    lines = capsys.readouterr().out.splitlines()
    by_path = {ln.split()[2]: ln for ln in lines}
    assert set(by_path) == {f"gpu.{k}" for k in gpu.gpu_report()}
    assert "h264_nvenc: a trial encode with h264_nvenc worked" in by_path["gpu.encoder"]
    assert "on: a trial H.264 decode with -hwaccel cuda worked" in by_path["gpu.nvdec"]
    assert all(ln.startswith("[ok ]") for ln in lines)
