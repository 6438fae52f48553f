"""Bundled fonts: one directory of TTF/OTF files for libass (``fontsdir``) and paths for Pillow.

Fonts come from the installed ``fontpkg-*`` packages (Anton, Bebas Neue, Montserrat, and Noto
Sans and Noto Sans Devanagari for other scripts), found through fontpkg's registry with no
network, plus the script fonts of ``script_sources`` (Noto Sans Arabic and Hebrew from
justmytype-intl-rtl, Noto Sans CJK JP Bold from noto-cjk-sans-jp-bold).
``REELGRAPH_FONTS_DIR`` adds a user directory.
The families a RenderSpec may name are ``captions_look.FAMILIES``.
The files are copied once into ``<fonts cache>/<hash>/`` (built in a temp dir and renamed, so a
half-made directory never looks done). The fonts cache is per machine, not per data dir
(``REELGRAPH_FONTS_CACHE_DIR``, default ``$XDG_CACHE_HOME/reelgraph/fonts``): cutting the Bold
instance takes seconds, and renderers resolve the directory locally at render time.
Montserrat ships as a variable font whose default instance is Thin; libass cannot pick a
weight from a variable font, so when fontTools is installed a static Bold instance is cut once
and used instead of the variable file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from reelgraph.errors import DependencyMissing, InvalidInput

logger = logging.getLogger(__name__)

FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
#: Weights cut from variable fonts into static files (libass matches them by family + bold).
STATIC_WEIGHTS = {"bold": 700}
_WEIGHTS = {
    "thin": 100,
    "light": 300,
    "regular": 400,
    "normal": 400,
    "medium": 500,
    "semibold": 600,
    "bold": 700,
    "extrabold": 800,
    "black": 900,
}


@dataclass(frozen=True)
class _Source:
    family: str
    path: Path
    variable: bool
    style: str


def _bundled_sources() -> list[_Source]:
    try:
        import fontpkg
    except ImportError as exc:  # pragma: no cover - fontpkg is a declared dependency
        raise DependencyMissing("Fonts are missing: pip install fontpkg-anton.") from exc
    out: list[_Source] = []
    for fam in fontpkg.families().values():
        for f in fam.files:
            if f.path.suffix.lower() in FONT_SUFFIXES and f.path.is_file():
                out.append(_Source(fam.name, Path(f.path), f.variable, f.style))
    return sorted(out + script_sources(), key=lambda s: str(s.path))


#: Script fonts outside fontpkg: (package, file inside it, family, variable).
SCRIPT_FONT_FILES = (
    (
        "justmytype_intl_rtl",
        "fonts/ofl/notosansarabic/NotoSansArabic[wdth,wght].ttf",
        "Noto Sans Arabic",
        True,
    ),
    (
        "justmytype_intl_rtl",
        "fonts/ofl/notosanshebrew/NotoSansHebrew[wdth,wght].ttf",
        "Noto Sans Hebrew",
        True,
    ),
    ("noto_cjk_sans_jp_bold", "NotoSansCJKjp-Bold.otf", "Noto Sans CJK JP", False),
)


def script_sources() -> list[_Source]:
    """The installed script fonts of ``SCRIPT_FONT_FILES`` (a missing package is skipped)."""
    from importlib.resources import files

    out = []
    for package, name, family, variable in SCRIPT_FONT_FILES:
        try:
            path = Path(str(files(package).joinpath(name)))
        except ModuleNotFoundError:
            continue
        if path.is_file():
            out.append(_Source(family, path, variable, "normal"))
    return out


@lru_cache(maxsize=32)
def family_cmap(family: str) -> frozenset[int]:
    """The code points the bundled ``family`` draws (empty when it is not installed)."""
    from fontTools.ttLib import TTFont

    for s in _bundled_sources():
        if s.family.lower() == family.lower() and s.style == "normal":
            return frozenset(TTFont(str(s.path), lazy=True, fontNumber=0).getBestCmap())
    return frozenset()


@lru_cache(maxsize=32)
def line_height(family: str) -> float:
    """The bundled ``family``'s line height per em (OS/2 win ascent + descent), which libass
    sets equal to the font size: a font with tall marks draws smaller letters at one size."""
    from fontTools.ttLib import TTFont

    for s in _bundled_sources():
        if s.family.lower() == family.lower() and s.style == "normal":
            font = TTFont(str(s.path), lazy=True, fontNumber=0)
            os2, upm = font["OS/2"], font["head"].unitsPerEm
            return float(os2.usWinAscent + os2.usWinDescent) / upm or 1.0
    return 1.0


def covers(family: str, text: str) -> bool:
    """Whether ``family`` has a glyph for every visible character of ``text`` (ASCII: always)."""
    if text.isascii():
        return True
    cmap = family_cmap(family)
    return all(ord(c) in cmap for c in text if not c.isspace() and c.isprintable())


def _user_sources() -> list[Path]:
    raw = os.environ.get("REELGRAPH_FONTS_DIR", "").strip()
    if not raw:
        return []
    root = Path(raw).expanduser()
    if not root.is_dir():
        logger.warning("REELGRAPH_FONTS_DIR %s is not a directory; ignoring it", root)
        return []
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in FONT_SUFFIXES and p.is_file())


def _signature(paths: list[Path]) -> str:
    h = hashlib.sha256(b"fonts-v2")
    h.update(b"static" if importlib.util.find_spec("fontTools") else b"variable")
    for p in paths:
        st = p.stat()
        h.update(f"{p.name}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def _cut_static(src: Path, weight: int, dest: Path) -> bool:
    """Write a static instance of a variable font; False when fontTools is unavailable."""
    try:
        from fontTools.ttLib import TTFont
        from fontTools.varLib import instancer
    except ImportError:
        return False
    try:
        font = TTFont(str(src))
        # every other axis (width) pinned at its default: a static file libass reads as one face
        pins: dict[str, int | None] = {a.axisTag: None for a in font["fvar"].axes}
        pins["wght"] = weight
        static = instancer.instantiateVariableFont(font, pins, updateFontNames=True)
        static.save(str(dest))
        return True
    except Exception as exc:  # a font we cannot instance: fall back to the variable file
        logger.warning("could not cut weight %s from %s: %s", weight, src.name, exc)
        return False


def _populate(tmp: Path, bundled: list[_Source], user: list[Path]) -> None:
    for s in bundled:
        if s.variable and s.style == "normal":
            made = [
                _cut_static(s.path, w, tmp / f"{s.path.stem.split('[')[0]}-{name.title()}.ttf")
                for name, w in STATIC_WEIGHTS.items()
            ]
            if all(made):
                continue
        if s.variable and s.style != "normal":
            continue  # italics unused by the presets; keeps the directory small
        shutil.copy2(s.path, tmp / s.path.name)
    for p in user:
        shutil.copy2(p, tmp / p.name)


@lru_cache(maxsize=1)
def fonts_dir() -> Path:
    """One directory holding every bundled (and user) font file; pass it to libass as fontsdir."""
    from reelgraph.settings import get_settings

    bundled = _bundled_sources()
    user = _user_sources()
    if not bundled and not user:
        raise DependencyMissing("No fonts found: pip install fontpkg-anton fontpkg-montserrat.")
    root = get_settings().fonts_cache_dir
    final = root / _signature([s.path for s in bundled] + user)
    if final.is_dir():
        return final
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=root))
    try:
        _populate(tmp, bundled, user)
        os.replace(tmp, final)
    except OSError:
        if not final.is_dir():  # not merely a race with another process that won
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("fonts directory ready: %s", final)
    return final


def _font_files() -> list[Path]:
    d = fonts_dir()
    return sorted(p for p in d.iterdir() if p.suffix.lower() in FONT_SUFFIXES)


def _name_of(path: Path) -> tuple[str, str]:
    family, style = ImageFont.truetype(str(path), 12).getname()
    return family or path.stem, style or "Regular"


@lru_cache(maxsize=1)
def font_family_names() -> list[str]:
    """The family names libass will match, read from the font files themselves."""
    return sorted({_name_of(p)[0] for p in _font_files()})


def _weight_value(weight: str | int) -> int:
    if isinstance(weight, int):
        return weight
    key = weight.lower().replace("-", "").replace(" ", "")
    if key not in _WEIGHTS:
        raise InvalidInput(f"Font weight {weight!r} is unknown; use one of {sorted(_WEIGHTS)}.")
    return _WEIGHTS[key]


@lru_cache(maxsize=32)
def font_file(family: str, weight: str | int = "bold") -> Path:
    """Path to the file of ``family`` closest to ``weight`` (for Pillow; see ``load_font``)."""
    want = _weight_value(weight)
    wanted = family.strip().lower()
    best: tuple[int, Path] | None = None
    for p in _font_files():
        fam, style = _name_of(p)
        if fam.lower() != wanted or "italic" in style.lower():
            continue
        w = _WEIGHTS.get(style.lower().replace(" ", ""), 400)
        score = abs(w - want)
        if best is None or score < best[0]:
            best = (score, p)
    if best is None:
        raise InvalidInput(
            f"Font family {family!r} is not installed; use one of {font_family_names()}."
        )
    return best[1]


def load_font(family: str, size: int, weight: str | int = "bold") -> ImageFont.FreeTypeFont:
    """A Pillow font at ``size`` px; a variable font's weight axis is set to ``weight``."""
    font = ImageFont.truetype(str(font_file(family, weight)), max(1, int(size)))
    try:
        axes = font.get_variation_axes()
    except (OSError, AttributeError):
        return font  # static font
    values: list[float] = []
    for axis in axes:
        raw = axis["name"]
        name = raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)
        lo, hi = float(axis["minimum"] or 0), float(axis["maximum"] or 0)
        if name.strip().lower() in ("weight", "wght"):
            values.append(min(hi, max(lo, float(_weight_value(weight)))))
        else:
            values.append(float(axis["default"] or lo))
    font.set_variation_by_axes(values)
    return font
