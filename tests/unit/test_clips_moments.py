"""The clips flow's moments: sentences, candidate windows and the heuristic ranking, on a
synthetic transcript whose word times are known."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from reelgraph.nodes import moments as mo

FPS = 30


def timed_words(
    sentences: list[str], *, step: float = 0.4, pause: float = 0.6
) -> list[dict[str, Any]]:
    """Words of ``sentences`` every ``step`` seconds (each lasting 0.8 of it), ``pause`` between."""
    words, t = [], 0.5
    for k, sentence in enumerate(sentences):
        if k:
            t += pause
        for text in sentence.split():
            words.append({"text": text, "start": round(t, 3), "end": round(t + 0.8 * step, 3)})
            t += step
    return words


TALK = [
    "Welcome back to the show everyone.",  # 0: an intro
    "Why do cats purr?",  # 1: a question...
    "A cat purrs when its throat muscles open and close twenty times a second.",  # 2: answered
    "Scientists at Cornell found that the same sound helps broken bones heal.",  # 3
    "But it also happens when they are scared or hurt.",  # 4: continues the cats
    "Anyway, let me tell you about my weekend at the coast.",  # 5: another topic
    "We drove for hours and it rained the whole time.",  # 6
    "So what did we do next?",  # 7: ends on an open question
]


def test_sentences_split_on_end_marks_and_share_each_pause() -> None:
    words = timed_words(TALK)
    sents = mo.sentences(words, duration=words[-1]["end"] + 1)
    assert [s.text for s in sents] == TALK
    assert sents[0].lo == pytest.approx(0.5 - mo.LEAD_S)
    for a, b in itertools.pairwise(sents):
        gap = b.start - a.end
        assert a.hi == pytest.approx(a.end + min(mo.TAIL_S, gap / 2))
        assert b.lo == pytest.approx(b.start - min(mo.LEAD_S, gap / 2))
        assert a.hi <= b.lo  # a clip never reaches into the next sentence's pause half
    tight = mo.sentences(timed_words(["One two.", "Three four."], pause=0.1), duration=5)
    assert tight[0].hi == pytest.approx(tight[1].lo)  # a short pause is split in the middle
    unfinished = mo.sentences(timed_words(["No end mark here"]), duration=5)
    assert len(unfinished) == 1 and unfinished[0].text == "No end mark here"


def test_windows_are_whole_sentences_within_the_range_on_the_frame_grid() -> None:
    words = timed_words(TALK)
    sents = mo.sentences(words, duration=words[-1]["end"] + 1)
    wins = mo.windows(sents, 6.0, 12.0, FPS)
    assert wins
    for w in wins:
        assert 6.0 - 1e-6 <= w.duration <= 12.0 + 1e-6
        for t in (w.start, w.end):
            assert abs(t * FPS - round(t * FPS)) < 1e-3
        first, last = sents[w.first], sents[w.last]
        assert first.lo - 1e-9 <= w.start <= first.start  # starts before its first word
        assert last.end <= w.end <= last.hi + 1e-9  # and ends after its last
    for a in wins:  # windows of different sentences never overlap in time
        for b in wins:
            if a.last < b.first:
                assert a.end <= b.start
    assert mo.windows(sents, 60.0, 90.0, FPS) == []  # the whole talk is shorter


def test_heuristic_prefers_the_complete_answered_topic() -> None:
    words = timed_words(TALK)
    sents = mo.sentences(words, duration=words[-1]["end"] + 1)
    ranked = mo.rank(sents, mo.windows(sents, 8.0, 20.0, FPS), (8.0, 20.0))
    best = mo.pick(ranked, 1)[0]
    assert (best.first, best.last) == (1, 4)  # the question, its answer and the follow-up
    f = best.features
    assert f["hook"] == 1.0 and f["answered"] == 1.0 and f["completeness"] == 1.0
    assert "opens with a question" in mo.reason_of(best)
    assert mo.title_of(sents, best) == "Why do cats purr"


def test_heuristic_penalises_dangling_starts_continued_ends_and_open_questions() -> None:
    words = timed_words(TALK)
    sents = mo.sentences(words, duration=words[-1]["end"] + 1)

    def completeness(first: int, last: int) -> float:
        w = mo.Window(first, last, sents[first].lo, sents[last].hi)
        return mo.features(sents, w)["completeness"]

    assert completeness(1, 4) == 1.0
    assert completeness(4, 6) < 1.0  # opens on "But it"
    assert completeness(1, 3) < 1.0  # the next sentence ("But it also...") continues it
    assert completeness(5, 7) < 1.0  # ends on an unanswered question
    numbers = mo.Window(2, 3, sents[2].lo, sents[3].hi)
    plain = mo.Window(5, 6, sents[5].lo, sents[6].hi)
    assert mo.features(sents, numbers)["named"] > mo.features(sents, plain)["named"]


def test_pick_is_best_first_and_never_shares_a_sentence() -> None:
    words = timed_words(TALK * 3)
    sents = mo.sentences(words, duration=words[-1]["end"] + 1)
    ranked = mo.rank(sents, mo.windows(sents, 5.0, 15.0, FPS), (5.0, 15.0))
    chosen = mo.pick(ranked, 5)
    assert len(chosen) == 5
    assert [w.score for w in chosen] == sorted((w.score for w in chosen), reverse=True)
    for i, a in enumerate(chosen):
        for b in chosen[i + 1 :]:
            assert not a.overlaps(b) and (a.end <= b.start or b.end <= a.start)
    short = mo.shortlist(ranked, 4)
    assert len(short) == 4 and len({w.first for w in short}) == 4
