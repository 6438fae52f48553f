"""Checks on request values that their types alone do not say; each raises ValueError with a
sentence the request models turn into a 422 naming the field.

- text: no NUL or other control characters (multi-line text may hold ``\\n``, ``\\t``, ``\\r``)
  and no unpaired surrogates, which no UTF-8 reader (Redis, a callback receiver) accepts;
- URLs: no spaces or control characters anywhere;
- free JSON (``metadata``): finite numbers only (NaN and Infinity are not JSON: echoed back they
  would break every reader), checked text, bounded nesting;
- script text: no word longer than a caption line can show;
- media references: an http(s) URL, an asset id or base64 data, never a server path.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

_SURROGATE = "\ud800-\udfff"
_LINE_BAD = re.compile(f"[\x00-\x1f\x7f-\x9f{_SURROGATE}]")
_TEXT_BAD = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_SURROGATE}]")
_URL_BAD = re.compile(f"[\\s\x00-\x1f\x7f-\x9f{_SURROGATE}]")
MAX_JSON_DEPTH = 32
ASSET_RE = re.compile(r"^asset_[0-9a-f]{32}\Z")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
URL_RE = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)
MAX_REF_CHARS = 40 * 1024 * 1024  # base64 of ~30 MB
#: The caption renderer shrinks a word wider than a line down to about a third of its size
#: and cuts what still does not fit (workers/captions_ass.py); past that it cannot be shown.
CAPTION_SHRINK = 3


def _refuse(match: re.Match[str], what: str) -> ValueError:
    ch, at = match.group(), match.start()
    if "\ud800" <= ch <= "\udfff":
        return ValueError(f"{what} has invalid Unicode (a lone surrogate) at character {at}.")
    return ValueError(
        f"{what} contains the control character U+{ord(ch):04X} at character {at}; remove it."
    )


def check_text(value: str, what: str = "the text", *, multiline: bool = True) -> str:
    """``value`` unless it holds control characters (but newlines and tabs when multiline)."""
    bad = (_TEXT_BAD if multiline else _LINE_BAD).search(value)
    if bad:
        raise _refuse(bad, what)
    return value


def check_url_chars(value: str, what: str) -> str:
    """``value`` unless a space or control character is in it (percent-encode those)."""
    bad = _URL_BAD.search(value)
    if bad and not unicodedata.category(bad.group()).startswith("C"):
        raise ValueError(f"{what} contains a space at character {bad.start()}; encode it as %20.")
    if bad:
        raise _refuse(bad, what)
    return value


def check_json(value: Any, what: str = "metadata") -> Any:
    """``value`` unless it holds NaN or Infinity, checked-out text, or nests too deep."""
    todo: list[tuple[Any, str, int]] = [(value, what, 0)]
    while todo:
        item, where, depth = todo.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"{what} nests deeper than {MAX_JSON_DEPTH} levels.")
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"{where} is {item}; NaN and Infinity are not JSON numbers.")
        if isinstance(item, str):
            check_text(item, where)
        elif isinstance(item, dict):
            for key, val in item.items():
                check_text(str(key), f"a key in {where}", multiline=False)
                todo.append((val, f"{where}.{key}"[:120], depth + 1))
        elif isinstance(item, list):
            todo.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(item))
    return value


def caption_word_limit(options: Any, width: int, height: int) -> int:
    """The longest word (in characters) captions can show at this size, with the look of
    ``options`` (its caption_style, caption_font and caption_size)."""
    from reelgraph.workers.engine.captions_look import layout, look

    preset = look(options.caption_style, font=options.caption_font, size=options.caption_size)
    return CAPTION_SHRINK * layout(preset, width, height)[1]


def check_caption_words(text: str, what: str, limit: int) -> None:
    """Refuse ``text`` when one of its words is longer than ``limit`` characters."""
    longest = max(text.split(), key=len, default="")
    if len(longest) > limit:
        shown = longest if len(longest) <= 40 else longest[:40] + "…"
        raise ValueError(
            f"{what} has a {len(longest)}-character word ({shown!r}); captions at this size and "
            f"style show words of up to {limit} characters, so split it with spaces."
        )


def check_url(value: str, what: str) -> str:
    """An http(s) URL of at most 4096 characters with no spaces or control characters."""
    if not URL_RE.match(value):
        raise ValueError(f"{what} must be an http(s) URL.")
    if len(value) > 4096:
        raise ValueError(f"{what}: the URL is longer than 4096 characters.")
    return check_url_chars(value, what)


def check_inline(value: str, what: str) -> str:
    """``data:<mime>;base64,<data>`` small enough to send in a JSON body."""
    head, comma, _ = value.partition(",")
    if not comma or ";base64" not in head:
        raise ValueError(f"{what}: inline media must look like data:<mime>;base64,<data>.")
    if len(value) > MAX_REF_CHARS:
        raise ValueError(f"{what} is too large to send inline; upload it with POST /v1/uploads.")
    return value


def check_media_ref(value: str, what: str) -> str:
    """A URL, an asset id or base64 data; anything else (a path!) is refused with a 422."""
    v = value.strip()
    if ASSET_RE.match(v):
        return v
    if v.startswith("data:"):
        return check_inline(v, what)
    if URL_RE.match(v):
        return check_url(v, what)
    raise ValueError(
        f"{what} must be an http(s) URL, an asset id from POST /v1/uploads (asset_...), "
        "or base64 data (data:<mime>;base64,...)."
    )


def check_music(value: str) -> str:
    """auto, none, a mood (lower-cased), an asset id or an http(s) URL; never a path."""
    from reelgraph.workers.engine.music import MOOD_FALLBACK, moods

    names = ["auto", "none", *moods(), *MOOD_FALLBACK]
    v = value.strip()
    if v.lower() in names:
        return v.lower()
    if ASSET_RE.match(v) or URL_RE.match(v):
        return check_media_ref(v, "music")
    raise ValueError(
        f"must be auto, none, a mood ({', '.join(names[2:])}), an asset id from "
        "POST /v1/uploads (asset_...) or an http(s) URL; file paths are not accepted."
    )
