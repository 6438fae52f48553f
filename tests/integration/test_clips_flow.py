"""`reelgraph clips` end to end on a real talk: piper speech of five topics over a face.

Real transcription, face tracking and FFmpeg renders; the clips are checked against the
transcript's own sentence ends and with ffprobe and pixel probes of the rendered files.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ffprobe_json, frame_at
from tests.fixtures_talk import long_talk, silent_face, talk_dir  # noqa: F401  (pytest fixtures)
from tests.fixtures_video import talk_src, video_dir  # noqa: F401

pytestmark = pytest.mark.integration

W, H, FPS = 180, 320, 30
MIN_S, MAX_S = 6.0, 16.0
OPTIONS = ["--min-seconds", str(MIN_S), "--max-seconds", str(MAX_S), "--size", f"{W}x{H}"]
OPTIONS += ["--caption-position", "top", "--quality", "draft", "-q"]
FRAME = 1 / FPS + 1e-3
END_MARK = re.compile(r"[.!?][\"')\]]*$")


def _clips(source: Path, out: Path, *extra: str) -> int:
    from reelgraph.app.cli import main

    return main(["clips", str(source), "-o", str(out), *OPTIONS, *extra])


def check_sentence_bounds(words: list[dict[str, Any]], start: float, end: float) -> None:
    """[start, end) holds whole sentences of ``words``: no word crosses either edge, the first
    word inside follows a sentence end and the last one is one; little silence at the edges."""
    for w in words:  # no word straddles an edge
        for edge in (start, end):
            assert w["end"] <= edge + FRAME or w["start"] >= edge - FRAME, (w, edge)
    inside = [i for i, w in enumerate(words) if start - FRAME <= w["start"] < end]
    first, last = inside[0], inside[-1]
    assert first == 0 or END_MARK.search(words[first - 1]["text"]), words[first - 1]
    assert last == len(words) - 1 or END_MARK.search(words[last]["text"]), words[last]
    assert words[first]["start"] - start <= 0.15 + FRAME
    assert end - words[last]["end"] <= 0.35 + FRAME


def check_clip_file(path: Path, seconds: float, caption_time: float) -> None:
    """A 9:16 H.264 + AAC file of ``seconds``, captions burned at the top, the face centred."""
    info = ffprobe_json(path)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (W, H)
    assert any(s["codec_type"] == "audio" for s in info["streams"])
    assert float(info["format"]["duration"]) == pytest.approx(seconds, abs=0.1)
    frame = frame_at(path, caption_time).mean(axis=2)
    assert frame[: H // 4].max() > 235  # caption text (white) over the dark background
    assert frame[H // 2 - 10 : H // 2 + 10, W // 2 - 10 : W // 2 + 10].mean() > 150  # the face


def test_clips_are_whole_sentence_vertical_shorts(long_talk: Path, tmp_path: Path) -> None:
    out = tmp_path / "shorts"
    assert _clips(long_talk, out, "--count", "3") == 0
    doc = json.loads((out / "clips.json").read_text())
    words = json.loads((out / "transcript.json").read_text())["words"]
    clips = doc["clips"]
    assert len(clips) == 3 and doc["scoring"]["method"] == "heuristic"
    assert [c["file"] for c in clips] == ["clip-01.mp4", "clip-02.mp4", "clip-03.mp4"]
    assert [c["score"] for c in clips] == sorted((c["score"] for c in clips), reverse=True)
    for a, b in itertools.pairwise(sorted((c["start"], c["end"]) for c in clips)):
        assert a[1] <= b[0]  # none overlap
    for c in clips:
        assert MIN_S - 1e-6 <= c["end"] - c["start"] <= MAX_S + 1e-6
        assert c["title"] and c["hook"] and c["reason"] and 0 < c["score"] <= 1
        check_sentence_bounds(words, c["start"], c["end"])
        said = [w for w in words if c["start"] <= w["start"] < c["end"]]
        srt = (out / c["captions"]).read_text()
        assert said[0]["text"].strip(".,?!") in srt and said[-1]["text"].strip(".,?!") in srt
        check_clip_file(out / c["file"], c["end"] - c["start"], said[1]["start"] - c["start"])
    report = json.loads((out / "report.json").read_text())
    assert report["reframe"] and report["faces_found"] > 0 and len(report["clips"]) == 3

    again = tmp_path / "again"  # the analysis and the renders come from the cache
    assert _clips(long_talk, again, "--count", "3") == 0
    cache = json.loads((again / "report.json").read_text())["cache"]
    assert cache["transcribe"] == cache["faces"] == cache["render"] == "hit"
    assert json.loads((again / "clips.json").read_text())["clips"] == clips
    assert _clips(long_talk, again, "--count", "1") == 0  # the clips it no longer makes go
    assert sorted(p.name for p in again.glob("clip-*")) == ["clip-01.mp4", "clip-01.srt"]


def test_too_short_or_speechless_input_fails_cleanly(
    talk_src: Path, silent_face: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "none"
    assert _clips(talk_src, out, "--min-seconds", "15") == 1
    err = capsys.readouterr().err
    assert "shorter than the shortest clip (15 s)" in err and "--min-seconds" in err
    assert "Traceback" not in err and not out.exists()
    assert _clips(silent_face, out) == 1
    err = capsys.readouterr().err
    assert "No speech was recognised in silent.mp4" in err and not out.exists()
    assert _clips(silent_face, out, "--min-seconds", "20", "--max-seconds", "10") == 1
    assert "make min_seconds at most max_seconds" in capsys.readouterr().err
