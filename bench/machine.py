"""The machine line at the top of the benchmark table: CPU, cores, RAM, FFmpeg, GPU, load."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def _ram_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.0f} GiB RAM"
    except OSError:
        pass
    return "RAM unknown"


def _gpu() -> str:
    """The GPUs nvidia-smi lists, or "no GPU"."""
    import subprocess

    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        names = [ln.split(":", 1)[1].split("(")[0].strip() for ln in out.splitlines() if ":" in ln]
        if names:
            return "GPU: " + ", ".join(names)
    return "GPU: /dev/nvidia0 present" if Path("/dev/nvidia0").exists() else "no GPU"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1/5/15 min)"


def machine_line() -> str:
    """CPU model, cores, RAM, FFmpeg version, GPU and the load average now, on one line."""
    from reelgraph.workers.engine.ffmpeg import ffmpeg_version

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"machine: {_cpu_model()}, {cores} cores, {_ram_gib()}, "
        f"{ffmpeg_version().split(' Copyright')[0]}, {_gpu()}; "
        f"load average {load_average()}; Python {sys.version.split()[0]}"
    )
