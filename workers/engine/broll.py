"""B-roll from a local folder, matched to the transcript by keywords in the file names.

``city_night.mp4`` is a candidate for the words "city" and "night". Each file is used at most
once, clips never overlap, and each is placed at the time its word is spoken.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

VIDEO_EXT = {".mp4", ".mov", ".mkv", ".webm", ".m4v", ".avi"}
IMAGE_EXT = {".jpg", ".jpeg", ".png", ".webp"}
_STOP_TEXT = (
    "the and for with that this from into your you are was were have has had not but all any "
    "can our out one two its his her they them then than there here what when where which who "
    "why how clip broll roll stock footage video image final copy new old"
)
STOPWORDS = frozenset(_STOP_TEXT.split())
MIN_TOKEN = 3


def _stem(word: str) -> str:
    """A light plural stemmer: cities -> city, boxes -> box, dogs -> dog, glass stays."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith("es") and w[:-2].endswith(("x", "z", "ch", "sh", "ss")):
        return w[:-2]
    if len(w) > MIN_TOKEN and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def tokens(text: str) -> set[str]:
    """Lower-case, stemmed keyword tokens of ``text`` (stop words and short tokens dropped)."""
    parts = re.split(r"[^a-zA-Z0-9]+", text)
    return {_stem(p) for p in parts if len(p) >= MIN_TOKEN and p.lower() not in STOPWORDS}


def list_broll(broll_dir: str | Path) -> list[tuple[Path, set[str]]]:
    """Media files in ``broll_dir`` (not recursive) with their name tokens, sorted by name."""
    d = Path(broll_dir)
    files = sorted(
        p for p in d.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_EXT | IMAGE_EXT
    )
    return [(p, tokens(p.stem)) for p in files if tokens(p.stem)]


def match_broll(
    words: list[dict[str, Any]],
    broll_dir: str | Path,
    *,
    clip_s: float = 2.5,
    min_gap_s: float = 1.0,
    fullscreen: bool = True,
) -> list[dict[str, Any]]:
    """Overlay dicts (RenderSpec ``Overlay`` fields) for b-roll matched to spoken words.

    Times come from ``words`` (so pass words already on the output timeline).
    """
    candidates = list_broll(broll_dir)
    used: set[Path] = set()
    placed: list[dict[str, Any]] = []
    end_limit = max((float(w["end"]) for w in words), default=0.0)
    for w in words:
        tok = _stem(re.sub(r"[^a-zA-Z0-9]", "", str(w["text"])))
        if len(tok) < MIN_TOKEN:
            continue
        start = float(w["start"])
        if placed and start < placed[-1]["end"] + min_gap_s:
            continue
        hit = next((p for p, toks in candidates if p not in used and tok in toks), None)
        if hit is None:
            continue
        end = min(start + clip_s, max(end_limit, start + 0.5))
        used.add(hit)
        placed.append(
            {
                "kind": "video" if hit.suffix.lower() in VIDEO_EXT else "image",
                "path": str(hit),
                "start": round(start, 3),
                "end": round(end, 3),
                "fullscreen": fullscreen,
            }
        )
        logger.info("b-roll %s at %.2fs for %r", hit.name, start, w["text"])
    return placed
