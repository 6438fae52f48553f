"""Burn build_ass output with real FFmpeg/libass: captions appear at word times, not before,
and a spec's look overrides (colours, position, font, size) show in the pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reelgraph.workers.engine.caption_files import write_spec_captions
from reelgraph.workers.engine.captions import build_ass, safe_margins
from reelgraph.workers.engine.compile import ass_filter
from reelgraph.workers.engine.ffmpeg import ffmpeg_capture
from reelgraph.workers.engine.fonts import fonts_dir
from reelgraph.workers.engine.spec import RenderSpec

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


def _burn(
    tmp_path: Path, w: int, h: int, t: float, **look: object
) -> tuple[np.ndarray, np.ndarray]:
    """(frame without, frame with) the captions of a spec with these look overrides at ``t``."""
    spec = RenderSpec.model_validate(
        {
            "duration": 3.0,
            "output": {"width": w, "height": h},
            "visuals": [{"kind": "card", "path": "unused.png", "duration": 3.0}],
            "captions": {"words": look.pop("words", WORDS), **look},
        }
    )
    ass = write_spec_captions(spec, tmp_path / "caps", ("ass",))["ass"]
    vf = ass_filter(ass, str(fonts_dir()))
    return _frame(w, h, t, None), _frame(w, h, t, vf)


def test_caption_color_override_paints_the_text(tmp_path: Path) -> None:
    """A yellow text colour gives yellow text pixels; the preset's white gives none."""
    plain = [{**w, "emphasis": False} for w in WORDS]  # emphasis is yellow in the preset
    bare, white = _burn(tmp_path, 1080, 1920, 2.1, style="clean", words=plain)
    _, yellow = _burn(tmp_path, 1080, 1920, 2.1, style="clean", words=plain, color="yellow")

    def yellowish(frame: np.ndarray) -> int:
        r, g, b = frame[..., 0], frame[..., 1], frame[..., 2]
        return int(((r > 200) & (g > 200) & (b < 90)).sum())

    assert yellowish(bare) == 0 and yellowish(white) < 50
    assert yellowish(yellow) > 2000, yellowish(yellow)


def test_highlight_color_override_marks_the_spoken_word(tmp_path: Path) -> None:
    _, red = _burn(tmp_path, 1080, 1920, 1.2, style="karaoke", highlight_color="#FF0000")
    r, g, b = red[..., 0], red[..., 1], red[..., 2]
    assert ((r > 200) & (g < 60) & (b < 60)).sum() > 1000  # "Hello" is being spoken, in red


@pytest.mark.parametrize(
    ("w", "h", "position", "band"),
    [
        (1080, 1920, "top", (0.0, 1 / 3)),
        (1920, 1080, "top", (0.0, 1 / 3)),
        (1080, 1920, "middle", (1 / 3, 2 / 3)),
        (1080, 1080, "bottom", (2 / 3, 1.0)),
    ],
)
def test_position_override_moves_the_block(tmp_path: Path, w, h, position, band) -> None:
    bare, during = _burn(tmp_path, w, h, 1.5, style="karaoke", position=position)
    rows = np.nonzero((np.abs(during - bare).sum(axis=2) > 30).any(axis=1))[0]
    assert rows.size > 0.02 * h, "no caption drawn"
    assert band[0] * h <= rows.min() and rows.max() <= band[1] * h, (rows.min(), rows.max())
    if position == "top":
        assert rows.min() >= 0.05 * h, "the caption sits under the status bar / header"


def test_font_and_size_overrides_change_the_text(tmp_path: Path) -> None:
    bare, small = _burn(tmp_path, 1080, 1920, 1.5, style="clean", size=40)
    _, large = _burn(tmp_path, 1080, 1920, 1.5, style="clean", size=120, font="Anton")

    def height(frame: np.ndarray) -> int:
        rows = np.nonzero((np.abs(frame - bare).sum(axis=2) > 30).any(axis=1))[0]
        return int(rows.max() - rows.min())

    assert height(large) > 2 * height(small)
