"""bench/gpu.py on a machine without a GPU: every row says so, with the reason."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from reelgraph.workers.engine import gpu


def _bench_gpu():
    path = Path(__file__).resolve().parents[2] / "bench" / "gpu.py"
    spec = importlib.util.spec_from_file_location("bench_gpu", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_measure_without_a_gpu_reports_why_for_every_path() -> None:
    if gpu.gpu_names() or gpu.cuda_device_count():
        pytest.skip("this machine has a GPU: bench/gpu.py measures it instead")
    rows = _bench_gpu().measure(quick=True)
    assert [r["name"] for r in rows] == ["asr", "decode", "encoder", "piper"]
    for row in rows:
        assert row["ratio"] is None
        assert row["detail"].startswith("no GPU on this machine: ")
        assert len(row["detail"]) > len("no GPU on this machine: ") + 10
