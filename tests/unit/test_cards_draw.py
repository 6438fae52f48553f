"""Scene cards: deterministic, never blank, text visible over the background, every mood."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from reelgraph.errors import InvalidInput
from reelgraph.settings import get_settings
from reelgraph.workers.engine import fonts
from reelgraph.workers.engine.cards import MOODS, draw_card


@pytest.fixture(autouse=True, scope="module")
def _home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    mp = pytest.MonkeyPatch()
    mp.setenv("REELGRAPH_HOME", str(tmp_path_factory.mktemp("home")))  # fonts: machine cache
    get_settings.cache_clear()
    fonts.fonts_dir.cache_clear()
    fonts.font_file.cache_clear()
    yield
    mp.undo()
    get_settings.cache_clear()
    fonts.fonts_dir.cache_clear()
    fonts.font_file.cache_clear()


def _card(tmp_path: Path, name: str, **kw) -> np.ndarray:
    args = dict(
        title="The ocean at night",
        keywords=["bioluminescent", "waves"],
        index=1,
        mood="calm",
        width=270,
        height=480,
        out_path=tmp_path / f"{name}.png",
    )
    args.update(kw)
    path = draw_card(**args)
    return np.asarray(Image.open(path).convert("RGB")).astype(np.int16)


@pytest.mark.parametrize("mood", MOODS)
def test_cards_are_never_blank(tmp_path: Path, mood: str) -> None:
    img = _card(tmp_path, mood, mood=mood)
    assert img.shape == (480, 270, 3)
    assert img.std() > 15, f"{mood} card is nearly flat"
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 500


def test_text_region_differs_from_background(tmp_path: Path) -> None:
    with_text = _card(tmp_path, "a")
    other_text = _card(tmp_path, "b", keywords=["mountains"])
    diff = np.abs(with_text - other_text).sum(axis=2) > 40
    h = diff.shape[0]
    band = diff[int(h * 0.3) : int(h * 0.7)]
    assert band.mean() > 0.03, "the key words are not visible in the centre"
    # the words are white over a coloured background: bright pixels exist only in the band
    bright = with_text.min(axis=2) > 235
    assert bright[int(h * 0.3) : int(h * 0.7)].sum() > 200


def test_deterministic_and_varies_with_index(tmp_path: Path) -> None:
    a = draw_card(
        title="t",
        keywords=["k"],
        index=3,
        mood="happy",
        width=200,
        height=200,
        out_path=tmp_path / "a.png",
    )
    b = draw_card(
        title="t",
        keywords=["k"],
        index=3,
        mood="happy",
        width=200,
        height=200,
        out_path=tmp_path / "b.png",
    )
    c = draw_card(
        title="t",
        keywords=["k"],
        index=4,
        mood="happy",
        width=200,
        height=200,
        out_path=tmp_path / "c.png",
    )
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_scale_draws_larger_and_long_words_fit(tmp_path: Path) -> None:
    img = _card(tmp_path, "s", scale=1.15, keywords=["Supercalifragilisticexpialidocious" * 2])
    assert img.shape[:2] == (round(480 * 1.15), round(270 * 1.15))
    assert img.std() > 15


def test_empty_keywords_fall_back_to_title_and_bad_scale_refused(tmp_path: Path) -> None:
    img = _card(tmp_path, "e", keywords=[], title="")
    assert img.std() > 15
    with pytest.raises(InvalidInput):
        _card(tmp_path, "x", scale=10)
