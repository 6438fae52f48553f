"""Installed as a new user has it: one package, `reelgraph`, usable from any folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def _py(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)


def test_only_reelgraph_is_importable_outside_the_repository(tmp_path: Path) -> None:
    assert _py("import reelgraph.graph, reelgraph.app.cli, reelgraph.workers.engine", tmp_path)
    ok = _py("import reelgraph.graph.create, reelgraph.app.server", tmp_path)
    assert ok.returncode == 0, ok.stderr
    for name in ("graph", "app", "common", "nodes", "workers", "prompts"):
        res = _py(f"import {name}", tmp_path)
        assert res.returncode != 0 and "ModuleNotFoundError" in res.stderr, name


def test_console_script_lists_every_command_from_any_folder(tmp_path: Path) -> None:
    exe = shutil.which("reelgraph", path=str(Path(sys.executable).parent))
    assert exe, "the reelgraph console script is installed beside the interpreter"
    res = subprocess.run([exe, "--help"], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    for command in ("create", "caption", "analyze", "render", "serve", "worker", "doctor"):
        assert command in res.stdout
