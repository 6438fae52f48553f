"""Silence maps, focus tracks, OCR dedup and b-roll matching: pure parts, no media decoding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reelgraph.workers.engine.broll import match_broll, tokens
from reelgraph.workers.engine.ocr import merge_readings
from reelgraph.workers.engine.silence import silences_from_levels, window_levels_db
from reelgraph.workers.engine.vision import faces_in_frames, focus_track


def test_window_levels_of_silence_and_full_scale_sine() -> None:
    rate = 16000
    t = np.arange(rate) / rate
    sine = (np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    levels = window_levels_db(np.concatenate([np.zeros(rate, np.float32), sine]), rate)
    assert len(levels) == 200
    assert levels[:100].max() < -150
    assert levels[100:].min() == pytest.approx(-3.01, abs=0.1)  # RMS of a unit sine


def test_silences_padding_edges_and_minimum() -> None:
    # 10 ms windows: 0-0.3 quiet, 0.3-1.3 loud, 1.3-2.1 quiet, 2.1-3.1 loud, 3.1-3.4 quiet,
    # 3.4-3.9 loud, 3.9-4.5 quiet
    runs = [(-60, 30), (-10, 100), (-60, 80), (-10, 100), (-60, 30), (-10, 50), (-60, 60)]
    levels = np.concatenate([np.full(n, lvl, np.float32) for lvl, n in runs])
    cuts = silences_from_levels(levels, threshold_db=-35, min_silence=0.5, padding=0.15)
    # pauses under min_silence are kept; a long pause keeps padding beside speech only
    assert cuts == [(pytest.approx(1.45), pytest.approx(1.95)), (pytest.approx(4.05), 4.5)]


def test_silences_none_when_loud_or_threshold_low() -> None:
    levels = np.full(300, -20.0, np.float32)
    assert silences_from_levels(levels) == []
    quiet = np.full(300, -50.0, np.float32)
    assert silences_from_levels(quiet, threshold_db=-60) == []
    assert silences_from_levels(quiet, threshold_db=-35) == [(0.0, 3.0)]


def test_focus_track_follows_largest_face_and_smooths() -> None:
    samples = [
        {"t": 0.0, "faces": []},
        {"t": 1.0, "faces": [[0.1, 0.2, 0.1, 0.2], [0.6, 0.3, 0.2, 0.3]]},  # big one at x=0.7
        {"t": 2.0, "faces": []},  # gap: hold
        {"t": 3.0, "faces": [[0.6, 0.3, 0.2, 0.3]]},
    ]
    track = focus_track(samples, 4.0, smoothing_s=0.0)
    xs = [p[1] for p in track]
    assert xs == [0.7, 0.7, 0.7, 0.7, 0.7]  # before the first face: look where it will be
    assert track[-1][0] == 4.0
    assert track[1][2] == pytest.approx(0.3 + 0.3 * 0.45)


def test_focus_track_centre_without_faces_and_moving_average() -> None:
    assert focus_track([{"t": 0.0, "faces": []}, {"t": 1.0, "faces": []}], 1.0) == [
        (0.0, 0.5, 0.5),
        (1.0, 0.5, 0.5),
    ]
    jumpy = [{"t": float(i), "faces": [[0.1 if i % 2 else 0.7, 0.4, 0.2, 0.2]]} for i in range(6)]
    track = focus_track(jumpy, 5.0, smoothing_s=2.0)
    assert max(p[1] for p in track[1:-1]) - min(p[1] for p in track[1:-1]) < 0.25


def test_faces_in_blank_frames_are_empty() -> None:
    frames = np.zeros((2, 90, 160), np.uint8)
    assert faces_in_frames(frames) == [{"t": 0.0, "faces": []}, {"t": 1.0, "faces": []}]


def _line(text: str, conf: float = 0.95) -> dict[str, object]:
    return {"text": text, "confidence": conf, "box": [1, 2, 3, 4]}


def test_merge_readings_dedupes_fuzzy_and_splits_on_gaps() -> None:
    readings = [
        (0.0, [_line("SALE 50% OFF", 0.9)]),
        (1.0, [_line("SALE 5O% OFF", 0.7), _line("New arrivals")]),
        (2.0, [_line("SALE 50% OFF!", 0.99)]),
        (3.0, []),
        (4.0, [_line("SALE 50% OFF"), _line("xx", 0.3)]),
    ]
    items = merge_readings(readings, 1.0, duration=4.5)
    assert [(i["text"], i["start"], i["end"]) for i in items] == [
        ("SALE 50% OFF!", 0.0, 3.0),
        ("New arrivals", 1.0, 2.0),
        ("SALE 50% OFF", 4.0, 4.5),
    ]
    assert items[0]["confidence"] == 0.99


def test_broll_matches_stems_once_without_overlap(tmp_path: Path) -> None:
    for name in ("city_night.mp4", "Dogs-Park.jpg", "notes.txt", "the.mp4"):
        (tmp_path / name).write_bytes(b"x")
    words = [
        {"text": "The", "start": 0.0, "end": 0.2},
        {"text": "city", "start": 0.3, "end": 0.6},
        {"text": "night", "start": 0.7, "end": 1.0},  # overlaps the city clip: skipped
        {"text": "dogs,", "start": 4.0, "end": 4.4},
        {"text": "city", "start": 8.0, "end": 8.3},  # file already used
    ]
    got = match_broll(words, tmp_path, clip_s=2.0)
    assert [(Path(o["path"]).name, o["kind"], o["start"], o["end"]) for o in got] == [
        ("city_night.mp4", "video", 0.3, 2.3),
        ("Dogs-Park.jpg", "image", 4.0, 6.0),
    ]
    assert tokens("b_roll_Cities-at-night") == {"city", "night"}


def test_tesseract_tsv_groups_words_into_lines() -> None:
    from reelgraph.workers.engine.ocr import parse_tesseract_tsv

    head = "\t".join(
        [
            "level",
            "page_num",
            "block_num",
            "par_num",
            "line_num",
            "word_num",
            "left",
            "top",
            "width",
            "height",
            "conf",
            "text",
        ]
    )
    rows = [
        "1\t1\t0\t0\t0\t0\t0\t0\t640\t360\t-1\t",
        "5\t1\t1\t1\t1\t1\t100\t50\t80\t30\t96.5\tSALE",
        "5\t1\t1\t1\t1\t2\t190\t52\t40\t30\t90.5\t50",
        "5\t1\t1\t1\t1\t3\t240\t50\t60\t34\t93\tOFF",
        "5\t1\t2\t1\t1\t1\t10\t300\t50\t20\t40\tshop",
        "5\t1\t2\t1\t1\t2\t70\t300\t50\t20\t-1\t ",
    ]
    lines = parse_tesseract_tsv("\n".join([head, *rows]))
    assert [ln["text"] for ln in lines] == ["SALE 50 OFF", "shop"]
    assert lines[0]["box"] == [100, 50, 200, 34]
    assert abs(lines[0]["confidence"] - 0.9333) < 1e-3 and lines[1]["confidence"] == 0.4


def test_unknown_ocr_engine_is_refused() -> None:
    from reelgraph.errors import InvalidInput
    from reelgraph.workers.engine.ocr import resolve_engine

    with pytest.raises(InvalidInput, match="rapidocr"):
        resolve_engine("easyocr")
    assert resolve_engine("auto") == "rapidocr"  # installed with the package
