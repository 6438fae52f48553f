"""A conversation embedded (SQLite checkpointer, media inline): follow-ups re-render only what
changed, versions can be undone and restored, a message that maps to nothing changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import ffprobe_json, frame_at

pytestmark = pytest.mark.integration

SCRIPT = (
    "Octopuses are strange and clever animals that live in every ocean of the world. "
    "They have three hearts and their blood is blue because of copper. "
    "Each of their eight arms can taste and touch things at the same time."
)
OPTIONS = {
    "width": 180,
    "height": 320,
    "fps": 15,
    "quality": "draft",
    "caption_style": "clean",
    "highlight_color": "white",  # emphasised words white too: only the follow-up brings yellow
}
MESSAGES = [
    SCRIPT,  # v1
    "make the captions yellow",  # v2
    "make scene 2 say Octopus blood runs blue with copper.",  # v3: words no other test says
    "what's the weather like tomorrow?",  # nothing
    "undo",  # v4 = v2
    "go back to version 1",  # v5 = v1
]


@pytest.fixture(scope="module")
def turns(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    from reelgraph.graph.checkpoint import get_checkpointer
    from reelgraph.graph.threads import run_turn

    root = tmp_path_factory.mktemp("thread")
    out = []
    with get_checkpointer() as cp:
        for i, text in enumerate(MESSAGES):
            out.append(
                run_turn(
                    "conv-1",
                    text,
                    turn_id=f"turn-{i}",
                    out_dir=root / f"turn-{i}",
                    checkpointer=cp,
                    options=OPTIONS,
                )
            )
    return out


def _yellow(frame: np.ndarray) -> np.ndarray:
    r, g, b = (frame[..., i].astype(int) for i in range(3))
    return (r > 190) & (g > 170) & (b < 120)


def _white(frame: np.ndarray) -> np.ndarray:
    return (frame.astype(int) > 200).all(axis=2)


def test_a_caption_colour_follow_up_re_renders_without_narration_or_music(turns) -> None:
    first, yellow = turns[0], turns[1]
    assert first["version"] == 1 and yellow["version"] == 2
    assert "Version 2 is ready" in yellow["reply"] and "caption colour yellow" in yellow["reply"]
    report = yellow["report"]
    assert report["recomputed"] == [
        "edit_plan",
        "build_captions",
        "compose_spec",
        "render",
        "deliver",
    ]
    assert report["reused"] == ["pick_visuals", "narrate_scenes", "score_music"]
    assert "narrate_scenes" in first["report"]["recomputed"]
    on_disk = json.loads(Path(yellow["artifacts"]["report.json"]).read_text())
    assert on_disk["recomputed"] == report["recomputed"]
    words = json.loads(Path(yellow["artifacts"]["spec.json"]).read_text())["captions"]["words"]
    t = (words[1]["start"] + words[1]["end"]) / 2
    before = frame_at(first["artifacts"]["video.mp4"], t)
    after = frame_at(yellow["artifacts"]["video.mp4"], t)
    diff = np.abs(after.astype(int) - before.astype(int)).sum(axis=2)
    top = int(320 * 0.4)  # the clean style's captions sit below this row
    assert diff[:top].mean() < 3, diff[:top].mean()  # the same picture, but for encoder noise
    changed = diff[top:] > 40
    after, before = after[top:], before[top:]
    # the pixels that changed are the words: white before, yellow now
    assert (_yellow(after) & changed).sum() > 40 and (_yellow(before) & changed).sum() == 0
    assert (_white(before) & changed).sum() > 40 and (_white(after) & changed).sum() == 0


def test_a_scene_text_change_re_narrates_that_scene_only(turns) -> None:
    v3 = turns[2]
    assert v3["version"] == 3 and v3["changed"] == [
        "scene 2 now says “Octopus blood runs blue with copper.”"
    ]
    assert "narrate_scenes" in v3["report"]["recomputed"]
    assert v3["report"]["cache"]["narration"] == "2/3 scenes cached"


def test_an_unmappable_message_changes_nothing(turns) -> None:
    nothing = turns[3]
    assert nothing["version"] is None and nothing["artifacts"] == {}
    assert "nothing changed" in nothing["reply"] and "undo" in nothing["reply"]


def test_undo_and_go_back_restore_earlier_versions_from_the_caches(turns) -> None:
    undo, back = turns[4], turns[5]
    assert undo["version"] == 4 and undo["changed"] == ["undone: back to version 2"]
    assert back["version"] == 5 and back["changed"] == ["back to version 1"]
    for turn, same in ((undo, turns[1]), (back, turns[0])):
        report = turn["report"]
        assert report["render_key"] == same["report"]["render_key"]
        assert report["cache"]["render"] == "hit" and "render" not in report["recomputed"]
        assert "narrate_scenes" not in report["recomputed"]
        video = turn["artifacts"]["video.mp4"]
        assert float(ffprobe_json(video)["format"]["duration"]) > 0
