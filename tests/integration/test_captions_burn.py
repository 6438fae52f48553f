"""Burn build_ass output with real FFmpeg/libass: captions appear at word times, not before."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reelgraph.workers.engine.captions import build_ass, safe_margins
from reelgraph.workers.engine.compile import ass_filter
from reelgraph.workers.engine.ffmpeg import ffmpeg_capture
from reelgraph.workers.engine.fonts import fonts_dir

pytestmark = pytest.mark.integration

BG = "0x203050"
WORDS = [
    {"text": "Hello", "start": 1.0, "end": 1.4},
    {"text": "{\\pos(5,5)}world", "start": 1.4, "end": 1.8, "emphasis": True},
    {"text": "again.", "start": 1.8, "end": 2.3},
]


def _frame(w: int, h: int, t: float, vf: str | None) -> np.ndarray:
    args = ["-f", "lavfi", "-i", f"color=c={BG}:s={w}x{h}:r=10:d=3"]
    if vf:
        args += ["-vf", vf]
    args += ["-ss", f"{t:.2f}", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    res = ffmpeg_capture(args, timeout=120)
    assert res.returncode == 0, res.stderr.decode(errors="replace")[-800:]
    return np.frombuffer(res.stdout, np.uint8).reshape(h, w, 3).astype(np.int16)


@pytest.mark.parametrize(
    ("w", "h", "style"),
    [(1080, 1920, "karaoke"), (1920, 1080, "pop"), (1080, 1080, "clean")],
)
def test_caption_visible_at_word_time_and_absent_before(tmp_path: Path, w, h, style) -> None:
    odd_dir = tmp_path / "we'ird, [dir]; x:y"  # filter-graph metacharacters in the path
    odd_dir.mkdir()
    ass = odd_dir / "captions.ass"
    ass.write_text(build_ass(WORDS, style=style, width=w, height=h), encoding="utf-8")
    vf = ass_filter(str(ass), str(fonts_dir()))

    bare = _frame(w, h, 1.5, None)
    before = _frame(w, h, 0.5, vf)
    during = _frame(w, h, 1.5, vf)

    assert np.array_equal(before, bare), "a caption is drawn before the first word"
    _, _, margin_v = safe_margins(w, h)
    diff = np.abs(during - bare).sum(axis=2) > 30
    rows = np.nonzero(diff.any(axis=1))[0]
    assert diff.sum() > 0.002 * w * h, f"no caption pixels at the word time ({diff.sum()})"
    assert rows.max() <= h - margin_v + 0.02 * h, "caption reaches into the bottom UI zone"
    assert rows.min() > h * 0.3, "caption escaped its position (override tag took effect?)"


def test_karaoke_highlight_moves_between_words(tmp_path: Path) -> None:
    ass = tmp_path / "k.ass"
    ass.write_text(build_ass(WORDS, style="karaoke", width=1080, height=1920), encoding="utf-8")
    vf = ass_filter(str(ass), str(fonts_dir()))
    first, second = _frame(1080, 1920, 1.2, vf), _frame(1080, 1920, 1.9, vf)
    assert (np.abs(first - second).sum(axis=2) > 30).sum() > 500
