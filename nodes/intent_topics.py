"""The intent parser's topics: what a clause about the music, the captions, the voice or the
whole video (length, shape, mood) asks for. Pure functions of the lower-cased clause; see
``nodes/intents.py``."""

from __future__ import annotations

import re
from typing import Any

from PIL import ImageColor

from reelgraph.workers.engine.captions_look import BUNDLED_FAMILIES, CAPTION_STYLES

Op = dict[str, Any]

MOOD_WORDS = {
    "calm": ("calm", "calmer", "relaxed", "chill", "peaceful", "gentle", "quiet mood", "soothing"),
    "happy": ("happy", "happier", "cheerful", "joyful", "fun", "upbeat", "bright"),
    "energetic": (
        "energetic",
        "exciting",
        "punchy",
        "more energy",
        "hype",
        "lively",
        "faster pace",
    ),
    "tender": ("tender", "warm", "romantic", "loving", "soft mood"),
    "nostalgic": ("nostalgic", "wistful", "melancholic", "sad", "sadder", "reflective"),
    "dramatic": ("dramatic", "epic", "intense", "serious", "cinematic", "darker"),
}
STEP_DB = 4.0
STEP_SPEED = 0.15
SIZE_FACTOR = 1.25


def _colour(low: str) -> str | None:
    m = re.search(r"#[0-9a-f]{6}\b", low)
    if m:
        return m.group(0).upper()
    for word in re.findall(r"[a-z]+", low):
        if word in ImageColor.colormap and word not in ("tan", "linen"):
            return word
    return None


def _mood(low: str) -> str | None:
    for mood, words in MOOD_WORDS.items():
        if any(re.search(rf"\b{re.escape(w)}\b", low) for w in words):
            return mood
    return None


def _louder(low: str) -> float | None:
    if re.search(r"\b(?:louder|up|higher|more\s+music|raise|increase|boost)\b", low):
        return STEP_DB
    if re.search(
        r"\b(?:quieter|softer|lower|down|less\s+music|reduce|decrease|turn\s+down)\b", low
    ):
        return -STEP_DB
    return None


def music_ops(low: str) -> list[Op]:
    if re.search(
        r"\bno\s+(?:background\s+)?music\b|\bmusic\s+off\b|\b(?:turn|switch|shut)\s+(?:off\s+the\s+"
        r"music|the\s+music\s+off)\b|\b(?:remove|drop|mute|kill|lose|without)\s+(?:the\s+)?music",
        low,
    ):
        return [{"op": "options", "set": {"music": "none"}}]
    m = re.search(r"(-?\d+(?:\.\d+)?)\s*db\b", low)
    if m:
        return [{"op": "options", "set": {"music_volume": float(m.group(1))}}]
    m = re.search(r"(\d+(?:\.\d+)?)\s*%", low)
    if m:
        return [{"op": "music_percent", "percent": float(m.group(1))}]
    step = _louder(low)
    if step is not None and not re.search(r"\b(?:turn\s+on|put\s+back|bring\s+back)\b", low):
        return [{"op": "adjust", "field": "music_volume", "delta": step}]
    mood = _mood(low)
    if mood:
        return [{"op": "options", "set": {"music": mood}}]
    if re.search(
        r"\b(?:add|bring\s+back|put\s+back|turn\s+on|switch\s+on|with|restore)\b|"
        r"\bmusic\s+(?:on|back)\b",
        low,
    ):
        return [{"op": "options", "set": {"music": "auto"}}]
    return []


def caption_ops(low: str) -> list[Op]:
    ops: list[Op] = []
    look: dict[str, Any] = {}
    style = next((s for s in CAPTION_STYLES if re.search(rf"\b{s}\b", low)), None)
    if style:
        look["caption_style"] = style
    font = next((f for f in BUNDLED_FAMILIES if f.lower() in low), None)
    if font is None and re.search(r"\bbebas\b", low):
        font = "Bebas Neue"
    if font:
        look["caption_font"] = font
    colour = _colour(low)
    if colour:
        key = "highlight_color" if re.search(r"highlight|spoken\s+word|active", low) else None
        look[key or "caption_color"] = colour
    pos = re.search(r"\b(top|middle|center|centre|bottom)\b", low)
    if pos:
        look["caption_position"] = {"center": "middle", "centre": "middle"}.get(pos[1], pos[1])
    size = re.search(r"\bsize\s*(?:to|of|=|:)?\s*(\d{2,3})\b|\b(\d{2,3})\s*(?:px|pixels?)\b", low)
    if size:
        look["caption_size"] = int(size.group(1) or size.group(2))
    elif re.search(r"\b(?:bigger|larger|huge|increase|enlarge)\b", low):
        ops.append({"op": "scale", "field": "caption_size", "factor": SIZE_FACTOR})
    elif re.search(r"\b(?:smaller|tiny|decrease|shrink)\b", low):
        ops.append({"op": "scale", "field": "caption_size", "factor": 1 / SIZE_FACTOR})
    if re.search(r"\bemoji", low):
        look["emoji"] = not re.search(r"\b(?:no|without|remove|off)\b", low)
    if look:
        ops.insert(0, {"op": "options", "set": look})
    return ops


def voice_ops(low: str) -> list[Op]:
    m = re.search(r"\b(?:use|switch\s+to|try|change\s+to)\s+(?:the\s+)?([\w.-]+)\s+voice\b", low)
    m = m or re.search(r"\bvoice\s*(?:to|:|=|is)\s*([\w.-]+)", low)
    if m and m.group(1) not in ("a", "another", "different", "other"):
        return [{"op": "options", "set": {"voice": m.group(1)}}]
    if re.search(r"\bfaster\b|\bspeed\s+up\b|\bquicker\b", low):
        return [{"op": "adjust", "field": "speed", "delta": STEP_SPEED}]
    if re.search(r"\bslower\b|\bslow\s+down\b", low):
        return [{"op": "adjust", "field": "speed", "delta": -STEP_SPEED}]
    return []


def general_ops(low: str) -> list[Op]:
    """Length, shape and mood: things said of the whole video."""
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:-\s*)?(s|secs?|seconds?|minutes?|mins?)\b", low)
    if m:
        unit = 60.0 if m.group(2).startswith("m") else 1.0
        return [{"op": "options", "set": {"duration": float(m.group(1)) * unit}}]
    if re.search(r"\b(?:shorter|shorten|tighter|trim\s+it|quicker)\b", low):
        return [{"op": "length", "factor": 0.8}]
    if re.search(r"\b(?:longer|lengthen|extend|slower\s+pace)\b", low):
        return [{"op": "length", "factor": 1.25}]
    aspect = _aspect(low)
    if aspect:
        return [{"op": "aspect", "aspect": aspect}]
    mood = _mood(low)
    if mood and re.search(r"\b(?:make|more|sound|feel|tone|mood|vibe|less|it|be)\b", low):
        return [{"op": "mood", "mood": mood}]
    return []


def _aspect(low: str) -> str | None:
    if re.search(r"\bsquare\b|\b1\s*[:x]\s*1\b|instagram\s+post", low):
        return "1:1"
    if re.search(r"\b(?:landscape|horizontal|widescreen|wide)\b|\b16\s*[:x]\s*9\b|youtube\b", low):
        return "16:9"
    if re.search(r"\b(?:vertical|portrait|tall)\b|\b9\s*[:x]\s*16\b|tiktok|reels?\b|shorts\b", low):
        return "9:16"
    return None
