"""The shared build_captions and compose_spec nodes make the RenderSpec of both flows."""

from __future__ import annotations

from dataclasses import asdict
from types import SimpleNamespace
from typing import Any

import pytest

from reelgraph.errors import InvalidInput
from reelgraph.nodes.captions import build_captions, caption_look
from reelgraph.nodes.compose import compose_spec
from reelgraph.workers.engine.caption_layout import SAFE_ZONES
from reelgraph.workers.engine.spec import RenderSpec

LOOK = {
    "caption_style": "pop",
    "caption_font": None,
    "caption_size": None,
    "caption_color": None,
    "highlight_color": None,
    "caption_position": None,
    "safe_zone": "auto",
    "emoji": False,
}


def _runtime(**ctx: Any) -> Any:
    return SimpleNamespace(context=SimpleNamespace(**{**LOOK, "quality": "draft", **ctx}))


def _caption_state() -> dict[str, Any]:
    words = [
        {"text": " We ", "start": 0.2, "end": 0.5},
        {"text": "cut", "start": 1.2, "end": 1.5},  # inside the cut: dropped
        {"text": "42", "start": 2.2, "end": 2.6},
    ]
    edits = {
        "width": 360,
        "height": 640,
        "fps": 30,
        "cuts": [{"start": 1.0, "end": 2.0}],
        "motion": None,
        "focus_track": None,
        "overlays": [],
    }
    return {
        "transcript": {"words": words},
        "edits": edits,
        "info": {"duration": 4.0, "has_audio": True},
        "media": {"path": "/in/talk.mp4"},
    }


def test_look_options_reach_the_state_and_bad_ones_name_the_option() -> None:
    look = caption_look(_runtime(caption_color="Yellow", caption_position="top").context)
    assert look == {"style": "pop", "color": "yellow", "position": "top"}
    with pytest.raises(InvalidInput, match=r"caption_color.*CSS colour"):
        caption_look(_runtime(caption_color="yelow").context)
    with pytest.raises(InvalidInput, match=r"caption_font.*Anton"):
        caption_look(_runtime(caption_font="Comic Sans").context)


def test_caption_flow_words_and_spec() -> None:
    state = _caption_state()
    rt = _runtime(highlight_color="#00FF00")
    state |= build_captions(state, rt)
    assert [w["text"] for w in state["caption_words"]] == ["We", "42"]
    assert [w["emphasis"] for w in state["caption_words"]] == [False, True]
    assert state["caption_words"][1]["start"] == pytest.approx(1.2)  # moved onto the cut timeline
    spec = RenderSpec.model_validate(compose_spec(state, rt)["spec"])
    assert spec.visuals[0].kind == "video" and spec.audio.source_audio
    assert spec.duration == pytest.approx(3.0)
    assert spec.captions and spec.captions.style == "pop"
    assert spec.captions.highlight_color == "#00FF00" and len(spec.captions.words) == 2
    assert (spec.output.width, spec.output.height, spec.output.quality) == (360, 640, "draft")


def test_no_words_no_captions_block() -> None:
    state = _caption_state()
    state["transcript"] = {"words": []}
    rt = _runtime()
    state |= build_captions(state, rt)
    assert state["captions"]["style"] == "pop"  # the report still names the style
    assert RenderSpec.model_validate(compose_spec(state, rt)["spec"]).captions is None


def test_create_flow_words_carry_the_plan_emphasis() -> None:
    plan = {"scenes": [{"emphasis": ["three"]}, {"emphasis": ["blue"]}]}
    words = [
        {"text": "Three", "start": 0.3, "end": 0.6, "scene": 0},
        {"text": "blue", "start": 1.0, "end": 1.2, "scene": 0},
        {"text": "blue.", "start": 2.0, "end": 2.3, "scene": 1},
    ]
    state = {"plan": plan, "narration": {"words": words}}
    out = build_captions(state, _runtime(caption_style="karaoke"))
    assert [w["emphasis"] for w in out["caption_words"]] == [True, False, True]
    assert out["captions"] == {"style": "karaoke", "safe_area": asdict(SAFE_ZONES["shorts"])}
