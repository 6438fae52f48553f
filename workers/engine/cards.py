"""Generated scene cards for scenes without user images: gradient, soft shapes, big key words.

Cards are deterministic (same arguments -> same PNG bytes) and never blank. They are drawn at
``scale`` times the output size so the renderer's Ken Burns motion has room to move.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import re
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from reelgraph.errors import InvalidInput
from reelgraph.workers.engine.fonts import covers, load_font
from reelgraph.workers.engine.scripts import SCRIPT_FAMILIES, joiner, split_words, text_script

logger = logging.getLogger(__name__)

RGB = tuple[int, int, int]
#: mood -> (gradient top, gradient bottom, accent)
PALETTES: dict[str, tuple[RGB, RGB, RGB]] = {
    "calm": ((28, 62, 96), (86, 160, 170), (190, 230, 225)),
    "happy": ((255, 170, 60), (240, 84, 110), (255, 236, 140)),
    "energetic": ((40, 10, 90), (230, 40, 90), (255, 210, 0)),
    "tender": ((214, 132, 160), (126, 100, 186), (255, 236, 224)),
    "nostalgic": ((120, 80, 50), (214, 170, 110), (250, 225, 180)),
    "dramatic": ((8, 8, 20), (90, 14, 30), (230, 60, 40)),
}
MOODS = tuple(PALETTES)
FONT_FAMILY = "Anton"
SUB_FAMILY = "Montserrat"


def _rng(*parts: object) -> random.Random:
    seed = hashlib.sha256(repr(parts).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def _gradient(w: int, h: int, top: RGB, bottom: RGB, angle: float) -> Image.Image:
    """Linear gradient along ``angle`` (radians) with a soft vignette; float math in numpy."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (x / w - 0.5) * np.sin(angle) + (y / h - 0.5) * np.cos(angle) + 0.5
    t = np.clip(t, 0.0, 1.0)[..., None]
    img = np.array(top, np.float32) * (1 - t) + np.array(bottom, np.float32) * t
    r = np.sqrt(((x / w - 0.5) * 1.6) ** 2 + ((y / h - 0.5) * 1.2) ** 2)[..., None]
    img *= np.clip(1.08 - 0.35 * r, 0.6, 1.1)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def _shapes(w: int, h: int, accent: RGB, rng: random.Random) -> Image.Image:
    """Soft circles and bars on a transparent layer (drawn small, blurred, scaled up)."""
    sw, sh = max(8, w // 4), max(8, h // 4)
    layer = Image.new("RGBA", (sw, sh), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(rng.randint(3, 5)):
        r = rng.uniform(0.12, 0.35) * min(sw, sh)
        cx, cy = rng.uniform(0, sw), rng.uniform(0, sh)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*accent, rng.randint(40, 90)))
    for _ in range(rng.randint(1, 3)):
        y0 = rng.uniform(0, sh)
        bar_h = rng.uniform(0.02, 0.06) * sh
        draw.rectangle((0, y0, sw, y0 + bar_h), fill=(255, 255, 255, rng.randint(20, 45)))
    layer = layer.filter(ImageFilter.GaussianBlur(max(1.0, min(sw, sh) * 0.03)))
    return layer.resize((w, h), Image.Resampling.BILINEAR)


def _wrap(words: list[str], font: ImageFont.FreeTypeFont, max_w: float) -> list[str]:
    lines: list[str] = []
    for i, word in enumerate(words):
        trial = f"{lines[-1]}{joiner(words[i - 1], word)}{word}" if lines else word
        if lines and font.getlength(trial) <= max_w:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


#: Vertical centre of the key-word block and its height budget, as fractions of the card's
#: height: the block stays in the upper part, clear of the captions in the lower third.
TEXT_CENTRE = 0.37
TEXT_MAX_H = 0.4
#: Width budget: the renderer's Ken Burns moves (zoom up to 1.2 with a pan) keep only about the
#: middle 77% of the width visible for a whole clip, so the words stay inside it.
TEXT_MAX_W = 0.72
#: With a phrase the card leaves its upper part to an emoji or a figure (``card_figures``, drawn
#: by the render in the emoji's place): the emoji's size and centre, the phrase's centre and
#: height budget, and the figure's centre.
EMOJI_SIZE = 0.26
EMOJI_CENTRE = 0.19
PHRASE_CENTRE = 0.40
PHRASE_MAX_H = 0.2
FIGURE_CENTRE = EMOJI_CENTRE


def family_for(text: str, family: str) -> str:
    """``family`` when it draws every character of ``text``, else the font of its script."""
    if covers(family, text):
        return family
    return SCRIPT_FAMILIES.get(text_script(text), family)


def _fit_text(
    words: list[str], w: int, h: int, max_h: float = TEXT_MAX_H
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font size whose wrapped lines fit in TEXT_MAX_W and ``max_h``."""
    size = int(min(w, h) * 0.2)
    family = family_for("".join(words), FONT_FAMILY)
    while True:
        font = load_font(family, size, "regular")
        lines = _wrap(words, font, w * TEXT_MAX_W)
        widest = max(font.getlength(line) for line in lines)
        if (widest <= w * TEXT_MAX_W and len(lines) * size * 1.15 <= h * max_h) or size <= 12:
            return font, lines
        size = int(size * 0.9)


def _draw_text(
    card: Image.Image,
    lines: list[str],
    font: ImageFont.FreeTypeFont,
    subtitle: str,
    accent: RGB,
    centre: float = TEXT_CENTRE,
) -> Image.Image:
    w, h = card.size
    size = int(font.size)
    block_h = int(len(lines) * size * 1.15)
    y0 = max(0, int(h * centre) - block_h // 2)
    text_layer = Image.new("RGBA", card.size, (0, 0, 0, 0))
    shadow = Image.new("RGBA", card.size, (0, 0, 0, 0))
    td, sd = ImageDraw.Draw(text_layer), ImageDraw.Draw(shadow)
    off = max(2, size // 18)
    for i, line in enumerate(lines):
        y = y0 + int(i * size * 1.15)
        sd.text((w / 2 + off, y + off), line, font=font, fill=(0, 0, 0, 170), anchor="mt")
        td.text((w / 2, y), line, font=font, fill=(255, 255, 255, 255), anchor="mt")
    if subtitle:
        sub = load_font(family_for(subtitle, SUB_FAMILY), max(12, size // 3), "bold")
        y = y0 + block_h + size // 3
        sd.text((w / 2 + off, y + off), subtitle, font=sub, fill=(0, 0, 0, 150), anchor="mt")
        td.text((w / 2, y), subtitle, font=sub, fill=(*accent, 255), anchor="mt")
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(2, size // 14)))
    out = Image.alpha_composite(card.convert("RGBA"), shadow)
    return Image.alpha_composite(out, text_layer).convert("RGB")


def key_phrase(narration: str, keywords: list[str], max_words: int = 7) -> str:
    """The scene's key phrase: its clause holding most key words, when short enough; else
    its key words. Set in title case."""
    keys = {k.lower() for k in keywords if k}
    clauses = [c.strip() for c in re.split(r"[,;:.!?—–]+", narration) if c.strip()]
    best = max(
        clauses,
        key=lambda c: sum(w.strip("'\"").lower() in keys for w in c.split()),
        default="",
    )
    words = best.split()
    hits = sum(w.strip("'\"").lower() in keys for w in words)
    if not words or len(words) > max_words or not hits:
        words = [k for k in keywords if k][:3]
    return " ".join(w[:1].upper() + w[1:] for w in words)


def scene_emoji(keywords: list[str], narration: str) -> str | None:
    """The emoji of a scene: of its first key word that names one, else of its narration."""
    from reelgraph.workers.engine.caption_emoji import emoji_for

    for word in [*keywords, *narration.split()]:
        char = emoji_for(word)
        if char:
            return char
    return None


def _paste_emoji(card: Image.Image, char: str) -> Image.Image:
    """The emoji, large, centred in the card's upper part (skipped without OpenMoji)."""
    from reelgraph.errors import DependencyMissing
    from reelgraph.workers.engine.caption_emoji import emoji_png

    w, h = card.size
    px = max(16, round(min(w, h) * EMOJI_SIZE))
    try:
        glyph = Image.open(emoji_png(char, px)).convert("RGBA")
    except DependencyMissing as exc:
        logger.info("card emoji skipped: %s", exc)
        return card
    out = card.convert("RGBA")
    out.alpha_composite(glyph, (w // 2 - px // 2, round(h * EMOJI_CENTRE) - px // 2))
    return out.convert("RGB")


def _words_for(title: str, keywords: list[str]) -> tuple[list[str], str]:
    key = [k.strip() for k in keywords if k and k.strip()][:4]
    words = split_words(" ".join(key).upper()) or split_words(title.upper())
    subtitle = title.strip() if key and title.strip() else ""
    if len(subtitle) > 48:
        subtitle = subtitle[:47].rstrip() + "…"
    return words or ["…"], subtitle


def draw_card(
    *,
    title: str,
    keywords: list[str],
    index: int,
    mood: str,
    width: int,
    height: int,
    out_path: Path,
    scale: float = 1.0,
    phrase: str = "",
    emoji: str | None = None,
) -> Path:
    """Draw one scene card (PNG) at ``scale`` x (width, height); deterministic; never blank.

    With ``phrase`` the card shows it as a title (instead of the key words and ``title``), and
    with ``emoji`` that emoji large above it (where a figure goes when the scene has one).
    """
    if not (1.0 <= scale <= 3.0) or width < 16 or height < 16:
        raise InvalidInput(f"Card size {width}x{height} at scale {scale} is out of range.")
    palette = PALETTES.get(mood.lower()) if mood else None
    if palette is None:
        logger.info("unknown mood %r for card %d; using 'calm'", mood, index)
        palette = PALETTES["calm"]
    w, h = round(width * scale), round(height * scale)
    rng = _rng(title, list(keywords), index, mood, w, h)
    top, bottom, accent = palette
    card = _gradient(w, h, top, bottom, angle=rng.uniform(-0.6, 0.6) + (index % 3) * 0.3)
    card = Image.alpha_composite(card.convert("RGBA"), _shapes(w, h, accent, rng)).convert("RGB")
    if phrase:
        words = split_words(phrase) or ["…"]
        font, lines = _fit_text(words, w, h, PHRASE_MAX_H)
        card = _draw_text(card, lines, font, "", accent, PHRASE_CENTRE)
        if emoji:
            card = _paste_emoji(card, emoji)
    else:
        words, subtitle = _words_for(title, keywords)
        font, lines = _fit_text(words, w, h)
        card = _draw_text(card, lines, font, subtitle, accent)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".partial", dir=out_path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            card.save(fh, format="PNG", compress_level=3)
        os.replace(tmp, out_path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out_path
