"""A scene's pacing sets the pause after it: slow longer, fast shorter, the target length kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelgraph.nodes.narrate import PACING_PAUSE, scene_gaps, stretch_gap
from reelgraph.workers.engine.narration import GAP, LEAD_IN, TAIL, assemble_narration

CLIPS = [{"duration": 2.0}, {"duration": 3.0}, {"duration": 1.0}]


def test_normal_pacing_is_the_plain_gap() -> None:
    assert scene_gaps(CLIPS, ["normal"] * 3, None) == [GAP, GAP]
    assert scene_gaps(CLIPS, ["normal"] * 3, 12.0) == [stretch_gap(CLIPS, 12.0)] * 2
    assert scene_gaps(CLIPS[:1], ["slow"], 12.0) == []


def test_slow_and_fast_scenes_change_the_pause_after_them() -> None:
    slow, fast = scene_gaps(CLIPS, ["slow", "fast", "normal"], None)
    assert slow == pytest.approx(GAP * PACING_PAUSE["slow"]) and slow > GAP
    assert fast == pytest.approx(GAP * PACING_PAUSE["fast"]) and fast < GAP


def test_with_a_target_the_total_pause_still_fills_it() -> None:
    gaps = scene_gaps(CLIPS, ["slow", "fast", "fast"], 12.0)
    assert gaps[0] > gaps[1]
    assert sum(gaps) == pytest.approx(2 * stretch_gap(CLIPS, 12.0), abs=0.002)


def test_assembled_narration_puts_each_scene_after_its_own_pause(tmp_path: Path) -> None:
    from pydub import AudioSegment

    clips = []
    for i, seconds in enumerate((0.5, 0.7, 0.4)):
        wav = tmp_path / f"c{i}.wav"
        AudioSegment.silent(duration=int(seconds * 1000), frame_rate=48000).export(wav, "wav")
        word = {"text": f"w{i}", "start": 0.1, "end": 0.3}
        clips.append({"audio": str(wav), "duration": seconds, "words": [word]})
    out = assemble_narration(clips, gap=[0.7, 0.2])
    starts = [w["start"] for w in out["words"]]
    second = LEAD_IN + 0.5 + 0.7
    assert starts == pytest.approx([LEAD_IN + 0.1, second + 0.1, second + 0.7 + 0.2 + 0.1])
    assert out["duration"] == pytest.approx(LEAD_IN + 0.5 + 0.7 + 0.7 + 0.2 + 0.4 + TAIL)
    assert len(AudioSegment.from_file(out["audio"])) == pytest.approx(out["duration"] * 1000, 2)
    with pytest.raises(ValueError, match="gaps"):
        assemble_narration(clips, gap=[0.7])
