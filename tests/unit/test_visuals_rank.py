"""Ranking a scene's candidates: text match first, then orientation, resolution and motion."""

from __future__ import annotations

from reelgraph.workers.engine.visuals.candidate import Candidate
from reelgraph.workers.engine.visuals.rank import (
    fit_score,
    orientation_of,
    rank,
    text_score,
)


def _c(id: str, text: str, w: int = 1080, h: int = 1920, kind: str = "image", d: float = 0.0):
    return Candidate(source="t", id=id, kind=kind, text=text, width=w, height=h, duration=d)  # type: ignore[arg-type]


def test_text_score_is_the_share_of_query_words_held() -> None:
    assert text_score("octopus coral reef", "An octopus hiding in a coral reef") == 1.0
    assert text_score("octopus coral reef", "coral garden") == round(1 / 3, 4)
    assert text_score("octopus coral reef", "mountain lake at dawn") == 0.0
    # plurals fold; a shared five-letter prefix counts half
    assert text_score("dogs", "dog_park.jpg") == 1.0
    assert text_score("octopuses", "octopus") == 0.5
    assert text_score("", "anything") == 0.0


def test_rank_orders_by_text_match_before_fit() -> None:
    items = [
        _c("poor-match-perfect-fit", "reef", 1080, 1920),
        _c("best-match-bad-fit", "octopus coral reef", 1920, 1080),
        _c("no-match", "city skyline", 1080, 1920),
    ]
    ids = [c.id for _, _, c in rank(items, "octopus coral reef", 1080, 1920)]
    assert ids == ["best-match-bad-fit", "poor-match-perfect-fit", "no-match"]


def test_equal_text_match_is_broken_by_orientation_for_the_aspect() -> None:
    items = [_c("landscape", "beach dog", 1920, 1080), _c("portrait", "beach dog", 1080, 1920)]
    portrait_out = [c.id for _, _, c in rank(items, "beach dog", 1080, 1920)]
    landscape_out = [c.id for _, _, c in rank(items, "beach dog", 1920, 1080)]
    assert portrait_out == ["portrait", "landscape"]
    assert landscape_out == ["landscape", "portrait"]
    assert orientation_of(1000, 1000) == "square"


def test_resolution_and_motion_fit() -> None:
    sharp, tiny = _c("a", "x", 1080, 1920), _c("b", "x", 270, 480)
    assert fit_score(sharp, 1080, 1920) > fit_score(tiny, 1080, 1920)
    clip, still = _c("v", "x", kind="video", d=6.0), _c("s", "x")
    assert fit_score(clip, 1080, 1920, 5.0) > fit_score(still, 1080, 1920, 5.0)
    short = _c("v2", "x", kind="video", d=1.0)
    assert fit_score(clip, 1080, 1920, 5.0) > fit_score(short, 1080, 1920, 5.0)
    # a slow scene does not prefer clips
    assert fit_score(clip, 1080, 1920, 5.0, False) == fit_score(still, 1080, 1920, 5.0, False)
