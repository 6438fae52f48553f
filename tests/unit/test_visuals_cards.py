"""Cards about the scene: key phrase, emoji, animated figures; clip fitting; the strip overlay."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from reelgraph.nodes.scene_visuals import fit_clip
from reelgraph.workers.engine.card_figures import FRAMES, figure_strip, find_figure, strip_size
from reelgraph.workers.engine.cards import EMOJI_CENTRE, draw_card, key_phrase, scene_emoji


def test_find_figure_reads_digits_units_and_words() -> None:
    assert find_figure("In 2016, scientists found a city").text() == "2,016"  # type: ignore[union-attr]
    assert find_figure("It costs $5 a day").text() == "$5"  # type: ignore[union-attr]
    assert find_figure("Up 40% since May").text() == "40%"  # type: ignore[union-attr]
    assert find_figure("about 1,200 kilometres").text() == "1,200"  # type: ignore[union-attr]
    assert find_figure("pi is 3.14").text() == "3.14"  # type: ignore[union-attr]
    assert find_figure("Octopuses have three hearts").text() == "3"  # type: ignore[union-attr]
    assert find_figure("One day we left") is None
    fig = find_figure("1,200")
    assert fig is not None and fig.text(0.5) == "600" and fig.text(0) == "0"


def test_key_phrase_and_emoji_follow_the_key_words() -> None:
    narration = "Octopuses are clever animals, and they have three hearts."
    assert key_phrase(narration, ["hearts", "octopuses"]) == "Octopuses Are Clever Animals"
    assert (
        key_phrase("A very long clause about many things that goes on and on", ["things"])
        == "Things"
    )
    assert scene_emoji(["rocket", "launch"], "") == "🚀"
    assert scene_emoji(["zzzq"], "Money talks") == "💰"
    assert scene_emoji(["zzzq"], "Nothing here") is None


def _count_reddish(img: Image.Image, box: tuple[int, int, int, int]) -> int:
    a = np.asarray(img.crop(box)).astype(int)
    return int(((a[..., 0] > 150) & (a[..., 1] < 110) & (a[..., 2] < 110)).sum())


def test_card_draws_the_emoji_above_the_phrase(tmp_path: Path) -> None:
    args = dict(title="", keywords=["apple"], index=0, mood="calm", width=360, height=640)
    plain = Image.open(draw_card(**args, out_path=tmp_path / "a.png", phrase="Apple Pie"))
    emoji = Image.open(
        draw_card(**args, out_path=tmp_path / "b.png", phrase="Apple Pie", emoji="🍎")
    )
    y = round(640 * EMOJI_CENTRE)
    box = (120, y - 50, 240, y + 50)
    assert _count_reddish(emoji, box) > 800  # the red apple
    assert _count_reddish(plain, box) == 0


def test_figure_strip_counts_up_and_grows(tmp_path: Path) -> None:
    w, h = strip_size(360, 640)
    strip = Image.open(figure_strip(find_figure("40%"), w, h, (255, 210, 0)))  # type: ignore[arg-type]
    assert strip.size == (w, h * FRAMES)
    alpha = np.asarray(strip)[..., 3].reshape(FRAMES, h, w)
    inked = [(alpha[k] > 0).sum() for k in range(FRAMES)]
    assert inked[0] < inked[-1]  # "0%" small -> "40%" full size
    assert not np.array_equal(alpha[FRAMES // 2], alpha[-1])


def test_fit_clip_trims_slows_or_loops() -> None:
    assert fit_clip(10.0, 4.0) == {"start": 3.0, "speed": 1.0, "loop": False}
    assert fit_clip(3.0, 4.0) == {"start": 0.0, "speed": 0.75, "loop": False}
    assert fit_clip(1.0, 4.0) == {"start": 0.0, "speed": 1.0, "loop": True}
