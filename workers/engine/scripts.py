"""Writing systems and languages: which script a text is in, which bundled font draws it, how
its words are split and joined on a caption line, and the language codes the flows accept.

Pure text rules, no I/O. Scripts: Latin, Cyrillic and Greek (Noto Sans), Arabic and Hebrew
(right to left: libass orders them with fribidi and shapes them with HarfBuzz when the text is
given in logical order), Devanagari, and CJK (Han, kana, Hangul: no spaces between words, so a
caption may break between any two characters, but never before closing punctuation or a small
kana, nor after opening punctuation).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

LATIN, CYRILLIC, GREEK = "latin", "cyrillic", "greek"
ARABIC, HEBREW, DEVANAGARI, CJK = "arabic", "hebrew", "devanagari", "cjk"
SCRIPTS = (LATIN, CYRILLIC, GREEK, ARABIC, HEBREW, DEVANAGARI, CJK)
RTL_SCRIPTS = frozenset({ARABIC, HEBREW})

#: The bundled font family that draws each script (see ``fonts.script_sources``).
SCRIPT_FAMILIES = {
    LATIN: "Noto Sans",
    CYRILLIC: "Noto Sans",
    GREEK: "Noto Sans",
    ARABIC: "Noto Sans Arabic",
    HEBREW: "Noto Sans Hebrew",
    DEVANAGARI: "Noto Sans Devanagari",
    CJK: "Noto Sans CJK JP",
}

_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, GREEK),
    (0x1F00, 0x1FFF, GREEK),
    (0x0400, 0x052F, CYRILLIC),
    (0x1C80, 0x1C8F, CYRILLIC),
    (0x2DE0, 0x2DFF, CYRILLIC),
    (0xA640, 0xA69F, CYRILLIC),
    (0x0590, 0x05FF, HEBREW),
    (0xFB1D, 0xFB4F, HEBREW),
    (0x0600, 0x06FF, ARABIC),
    (0x0750, 0x077F, ARABIC),
    (0x08A0, 0x08FF, ARABIC),
    (0xFB50, 0xFDFF, ARABIC),
    (0xFE70, 0xFEFF, ARABIC),
    (0x0900, 0x097F, DEVANAGARI),
    (0xA8E0, 0xA8FF, DEVANAGARI),
    (0x1100, 0x11FF, CJK),  # Hangul Jamo
    (0x2E80, 0x2FDF, CJK),  # radicals
    (0x3000, 0x303F, CJK),  # CJK symbols and punctuation
    (0x3040, 0x30FF, CJK),  # hiragana, katakana
    (0x3100, 0x31FF, CJK),
    (0x3200, 0x4DBF, CJK),
    (0x4E00, 0x9FFF, CJK),
    (0xA960, 0xA97F, CJK),
    (0xAC00, 0xD7FF, CJK),  # Hangul syllables
    (0xF900, 0xFAFF, CJK),
    (0xFE30, 0xFE4F, CJK),
    (0xFF00, 0xFFEF, CJK),  # full-width and half-width forms
    (0x20000, 0x3FFFF, CJK),
)
#: Never at the start of a line: closing punctuation, small kana, the prolonged sound mark.
NO_BREAK_BEFORE = frozenset(
    "、。，．,.!?！？:;：；)]}）］｝〕〉》」』】〙〗〟'\"’”…‥・ー々〻ゝゞヽヾ"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
)
#: Never at the end of a line: opening punctuation.
NO_BREAK_AFTER = frozenset("([{（［｛〔〈《「『【〘〖〝‘“")


def char_script(ch: str) -> str | None:
    """The script of one character; None for digits, punctuation, spaces and symbols
    (they take the script of the text around them), "other" for scripts not handled here."""
    cp = ord(ch)
    for lo, hi, script in _RANGES:
        if lo <= cp <= hi:
            return script if (ch.isalpha() or script == CJK) else None
    if not ch.isalpha():
        return None
    if cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF:
        return LATIN
    return "other"


def text_script(text: str) -> str:
    """The script most of the letters of ``text`` are written in (Latin when it has none)."""
    counts = Counter(s for s in map(char_script, text) if s)
    if not counts:
        return LATIN
    return counts.most_common(1)[0][0]


def is_rtl(text: str) -> bool:
    """Whether ``text`` is mostly in a right-to-left script."""
    return text_script(text) in RTL_SCRIPTS


def _is_cjk(ch: str) -> bool:
    return char_script(ch) == CJK


def split_units(token: str) -> list[str]:
    """A whitespace-free token split where a line may break.

    Each CJK character is a unit of its own (closing punctuation and small kana stay with the
    character before them, opening punctuation with the one after); runs of other characters
    (a Latin word or a number inside Japanese text) stay whole. A token without CJK is returned
    as it is.
    """
    if not any(_is_cjk(c) for c in token):
        return [token]
    units: list[str] = []
    run = ""
    for ch in token:
        if _is_cjk(ch) or ch in NO_BREAK_BEFORE or ch in NO_BREAK_AFTER:
            if run:
                units.append(run)
                run = ""
            units.append(ch)
        else:
            run += ch
    if run:
        units.append(run)
    merged: list[str] = []
    glue_next = False
    for unit in units:
        if merged and (glue_next or unit[0] in NO_BREAK_BEFORE):
            merged[-1] += unit
        else:
            merged.append(unit)
        glue_next = unit[-1] in NO_BREAK_AFTER
    return merged


def split_words(text: str) -> list[str]:
    """``text`` as caption words: whitespace words, CJK ones split into their units."""
    return [u for tok in text.split() for u in split_units(tok)]


def joiner(left: str, right: str) -> str:
    """What goes between two caption words: nothing where CJK meets CJK, a digit or
    punctuation (``3を``), else a space (``Python を``)."""
    if not (left and right):
        return " "
    a, b = char_script(left[-1]), char_script(right[0])
    if CJK in (a, b) and {a, b} <= {CJK, None}:
        return ""
    return " "


def join_words(words: list[str]) -> str:
    """Words joined the way they are shown on a caption line."""
    out = ""
    for i, w in enumerate(words):
        out += (joiner(words[i - 1], w) if i else "") + w
    return out


def display_width(text: str) -> int:
    """Width of ``text`` in average Latin characters: a wide (CJK) character counts two, a
    combining mark none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def word_weight(word: str) -> float:
    """How much of a caption's word budget a word takes: a lone CJK character half a word."""
    return 0.5 if word and all(_is_cjk(c) or c in NO_BREAK_BEFORE for c in word) else 1.0


# -- languages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    """A language the flows name: its English name (for the model) and ISO 639-2 code (mp4)."""

    name: str
    iso639_2: str


LANGUAGES: dict[str, Language] = {
    "ar": Language("Arabic", "ara"),
    "bg": Language("Bulgarian", "bul"),
    "bn": Language("Bengali", "ben"),
    "ca": Language("Catalan", "cat"),
    "cs": Language("Czech", "ces"),
    "da": Language("Danish", "dan"),
    "de": Language("German", "deu"),
    "el": Language("Greek", "ell"),
    "en": Language("English", "eng"),
    "es": Language("Spanish", "spa"),
    "et": Language("Estonian", "est"),
    "fa": Language("Persian", "fas"),
    "fi": Language("Finnish", "fin"),
    "fr": Language("French", "fra"),
    "he": Language("Hebrew", "heb"),
    "hi": Language("Hindi", "hin"),
    "hr": Language("Croatian", "hrv"),
    "hu": Language("Hungarian", "hun"),
    "id": Language("Indonesian", "ind"),
    "it": Language("Italian", "ita"),
    "ja": Language("Japanese", "jpn"),
    "ko": Language("Korean", "kor"),
    "lt": Language("Lithuanian", "lit"),
    "lv": Language("Latvian", "lav"),
    "mr": Language("Marathi", "mar"),
    "ms": Language("Malay", "msa"),
    "nb": Language("Norwegian Bokmål", "nob"),
    "ne": Language("Nepali", "nep"),
    "nl": Language("Dutch", "nld"),
    "no": Language("Norwegian", "nor"),
    "pl": Language("Polish", "pol"),
    "pt": Language("Portuguese", "por"),
    "ro": Language("Romanian", "ron"),
    "ru": Language("Russian", "rus"),
    "sk": Language("Slovak", "slk"),
    "sl": Language("Slovenian", "slv"),
    "sr": Language("Serbian", "srp"),
    "sv": Language("Swedish", "swe"),
    "sw": Language("Swahili", "swa"),
    "ta": Language("Tamil", "tam"),
    "th": Language("Thai", "tha"),
    "tr": Language("Turkish", "tur"),
    "uk": Language("Ukrainian", "ukr"),
    "ur": Language("Urdu", "urd"),
    "vi": Language("Vietnamese", "vie"),
    "zh": Language("Chinese", "zho"),
}
_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
#: At most this many translations per run.
MAX_TRANSLATIONS = 8


def normalize_language(value: str) -> str:
    """A language code in canonical form (``pt_BR`` -> ``pt-br``); ValueError naming the
    codes that work."""
    code = str(value).strip().lower().replace("_", "-")
    if not _CODE.match(code) or code.split("-")[0] not in LANGUAGES:
        known = ", ".join(sorted(LANGUAGES))
        raise ValueError(f"{value!r} is not a language code reelgraph knows; use one of {known}")
    return code


def language_name(code: str) -> str:
    """``de`` -> German; a regional code keeps its region (``pt-br`` -> Portuguese (BR))."""
    base, _, region = code.partition("-")
    name = LANGUAGES[base].name if base in LANGUAGES else code
    return f"{name} ({region.upper()})" if region else name


def iso639_2(code: str) -> str:
    """The three-letter code an mp4 stream's language tag takes (``und`` when unknown)."""
    lang = LANGUAGES.get(code.split("-")[0])
    return lang.iso639_2 if lang else "und"


def is_english(code: str | None) -> bool:
    """No language given, or English."""
    return not code or code.split("-")[0] == "en"
