"""The API's options per job kind are made from, and checked with, the flows' options models."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from reelgraph.app.api.errors import describe_errors
from reelgraph.app.api.models import JobCreate
from reelgraph.app.api.options import OPTIONS
from reelgraph.graph.context import CONTEXTS

VIDEO = {"video": "https://example.com/v.mp4"}
INPUTS = {"create": {"prompt": "Owls can turn their heads."}, "caption": VIDEO, "analyze": VIDEO}


def _job(kind: str, **options: Any) -> JobCreate:
    return JobCreate.model_validate({"kind": kind, "input": INPUTS[kind], "options": options})


def _refused(kind: str, **options: Any) -> str:
    with pytest.raises(ValidationError) as err:
        _job(kind, **options)
    return describe_errors(err.value.errors())


def test_each_kind_has_its_flows_fields_descriptions_and_aliases() -> None:
    for kind, api in OPTIONS.items():
        flow = CONTEXTS[kind]
        fields = set(flow.model_fields) - flow.API_SKIP
        assert fields <= set(api.model_fields), kind
        for name in fields:
            assert api.model_fields[name].description == flow.model_fields[name].description
            assert api.model_fields[name].default is None  # absent: the flow's default
    assert "broll_dir" not in OPTIONS["caption"].model_fields  # server paths are never options
    schema = JobCreate.model_json_schema()
    refs = {s["$ref"].rsplit("/", 1)[-1] for s in schema["properties"]["options"]["anyOf"]}
    assert refs == {"CreateOptions", "CaptionOptions", "AnalyzeOptions", "ClipsOptions"}


def test_caption_look_options_are_taken_and_stored_by_their_names() -> None:
    job = _job("create", style="bold", caption_color="Gold", highlight_color="#00e676")
    assert job.options.to_options() == {
        "caption_style": "bold",
        "caption_color": "gold",
        "highlight_color": "#00E676",
    }
    caption = _job("caption", caption_font="Anton", caption_size=80, caption_position="middle")
    assert caption.options.to_options() == {
        "caption_font": "Anton",
        "caption_size": 80,
        "caption_position": "middle",
    }
    old = _job("caption", model="gpt-x", reframe=True, every=None, threshold=-40)
    assert old.options.to_options() == {
        "llm_model": "gpt-x",
        "aspect": "9:16",
        "silence_threshold_db": -40,
    }
    assert _job("create", model="gpt-x").options.to_options() == {"llm_model": "gpt-x"}
    assert _job("analyze", every=12, asr_model="base").options.to_options() == {
        "every_n_frames": 12,
        "asr_model": "base",
    }


@pytest.mark.parametrize(
    ("kind", "options", "needles"),
    [
        ("create", {"caption_color": "blurple"}, ["options.caption_color", "yellow", "#RRGGBB"]),
        ("caption", {"caption_font": "Arial"}, ["options.caption_font", "'Anton'", "'Arial'"]),
        ("create", {"caption_position": "left"}, ["options.caption_position", "'top'"]),
        ("create", {"caption_size": 8}, ["options.caption_size", "greater than or equal to 24"]),
        ("create", {"style": "comic-sans"}, ["options.style", "'karaoke'", "'comic-sans'"]),
        ("create", {"aspect": "source"}, ["options.aspect", "source"]),
        ("create", {"zoom": True}, ["options.zoom: zoom is an option of caption jobs"]),
        (
            "analyze",
            {"quality": "high"},
            ["quality is an option of create, caption and clips jobs"],
        ),
        ("create", {"fps": 1000}, ["options.fps: fps 1000 is out of range"]),
        ("caption", {"min_silence": 0.4, "padding": 0.3}, ["options.silence_padding", "half"]),
        ("caption", {"asr_model": "/etc/model"}, ["options.asr_model", "not a path"]),
        ("create", {"colour": "red"}, ["options.colour: Extra inputs are not permitted"]),
    ],
)
def test_bad_options_are_refused_naming_the_option(
    kind: str, options: dict[str, Any], needles: list[str]
) -> None:
    msg = _refused(kind, **options)
    assert all(n in msg for n in needles), msg


def test_the_caption_word_limit_follows_the_caption_look() -> None:
    word = "x" * 40  # fits karaoke at 9:16 (51), not a bigger font
    assert _job("create", caption_size=80)
    with pytest.raises(ValidationError, match="40-character word"):
        JobCreate.model_validate(
            {"kind": "create", "input": {"transcript": word}, "options": {"caption_size": 200}}
        )
