"""`reelgraph chat` driven through standard input: each message writes DIR/vN.mp4 and sidecars;
:versions and :undo work; a follow-up re-renders without narrating again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ffprobe_json

pytestmark = pytest.mark.integration

LINES = [
    "Octopuses have three hearts and blue blood.",
    "make the captions yellow",
    "sing me a song",
    ":versions",
    ":undo",
    ":quit",
    "this line is never read",
]


def test_chat_reads_messages_from_stdin_and_writes_one_version_each(tmp_path: Path) -> None:
    out = tmp_path / "chat out"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "reelgraph.app.cli",
            "chat",
            "-q",
            "-o",
            str(out),
            "--size",
            "180x320",
            "--fps",
            "15",
            "--quality",
            "draft",
            "--music",
            "none",
        ],
        input="\n".join(LINES) + "\n",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    lines = res.stdout.splitlines()
    assert f"video: {out / 'v1.mp4'}" in lines and f"video: {out / 'v2.mp4'}" in lines
    assert any(line.startswith("Version 2 is ready") for line in lines)
    assert any("nothing changed" in line for line in lines)  # the song: no version
    assert f"v2: caption colour yellow  {out / 'v2.mp4'}" in lines  # :versions
    assert any(line.startswith("Version 3 is ready") and "undone" in line for line in lines)
    assert sorted(p.name for p in out.glob("*.mp4")) == ["v1.mp4", "v2.mp4", "v3.mp4"]
    for name in ("v1", "v2", "v3"):
        assert float(ffprobe_json(out / f"{name}.mp4")["format"]["duration"]) > 0
        assert (out / f"{name}.srt").is_file() and (out / f"{name}.spec.json").is_file()
    report = json.loads((out / "v2.report.json").read_text())
    assert report["version"] == 2 and "narrate_scenes" in report["reused"]
    assert "narrate_scenes" not in report["recomputed"] and "render" in report["recomputed"]
    spec = json.loads((out / "v2.spec.json").read_text())
    assert spec["captions"]["color"] == "yellow"


def _chat_review(out: Path, lines: list[str]) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "reelgraph.app.cli", "chat", "-q", "--review", "-o", str(out)]
    argv += ["--size", "180x320", "--fps", "15", "--quality", "draft", "--music", "none"]
    return subprocess.run(
        argv, input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=600
    )


def test_chat_review_stops_each_new_plan_for_an_answer(tmp_path: Path) -> None:
    out = tmp_path / "reviewed"
    res = _chat_review(out, ["Octopuses have three hearts.", "", "looks good", ":quit"])
    assert res.returncode == 0, res.stderr
    assert "review: " in res.stdout and "preview: " in res.stdout  # the storyboard was shown
    assert sorted(p.name for p in out.glob("*.mp4")) == ["v1.mp4"]
    assert float(ffprobe_json(out / "v1.mp4")["format"]["duration"]) > 0
    rejected = tmp_path / "rejected"
    res = _chat_review(rejected, ["Octopuses have three hearts.", "reject", ":quit"])
    assert res.returncode == 0, res.stderr
    assert "review: " in res.stdout and not list(rejected.glob("*.mp4"))  # nothing rendered
