"""Big animated figures on scene cards: the scene's number counts up and grows in.

The first number a scene says ("3", "1,200", "40%", "$5", "three") is drawn as an animation
strip: ``FRAMES`` pictures of the figure stacked top to bottom in one transparent PNG, the
value counting up from zero with an ease-out while it scales from 60% to full size. The render
shows the strip as an overlay whose crop steps through the pictures (``Overlay.frames``), so the
animation is part of the one FFmpeg pass; the last picture (the number itself) is held.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from reelgraph.workers.engine.cache import get_cache, make_key
from reelgraph.workers.engine.fonts import load_font

NAMESPACE = "card-figures"
VERSION = 1
#: Pictures in a strip and the rate they are shown at: a 0.8 s count-up.
FRAMES = 20
FRAME_RATE = 25.0
FAMILY = "Anton"
_NUMBER = re.compile(r"(?<![\w.])([$€£]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%|k|m|bn)?(?![\w])")
_WORDS_TEXT = """
zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
sixteen seventeen eighteen nineteen twenty
"""
_WORDS = {w: i for i, w in enumerate(_WORDS_TEXT.split())}
_WORDS |= {"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "thousand": 1000}
_WORDS |= {"million": 1_000_000}


@dataclass(frozen=True)
class Figure:
    """A number as the card shows it: prefix, value, decimals, suffix."""

    prefix: str
    value: float
    decimals: int
    suffix: str

    def text(self, progress: float = 1.0) -> str:
        """The figure at ``progress`` (0..1) of its count-up."""
        v = self.value * progress
        number = f"{v:,.{self.decimals}f}" if self.decimals else f"{round(v):,}"
        return f"{self.prefix}{number}{self.suffix}"


def find_figure(text: str) -> Figure | None:
    """The first number ``text`` says, in digits or as a word (one..twenty, hundred...)."""
    m = _NUMBER.search(text)
    if m:
        prefix, digits, frac, suffix = m.group(1), m.group(2), m.group(3) or "", m.group(4) or ""
        value = float(digits.replace(",", "") + frac)
        return Figure(prefix, value, len(frac) - 1 if frac else 0, suffix.upper().rstrip("N"))
    for raw in text.split():
        word = re.sub(r"[^a-z]", "", raw.lower())
        if word in _WORDS and word not in ("zero", "one"):  # "one" is mostly not a count
            return Figure("", float(_WORDS[word]), 0, "")
    return None


def _ease(x: float) -> float:
    return 1 - (1 - x) ** 3


def _frame(
    fig: Figure, progress: float, w: int, h: int, accent: tuple[int, int, int]
) -> Image.Image:
    scale = 0.6 + 0.4 * _ease(progress)
    size = max(8, round(h * 0.8 * scale))
    text = fig.text(_ease(progress))
    font = load_font(FAMILY, size, "regular")
    while font.getlength(fig.text(1.0)) > w * 0.95 and size > 8:
        size = int(size * 0.9)
        font = load_font(FAMILY, size, "regular")
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    shadow = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    off = max(2, size // 16)
    ImageDraw.Draw(shadow).text(
        (w / 2 + off, h / 2 + off), text, font=font, fill=(0, 0, 0, 160), anchor="mm"
    )
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(1, size // 14)))
    ImageDraw.Draw(layer).text(
        (w / 2, h / 2),
        text,
        font=font,
        fill=(*accent, 255),
        anchor="mm",
        stroke_width=max(1, size // 24),
        stroke_fill=(20, 20, 30, 255),
    )
    return Image.alpha_composite(shadow, layer)


def figure_strip(
    fig: Figure, width: int, height: int, accent: tuple[int, int, int], frames: int = FRAMES
) -> Path:
    """The strip PNG (``frames`` pictures of ``width`` x ``height``, stacked); cached."""
    params = {"f": fig.text(), "w": width, "h": height, "a": list(accent), "n": frames}
    key = make_key(NAMESPACE, {**params, "v": VERSION})
    path = get_cache().root / NAMESPACE / key[:2] / f"{key}.png"
    if path.is_file():
        return path
    strip = Image.new("RGBA", (width, height * frames), (0, 0, 0, 0))
    for k in range(frames):
        progress = k / max(1, frames - 1)
        strip.paste(_frame(fig, progress, width, height, accent), (0, k * height))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    strip.save(tmp, format="PNG")
    os.replace(tmp, path)
    return path


def strip_size(out_w: int, out_h: int) -> tuple[int, int]:
    """The figure's box on an ``out_w`` x ``out_h`` frame: 70% wide, about a fifth high."""
    w = max(16, math.floor(out_w * 0.7 / 2) * 2)
    h = max(16, math.floor(min(out_h * 0.2, out_w * 0.45) / 2) * 2)
    return w, h


__all__ = ["FRAMES", "FRAME_RATE", "Figure", "figure_strip", "find_figure", "strip_size"]
