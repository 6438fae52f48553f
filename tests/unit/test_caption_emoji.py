"""Caption emoji: the keyword table with simple stems, the colour PNGs, and where the overlays
go (after the matching line, for as long as it shows, and nowhere else)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from reelgraph.workers.engine.caption_emoji import (
    emoji_for,
    emoji_overlays,
    emoji_png,
    line_emoji,
    with_emoji,
)
from reelgraph.workers.engine.caption_layout import SAFE_ZONES
from reelgraph.workers.engine.captions import Word
from reelgraph.workers.engine.emoji_table import EMOJI
from reelgraph.workers.engine.spec import Captions, RenderSpec


@pytest.mark.parametrize(
    ("word", "emoji"),
    [
        ("fire", "🔥"),
        ("Fire!", "🔥"),
        ("burning", "🔥"),
        ("money's", "💰"),
        ("ideas,", "💡"),
        ("dogs", "🐶"),
        ("parties", "🎉"),
        ("happier", "😀"),
        ("ROCKET.", "🚀"),
    ],
)
def test_keywords_and_their_stems_name_an_emoji(word: str, emoji: str) -> None:
    assert emoji_for(word) == emoji


@pytest.mark.parametrize("word", ["the", "like", "up", "new", "time", "", "{\\pos(1,1)}", "fir"])
def test_other_words_name_none(word: str) -> None:
    assert emoji_for(word) is None


def test_a_line_takes_the_emoji_of_its_first_keyword() -> None:
    line = [Word("so", 0, 1), Word("much", 1, 2), Word("money", 2, 3), Word("fire", 3, 4)]
    found = line_emoji(line)
    assert found is not None and found[0] == "💰" and found[1].text == "money"
    assert line_emoji([Word("plain", 0, 1), Word("words", 1, 2)]) is None


def test_the_table_is_lower_case_single_words() -> None:
    assert all(k == k.lower() and k.isalpha() for k in EMOJI)


def test_emoji_png_is_square_coloured_and_cached() -> None:
    path = emoji_png("🔥", 64)
    assert emoji_png("🔥", 64) == path  # the same file, drawn once
    im = np.asarray(Image.open(path).convert("RGBA"), dtype=int)
    assert im.shape == (64, 64, 4)
    opaque = im[im[..., 3] > 200]
    saturation = opaque[:, :3].max(axis=1) - opaque[:, :3].min(axis=1)
    assert len(opaque) > 64 * 64 * 0.2 and (saturation > 100).mean() > 0.3


def _spec(text_a: str, text_b: str, **caps: object) -> RenderSpec:
    words = [
        {"text": t, "start": round(i * 0.3, 2), "end": round(i * 0.3 + 0.25, 2)}
        for i, t in enumerate(text_a.split())
    ]
    words += [
        {"text": t, "start": round(3 + i * 0.3, 2), "end": round(3 + i * 0.3 + 0.25, 2)}
        for i, t in enumerate(text_b.split())
    ]
    return RenderSpec(
        duration=6,
        output={"width": 1080, "height": 1920},
        visuals=[{"kind": "card", "path": "bg.png", "duration": 6}],
        captions=Captions(words=words, style="clean", **caps),  # type: ignore[arg-type]
    )


def test_one_overlay_right_of_the_matching_line_for_its_time() -> None:
    spec = _spec("plain words here.", "this is on fire", emoji=True)
    overlays = emoji_overlays(spec)
    assert len(overlays) == 1
    ov = overlays[0]
    assert ov.kind == "image" and Path(ov.path).is_file()
    assert ov.start == pytest.approx(3.0) and ov.end == pytest.approx(3 + 3 * 0.3 + 0.25 + 0.4)
    assert 0.5 < ov.x < 1 - 0.05  # after the centred text, inside the frame
    assert 0.6 < ov.y < 0.8  # on the bottom caption line
    assert with_emoji(spec).overlays == overlays
    off = _spec("plain words here.", "this is on fire")
    assert emoji_overlays(off) == [] and with_emoji(off) is off


def test_the_emoji_moves_with_a_caption_moved_off_a_face() -> None:
    face = {"start": 2.5, "end": 5.0, "x": 0.2, "y": 0.6, "w": 0.6, "h": 0.35}
    spec = _spec(
        "plain words here.",
        "this is on fire",
        emoji=True,
        avoid=[face],
        safe_area=vars(SAFE_ZONES["none"]),
    )
    (ov,) = emoji_overlays(spec)
    assert ov.y < 0.2  # the caption went to the top, the emoji with it
