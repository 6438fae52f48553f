"""Pure chunk planning, seam merging and transcript mapping (no model, no audio).

Besides hand-made cases, the seam merge runs on recorded real chunk outputs
(``tests/data/asr_seams.json``: tiny.en on piper narrations, words around each seam), so the
regression that once made the chunked integration test flaky is covered here deterministically.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from reelgraph.errors import InvalidInput
from reelgraph.workers.engine.asr import map_transcript, merge_chunks, plan_chunks
from tests.fixtures_speech import heard_words, new_doubles

SEAMS = Path(__file__).resolve().parent.parent / "data" / "asr_seams.json"


def w(text: str, start: float, end: float | None = None) -> dict:
    return {"text": text, "start": start, "end": end if end is not None else start + 0.3}


def test_plan_chunks_covers_duration_with_overlap() -> None:
    plan = plan_chunks(95.0)
    assert plan == [(0.0, 30.0), (28.0, 58.0), (56.0, 86.0), (84.0, 95.0)]
    for (_, e1), (s2, _) in itertools.pairwise(plan):
        assert e1 - s2 == pytest.approx(2.0)


def test_plan_chunks_short_and_exact() -> None:
    assert plan_chunks(12.5) == [(0.0, 12.5)]
    assert plan_chunks(30.0) == [(0.0, 30.0)]
    assert plan_chunks(58.0) == [(0.0, 30.0), (28.0, 58.0)]
    assert plan_chunks(0) == []


def test_plan_chunks_rejects_overlap_not_shorter_than_chunk() -> None:
    with pytest.raises(InvalidInput):
        plan_chunks(60, chunk=10, overlap=10)


def test_merge_keeps_each_seam_word_once() -> None:
    # seam overlap is [28, 30], midpoint 29: both chunks heard "bridge" at ~28.9 and "over" at 29.3
    a = {
        "start": 0.0,
        "end": 30.0,
        "words": [w("the", 27.5), w("bridge", 28.8, 29.0), w("over", 29.3), w("wat", 29.8, 30.0)],
    }
    b = {
        "start": 28.0,
        "end": 58.0,
        "words": [
            w("ge", 28.0, 28.1),
            w("bridge", 28.82, 29.02),
            w("over", 29.31),
            w("water", 29.8),
        ],
    }
    merged = merge_chunks([b, a])  # order of chunks must not matter
    assert [x["text"] for x in merged] == ["the", "bridge", "over", "water"]


def test_merge_dedupes_equal_words_straddling_the_midpoint() -> None:
    a = {"start": 0.0, "end": 30.0, "words": [w("Hello,", 28.80, 28.96)]}  # centre 28.88 (< 29)
    b = {"start": 28.0, "end": 58.0, "words": [w("hello", 28.95, 29.15)]}  # centre 29.05 (>= 29)
    merged = merge_chunks([a, b])
    assert len(merged) == 1 and merged[0]["text"] == "Hello,"


def test_merge_aligns_a_seam_word_the_chunks_time_differently() -> None:
    # seen in a real run: chunk A timed "It" at 28.62-29.24 (centre 28.93, A's half), chunk B at
    # 29.08-29.24 (centre 29.16, B's half), 0.46 s apart: a midpoint cut kept it twice.
    a = {
        "start": 0.0,
        "end": 30.0,
        "words": [
            w("everyone", 27.96, 28.36),
            w("sleeps.", 28.36, 28.6),
            w("It", 28.62, 29.24),
            w("reads", 29.24, 29.5),
            w("the", 29.5, 29.74),
            w("moisture.", 29.74, 29.98),
        ],
    }
    b = {
        "start": 28.0,
        "end": 58.0,
        "words": [
            w("everyone's", 28.0, 28.58),
            w("sleeves.", 28.58, 28.84),
            w("It", 29.08, 29.24),
            w("reads", 29.24, 29.54),
            w("the", 29.54, 29.74),
            w("moisture", 29.74, 30.02),
            w("in", 30.02, 30.24),
        ],
    }
    texts = [x["text"] for x in merge_chunks([a, b])]
    assert texts == ["everyone", "sleeps.", "It", "reads", "the", "moisture", "in"]


def test_merge_keeps_a_real_repeat_further_apart() -> None:
    a = {"start": 0.0, "end": 30.0, "words": [w("no", 28.5, 28.7)]}
    b = {"start": 28.0, "end": 58.0, "words": [w("no", 29.1, 29.3)]}
    assert [x["start"] for x in merge_chunks([a, b])] == [28.5, 29.1]


def test_merge_does_not_lose_a_word_seen_by_one_chunk_only() -> None:
    a = {"start": 0.0, "end": 30.0, "words": [w("alpha", 10.0), w("beta", 28.2)]}
    b = {"start": 28.0, "end": 58.0, "words": [w("gamma", 29.5), w("delta", 40.0)]}
    assert [x["text"] for x in merge_chunks([a, b])] == ["alpha", "beta", "gamma", "delta"]


def test_map_transcript_keeps_transcript_words_with_recognised_times() -> None:
    recognised = [
        w("the", 0.1, 0.2),
        w("quik", 0.25, 0.5),
        w("brown", 0.55, 0.8),
        w("box", 0.9, 1.2),
    ]
    out = map_transcript("The quick brown fox jumps.", recognised)
    assert [x["text"] for x in out] == ["The", "quick", "brown", "fox", "jumps."]
    assert out[0]["start"] == pytest.approx(0.1)
    assert out[2]["start"] == pytest.approx(0.55)
    starts = [x["start"] for x in out]
    assert starts == sorted(starts)
    assert all(x["end"] > x["start"] for x in out)
    assert out[-1]["start"] >= out[-2]["end"] - 1e-9


def test_map_transcript_with_no_speech_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="No speech"):
        map_transcript("hello there", [])


def _words(rows: list[list]) -> list[dict]:
    return [{"text": text, "start": start, "end": end} for text, start, end in rows]


def _recorded_seams() -> list[dict]:
    cases = json.loads(SEAMS.read_text())["cases"]
    for case in cases:
        case["reference"] = _words(case["reference"])
        for side in ("a", "b"):
            case[side] = {**case[side], "words": _words(case[side]["words"])}
    return cases


def _seam_ids(case: dict) -> str:
    kind = "fixed" if case["source"].startswith("deterministic") else case["source"][-6:]
    return f"{kind.replace(' ', '')}-{case['overlap'][0]:g}s"


def _seam_faults(case: dict, merged: list[dict]) -> tuple[list[str], list[tuple[str, ...]]]:
    """(reference words both chunks heard but the merge lost, phrases the merge doubled)."""
    ref = case["reference"]
    both = heard_words(ref, case["a"]["words"]) & heard_words(ref, case["b"]["words"])
    lost = sorted(both - heard_words(ref, merged))
    return [ref[i]["text"] for i in lost], new_doubles(ref, merged)


def test_recorded_seams_are_there() -> None:
    cases = _recorded_seams()
    assert len(cases) >= 30
    for case in cases:
        lo, hi = case["overlap"]
        assert case["a"]["end"] == hi and case["b"]["start"] == lo and hi - lo == 2.0
        assert case["reference"] and case["a"]["words"] and case["b"]["words"]


@pytest.mark.parametrize("case", _recorded_seams(), ids=_seam_ids)
def test_merge_of_recorded_seam_keeps_each_heard_word_once(case: dict) -> None:
    merged = merge_chunks([case["b"], case["a"]])
    lost, doubled = _seam_faults(case, merged)
    text = " ".join(x["text"] for x in merged)
    assert lost == [], f"lost {lost}: {text}"
    assert doubled == [], f"doubled {doubled}: {text}"
    starts = [x["start"] for x in merged]
    assert starts == sorted(starts)
    assert all(x in case["a"]["words"] or x in case["b"]["words"] for x in merged)


def _midpoint_cut(a: dict, b: dict) -> list[dict]:
    """The old merge: each chunk keeps the words whose centre is on its half of the overlap."""
    mid = (b["start"] + a["end"]) / 2
    return [x for x in a["words"] if (x["start"] + x["end"]) / 2 < mid] + [
        x for x in b["words"] if (x["start"] + x["end"]) / 2 >= mid
    ]


def test_recorded_seams_include_cases_a_midpoint_cut_gets_wrong() -> None:
    """The recordings have teeth: the old midpoint cut loses or doubles words in some of them."""
    faults = [_seam_faults(c, _midpoint_cut(c["a"], c["b"])) for c in _recorded_seams()]
    assert sum(1 for lost, _ in faults if lost) >= 1
    assert sum(1 for _, doubled in faults if doubled) >= 1
