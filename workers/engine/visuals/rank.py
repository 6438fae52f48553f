"""Ranking a scene's candidates: by how well their own words match its query, then by fit.

The text score is the share of the query's words (lower-case, lightly stemmed, stop words
dropped: the b-roll matcher's ``tokens``) found among the item's words (alt text, tags, title,
file and folder names); a query word that only shares its first five letters with an item word
counts half. Ties on the text score are broken by fit: the item's orientation against the
output's, enough resolution to fill the frame, and, for scenes where motion helps, a video
clip long enough for the scene.
"""

from __future__ import annotations

from collections.abc import Iterable

from reelgraph.workers.engine.broll import tokens
from reelgraph.workers.engine.visuals.candidate import Candidate, Orientation

#: Prefix length under which two words count as a half match ("octopus" ~ "octopuses").
PREFIX = 5
#: Text scores closer than this are a tie (then fit decides).
TEXT_STEP = 0.01


def orientation_of(width: int, height: int) -> Orientation:
    """portrait, landscape or square (within 10%)."""
    if width <= 0 or height <= 0:
        return "square"
    ratio = width / height
    if ratio > 1.1:
        return "landscape"
    if ratio < 1 / 1.1:
        return "portrait"
    return "square"


def text_score(query: str, text: str) -> float:
    """0..1: the share of the query's words the item's text holds (prefix matches count half)."""
    want = tokens(query)
    if not want:
        return 0.0
    have = tokens(text)
    score = 0.0
    for word in want:
        if word in have:
            score += 1.0
        elif len(word) >= PREFIX and any(h[:PREFIX] == word[:PREFIX] for h in have):
            score += 0.5
    return round(score / len(want), 4)


def orientation_fit(c: Candidate, width: int, height: int) -> float:
    """1 for the output's orientation, 0.5 for a square item (or output), 0 for the other."""
    want, have = orientation_of(width, height), orientation_of(c.width, c.height)
    if have == want:
        return 1.0
    return 0.5 if "square" in (have, want) else 0.0


def resolution_fit(c: Candidate, width: int, height: int) -> float:
    """1 when the item fills the frame without enlarging, falling to 0 at 4x enlargement."""
    if c.width <= 0 or c.height <= 0:
        return 0.5  # unknown: neither rewarded nor ruled out
    enlarge = max(width / c.width, height / c.height)
    return max(0.0, min(1.0, (4.0 - enlarge) / 3.0))


def motion_fit(c: Candidate, scene_s: float, prefer_video: bool) -> float:
    """For scenes where motion helps: 1 for a clip at least as long as the scene, less when
    it must be slowed or looped; stills score 0.4. Otherwise every item scores the same."""
    if not prefer_video:
        return 0.5
    if c.kind != "video":
        return 0.4
    if scene_s <= 0 or c.duration >= scene_s:
        return 1.0
    return 0.6 + 0.4 * (c.duration / scene_s)


def fit_score(
    c: Candidate, width: int, height: int, scene_s: float = 0.0, prefer_video: bool = True
) -> float:
    """0..1: orientation (weight 2), resolution (2) and motion (1), averaged."""
    total = (
        2 * orientation_fit(c, width, height)
        + 2 * resolution_fit(c, width, height)
        + motion_fit(c, scene_s, prefer_video)
    )
    return round(total / 5, 4)


def rank(
    items: Iterable[Candidate],
    query: str,
    width: int,
    height: int,
    *,
    scene_s: float = 0.0,
    prefer_video: bool = True,
) -> list[tuple[float, float, Candidate]]:
    """(text score, fit score, item), best first: by text score, then fit, then source order."""
    scored = [
        (text_score(query, c.text), fit_score(c, width, height, scene_s, prefer_video), i, c)
        for i, c in enumerate(items)
    ]
    scored.sort(key=lambda t: (-round(t[0] / TEXT_STEP), -t[1], t[2]))
    return [(t, f, c) for t, f, _, c in scored]


__all__ = ["fit_score", "orientation_of", "rank", "text_score"]
