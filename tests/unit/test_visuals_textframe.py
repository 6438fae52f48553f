"""Frames full of text are skipped: the OCR's text boxes against the picture's area."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from reelgraph.workers.engine.fonts import load_font
from reelgraph.workers.engine.visuals.textframe import MAX_TEXT_SHARE, is_text_frame, text_share


def _slide() -> Image.Image:
    img = Image.new("RGB", (640, 360), (250, 250, 250))
    draw = ImageDraw.Draw(img)
    font = load_font("Montserrat", 44, "bold")
    for i, line in enumerate(["QUARTERLY RESULTS", "Revenue grew by", "forty percent", "SALE"]):
        draw.text((30, 20 + i * 82), line, font=font, fill=(20, 20, 20))
    return img


def _photo() -> Image.Image:
    rng = np.random.default_rng(3)
    blocks = rng.integers(0, 256, (5, 9, 3), dtype=np.uint8)
    return (
        Image.fromarray(blocks)
        .resize((640, 360), Image.Resampling.BICUBIC)
        .filter(ImageFilter.GaussianBlur(6))
    )


def test_a_slide_of_text_is_a_text_frame() -> None:
    share = text_share(_slide())
    assert share > MAX_TEXT_SHARE
    assert is_text_frame(share)


def test_a_picture_without_text_is_kept() -> None:
    share = text_share(_photo())
    assert share < MAX_TEXT_SHARE / 2
    assert not is_text_frame(share)
