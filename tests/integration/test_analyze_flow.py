"""analyze: metadata, the spoken words and the burned-in text, with times, as JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.fixtures_video import (  # noqa: F401  (pytest fixtures)
    BURNED_TEXT,
    TALK_TEXT,
    bad_src,
    talk_src,
    video_dir,
)

pytestmark = pytest.mark.integration


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def test_analyze_returns_speech_and_burned_text(talk_src: Path, tmp_path: Path) -> None:  # noqa: F811
    from graph.analyze import run_analyze

    res = run_analyze({"source": str(talk_src)}, {"every_n_frames": 30}, out_dir=tmp_path)
    doc = res["analysis"]
    assert doc["metadata"]["width"] == 320 and doc["metadata"]["has_audio"] is True
    spoken = {_norm(w["text"]) for w in doc["transcript"]["words"]}
    expected = {_norm(w) for w in TALK_TEXT.split()}
    assert len(spoken & expected) >= 0.7 * len(expected), spoken
    words = doc["transcript"]["words"]
    assert all(w["end"] >= w["start"] for w in words)
    assert words[-1]["end"] <= doc["metadata"]["duration"] + 0.05
    texts = doc["on_screen_text"]
    burned = [t for t in texts if _norm(t["text"]) == _norm(BURNED_TEXT)]
    assert len(burned) == 1, texts  # one item, deduplicated across every sampled frame
    assert burned[0]["start"] == 0.0
    assert burned[0]["end"] == pytest.approx(doc["metadata"]["duration"], abs=0.05)
    assert burned[0]["confidence"] > 0.8
    saved = json.loads(Path(res["artifacts"]["analysis.json"]).read_text())
    assert saved["on_screen_text"] == texts


def test_analyze_cli_json_and_no_audio(bad_src: dict[str, Path], tmp_path: Path,  # noqa: F811
                                       capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from app.cli import main

    out = tmp_path / "a.json"
    assert main(["analyze", str(bad_src["no_audio"]), "-o", str(out), "--every", "60", "-q"]) == 0
    doc = json.loads(out.read_text())
    assert doc["transcript"]["words"] == []
    assert any("no audio" in w for w in doc["warnings"])
    assert any(_norm(t["text"]) == _norm(BURNED_TEXT) for t in doc["on_screen_text"])
    capsys.readouterr()
    assert main(["analyze", str(bad_src["no_audio"]), "--every", "60"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["metadata"]["has_audio"] is False
    assert main(["analyze", str(bad_src["no_audio"]), "--every", "0"]) == 1
