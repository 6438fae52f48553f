"""How word captions look: style presets, the overrides a spec may give, and where they sit.

A preset fixes every look decision; a RenderSpec's captions name one preset and may override its
font, size, text colour, highlight colour, outline, position, number of lines and animation.
``look`` applies the overrides and gives the one ``Preset`` the ASS, SRT and VTT writers use.

Units: sizes (font size, outline width) are pixels on a 1080x1920 frame, or on any frame of the
same area such as 1920x1080; other frames scale them by sqrt(width * height / (1080 * 1920)),
which is how the presets scale. Colours are CSS colour names or ``#RRGGBB`` strings.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from PIL import ImageColor

from reelgraph.errors import InvalidInput

#: Font sizes and outline widths of a spec are pixels on a frame of this area (1080x1920).
REFERENCE_SIDE = (1080 * 1920) ** 0.5
POSITIONS = ("top", "middle", "bottom")
ANIMATIONS = ("karaoke", "pop", "none")
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")
#: Pattern of a colour in the JSON Schema (names are then checked against the CSS list).
COLOUR_PATTERN = r"^(#[0-9A-Fa-f]{6}|[A-Za-z]+)$"


@dataclass(frozen=True)
class Family:
    """What the line-length estimate and libass need to know about a bundled font family."""

    char_w: float  # average glyph width / font size, for line length
    bold: bool  # ask libass for the Bold face (only where a real one is bundled)


#: The bundled font families (fontpkg-anton, fontpkg-bebas-neue, fontpkg-montserrat).
FAMILIES: dict[str, Family] = {
    "Anton": Family(char_w=0.5, bold=False),
    "Bebas Neue": Family(char_w=0.45, bold=False),
    "Montserrat": Family(char_w=0.62, bold=True),
}
BUNDLED_FAMILIES = tuple(FAMILIES)


@dataclass(frozen=True)
class Preset:
    family: str
    size: float  # font size as a fraction of sqrt(width * height)
    primary: str  # colours as RRGGBB
    active: str  # the spoken word (karaoke highlight; pop's word popping in)
    emphasis: str
    outline: str
    outline_w: float  # fraction of the font size
    shadow: float
    animation: str  # karaoke | pop | none
    max_words: int
    lines: int
    upper: bool = False
    char_w: float = 0.55  # average glyph width / font size, for line length
    box: bool = False  # opaque box behind each line (ASS BorderStyle 3)
    bold: bool = False  # ask libass for the Bold face (only where a real one is bundled)
    position: str = "bottom"  # top | middle | bottom, inside the safe area
    safe: tuple[float, float, float, float] | None = None  # top, bottom, left, right fractions
    emoji: bool = False  # room beside each line for an emoji (caption_emoji)


PRESETS: dict[str, Preset] = {
    "karaoke": Preset(
        "Montserrat",
        0.058,
        "FFFFFF",
        "FFD400",
        "38E1FF",
        "000000",
        0.1,
        2,
        "karaoke",
        8,
        2,
        char_w=0.62,
        bold=True,
    ),
    "pop": Preset(
        "Anton",
        0.07,
        "FFFFFF",
        "FFFFFF",
        "FFD400",
        "000000",
        0.09,
        3,
        "pop",
        3,
        1,
        upper=True,
        char_w=0.5,
    ),
    "clean": Preset(
        "Montserrat",
        0.045,
        "FFFFFF",
        "FFFFFF",
        "FFD400",
        "101010",
        0.06,
        1,
        "none",
        12,
        2,
        char_w=0.62,
        bold=True,
    ),
    "bold": Preset(
        "Bebas Neue",
        0.085,
        "FFFFFF",
        "00E676",
        "FFD400",
        "000000",
        0.08,
        3,
        "karaoke",
        4,
        1,
        upper=True,
        char_w=0.45,
        box=True,
    ),
}
CAPTION_STYLES = tuple(PRESETS)


def css_colour(value: str) -> str:
    """``value`` as a canonical colour: a CSS name in lower case or ``#RRGGBB`` in upper case."""
    text = str(value).strip()
    if _HEX.fullmatch(text):
        return text.upper()
    if text.lower() in ImageColor.colormap:
        return text.lower()
    raise ValueError(f"colour {value!r} is not a CSS colour name (such as yellow) or #RRGGBB")


def rgb_hex(value: str) -> str:
    """A CSS colour name or ``#RRGGBB`` as ``RRGGBB`` (what the ASS writer takes)."""
    colour = css_colour(value)
    if not colour.startswith("#"):
        colour = str(ImageColor.colormap[colour])
    return colour[1:].upper()


def canonical_family(name: str) -> str:
    """The bundled family ``name`` names (any case); ValueError naming the choices otherwise."""
    wanted = " ".join(str(name).split()).lower()
    for family in FAMILIES:
        if family.lower() == wanted:
            return family
    raise ValueError(
        f"font {name!r} is not a bundled font family; use one of {', '.join(BUNDLED_FAMILIES)}"
    )


def preset(style: str | Preset) -> Preset:
    """The preset named ``style`` (a ``Preset`` is returned as it is)."""
    if isinstance(style, Preset):
        return style
    if style not in PRESETS:
        raise InvalidInput(f"Caption style {style!r} is unknown; use one of {list(PRESETS)}.")
    return PRESETS[style]


def look(
    style: str,
    *,
    font: str | None = None,
    size: float | None = None,
    color: str | None = None,
    highlight_color: str | None = None,
    outline_color: str | None = None,
    outline_width: float | None = None,
    position: str | None = None,
    lines: int | None = None,
    animation: str | None = None,
    safe_area: tuple[float, float, float, float] | None = None,
    emoji: bool | None = None,
) -> Preset:
    """The preset ``style`` with the given overrides applied (None keeps the preset's)."""
    p = preset(style)
    changes: dict[str, object] = {}
    if font is not None:
        family = canonical_family(font)
        changes.update(family=family, char_w=FAMILIES[family].char_w, bold=FAMILIES[family].bold)
    if size is not None:
        changes["size"] = float(size) / REFERENCE_SIDE
    for name, value in (("primary", color), ("active", highlight_color)):
        if value is not None:
            changes[name] = rgb_hex(value)
    if outline_color is not None:
        changes["outline"] = rgb_hex(outline_color)
    if outline_width is not None:
        font_px = float(changes.get("size", p.size)) * REFERENCE_SIDE  # type: ignore[arg-type]
        changes["outline_w"] = float(outline_width) / font_px
    if position is not None:
        if position not in POSITIONS:
            raise InvalidInput(f"Caption position {position!r} is unknown; use {POSITIONS}.")
        changes["position"] = position
    if lines is not None:
        changes["lines"] = int(lines)
    if animation is not None:
        if animation not in ANIMATIONS:
            raise InvalidInput(f"Caption animation {animation!r} is unknown; use {ANIMATIONS}.")
        changes["animation"] = animation
    if safe_area is not None:
        changes["safe"] = tuple(float(v) for v in safe_area)
    if emoji is not None:
        changes["emoji"] = bool(emoji)
    return dataclasses.replace(p, **changes)  # type: ignore[arg-type]


def safe_margins(width: int, height: int) -> tuple[int, int, int]:
    """(left, right, vertical) margins in px: clear of the bottom UI zone on 9:16 shorts."""
    if height > width * 1.2:  # portrait: platform UI covers about the bottom 20%
        return round(width * 0.08), round(width * 0.08), round(height * 0.24)
    if width > height * 1.2:  # landscape: centred in the lower third
        return round(width * 0.10), round(width * 0.10), round(height * 0.09)
    return round(width * 0.08), round(width * 0.08), round(height * 0.13)


def vertical_margin(position: str, width: int, height: int) -> int:
    """Distance in px of the caption block from its edge: the safe area at top or bottom."""
    if position == "middle":
        return 0  # centred: libass ignores the vertical margin
    if position == "top":  # clear of the status bar and a short's header
        return round(height * (0.12 if height > width * 1.2 else 0.08))
    return safe_margins(width, height)[2]


def side_margins(p: Preset, width: int, height: int) -> tuple[int, int]:
    """(left, right) margins in px: the preset's safe area, else the built-in ones."""
    if p.safe is not None:
        return round(width * p.safe[2]), round(width * p.safe[3])
    left, right, _ = safe_margins(width, height)
    return left, right


def edge_margin(p: Preset, position: str, width: int, height: int) -> int:
    """The caption block's distance in px from the top or bottom edge it sits on (0: middle)."""
    if position == "middle" or p.safe is None:
        return vertical_margin(position, width, height)
    return round(height * (p.safe[0] if position == "top" else p.safe[1]))


#: An emoji beside a line is this many font sizes wide (caption_emoji draws it so).
EMOJI_EM = 1.0


def layout(style: str | Preset, width: int, height: int) -> tuple[int, int]:
    """(font size px, max characters per line) for ``style`` at this output size.

    With ``emoji`` a line keeps room for an emoji (and a gap) on either side of it, so the
    centred line and the emoji drawn after it stay inside the margins.
    """
    p = preset(style)
    size = max(12, round(p.size * (width * height) ** 0.5))
    left, right = side_margins(p, width, height)
    room = 2 * size * (EMOJI_EM + 0.25) if p.emoji else 0.0
    return size, max(6, int((width - left - right - room) / (size * p.char_w)))
