"""Bad input: non-zero exit, one actionable sentence, no traceback, nothing left behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reelgraph.app.cli", "create", "-q", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=240,
        env=None,
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["", "-o", "{d}/o.mp4"], "prompt is empty"),
        (["hi there", "--images", "{d}/missing.png", "-o", "{d}/o.mp4"], "images[0]"),
        (["hi there", "--images", "{d}/notes.txt", "-o", "{d}/o.mp4"], "not an image"),
        (["hi there", "--audio", "{d}/bad.wav", "-o", "{d}/o.mp4"], "cannot be read"),
        (["hi there", "-o", "/proc/nope/o.mp4"], "does not exist"),
        (["hi there", "--size", "100000x20", "-o", "{d}/o.mp4"], "out of range"),
        (["hi there", "--duration", "99999", "-o", "{d}/o.mp4"], "out of range"),
        (["hi there", "--fps", "0", "-o", "{d}/o.mp4"], "out of range"),
    ],
)
def test_bad_input(tmp_path: Path, args: list[str], needle: str) -> None:
    (tmp_path / "notes.txt").write_text("just some text, not a picture")
    (tmp_path / "bad.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEgarbage" * 10)
    argv = [a.replace("{d}", str(tmp_path)) for a in args]
    res = _run(argv, Path(__file__).resolve().parents[2])
    assert res.returncode != 0
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and needle.lower() in lines[0].lower(), res.stderr
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith("o")]
    assert leftovers == []
