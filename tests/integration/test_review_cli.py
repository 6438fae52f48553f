"""`reelgraph create --review` with its answers on stdin (not a terminal): the storyboard and the
preview are printed, `e TEXT` plans again and asks again, `a` renders, `r` stops with exit 3."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ffprobe_json

pytestmark = pytest.mark.integration

CREATE = [sys.executable, "-m", "reelgraph.app.cli", "create", "-q"]
FLAGS = ["--size", "360x640", "--fps", "15", "--music", "none", "--quality", "draft", "--review"]


def _create(tmp_path: Path, answers: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CREATE, "Octopuses have three hearts.", *FLAGS, "-o", str(tmp_path / "octo.mp4")],
        input=answers,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )


def test_review_on_stdin_edit_then_approve(tmp_path: Path) -> None:
    res = _create(tmp_path, "what?\ne Their blood is blue.\na\n")
    assert res.returncode == 0, res.stderr + res.stdout
    out = res.stdout
    assert out.count("review: 'Octopuses have three hearts'") == 2, out
    assert "not an answer: 'what?'" in out
    assert "  1.   " in out and "Octopuses have three hearts. Their blood is blue." in out
    previews = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("preview:")]
    assert len(previews) == 2
    stream = next(s for s in ffprobe_json(previews[0])["streams"] if s["codec_type"] == "video")
    assert max(int(stream["width"]), int(stream["height"])) <= 640
    assert (tmp_path / "octo.mp4").is_file()
    assert "blood is blue" in (tmp_path / "octo.srt").read_text().replace("\n", " ")


def test_review_on_stdin_reject_renders_nothing(tmp_path: Path) -> None:
    res = _create(tmp_path, "r\n")
    assert res.returncode == 3, res.stderr + res.stdout
    assert "rejected" in res.stdout and not (tmp_path / "octo.mp4").exists()


def test_review_without_an_answer_fails_with_a_sentence(tmp_path: Path) -> None:
    res = _create(tmp_path, "")
    assert res.returncode == 1
    assert "no answer" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "octo.mp4").exists()
