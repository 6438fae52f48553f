"""The options models of graph/context.py: one per flow, the graphs' context, one alias table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from reelgraph.errors import InvalidInput
from reelgraph.graph.context import (
    ALIASES,
    CONTEXTS,
    AnalyzeContext,
    CaptionContext,
    Context,
)
from reelgraph.workers.engine.captions_look import BUNDLED_FAMILIES, CAPTION_STYLES, POSITIONS

ROOT = Path(__file__).resolve().parents[2]


def _choices(model: Any, field: str) -> list[str]:
    schema = model.model_json_schema()["properties"][field]
    for branch in [schema, *schema.get("anyOf", [])]:
        if "enum" in branch:
            return list(branch["enum"])
    raise AssertionError(f"{field} has no choices in {schema}")


def test_each_graph_takes_its_flows_model_as_context() -> None:
    from reelgraph.graph.analyze import graph as analyze_graph
    from reelgraph.graph.caption import graph as caption_graph
    from reelgraph.graph.clips import graph as clips_graph
    from reelgraph.graph.create import graph as create_graph

    graphs = {"create": create_graph, "caption": caption_graph, "analyze": analyze_graph}
    graphs["clips"] = clips_graph
    for kind, g in graphs.items():
        assert g.context_schema is CONTEXTS[kind]
        props = g.get_context_jsonschema()["properties"]
        assert set(props) == set(CONTEXTS[kind].model_fields)
        assert all(p.get("description") for p in props.values()), kind  # Studio shows them


def test_caption_look_choices_come_from_the_media_engine() -> None:
    for model in (Context, CaptionContext):
        assert _choices(model, "caption_style") == list(CAPTION_STYLES)
        assert _choices(model, "caption_font") == list(BUNDLED_FAMILIES)
        assert _choices(model, "caption_position") == list(POSITIONS)
    assert "caption_style" not in AnalyzeContext.model_fields


def test_defaults_live_once_in_the_models() -> None:
    assert Context().caption_style == CaptionContext().caption_style == "karaoke"
    assert CaptionContext().asr_model == AnalyzeContext().asr_model == "auto"
    look = ("caption_color", "highlight_color", "caption_font", "caption_size", "caption_position")
    assert all(getattr(Context(), f) is None for f in look)  # None: the preset's
    sources = [p for d in ("app", "graph") for p in (ROOT / d).rglob("*.py")]
    found = [
        str(p.relative_to(ROOT)) for p in sources for _ in re.findall(r"\"karaoke\"", p.read_text())
    ]
    assert found == ["graph/context.py"], found


def test_colours_are_css_names_or_hex_and_a_bad_one_lists_examples() -> None:
    ctx = Context.from_options({"caption_color": " DeepSkyBlue ", "highlight_color": "#ffd400"})
    assert (ctx.caption_color, ctx.highlight_color) == ("deepskyblue", "#FFD400")
    for bad in ("blurple", "#FFD40", "rgb(1,2,3)", "#GGGGGG"):
        with pytest.raises(InvalidInput) as err:
            CaptionContext.from_options({"highlight_color": bad})
        msg = err.value.message
        assert "highlight_color" in msg and "yellow" in msg and "#RRGGBB" in msg, msg


@pytest.mark.parametrize(
    ("options", "needles"),
    [
        ({"caption_style": "comic-sans"}, ["caption_style", "'karaoke'", "'bold'"]),
        ({"caption_font": "Comic Sans"}, ["caption_font", "'Anton'", "'Bebas Neue'"]),
        ({"caption_position": "left"}, ["caption_position", "'top'", "'middle'"]),
        ({"caption_size": 12}, ["caption_size", "at least 24"]),
        ({"caption_size": 500}, ["caption_size", "at most 200"]),
        ({"aspect": "source"}, ["aspect", "'9:16'"]),
        ({"quality": "ultra"}, ["quality", "'draft'"]),
        ({"music": "jazz"}, ["Music 'jazz'", "calm"]),
        ({"speed": 3}, ["speed", "at most 2"]),
        ({"fps": 1000}, ["fps 1000 is out of range"]),
        ({"width": 1080}, ["both width and height"]),
        ({"width": 4000, "height": 2000}, ["out of range", "above the limit 3840"]),
        ({"voice": "joe", "colour": "red"}, ["Unknown option 'colour'"]),
    ],
)
def test_bad_create_values_name_the_option_and_what_it_takes(
    options: dict[str, Any], needles: list[str]
) -> None:
    with pytest.raises(InvalidInput) as err:
        Context.from_options(options)
    assert all(n in err.value.message for n in needles), err.value.message


def test_messages_name_flags_for_the_command_line() -> None:
    with pytest.raises(InvalidInput, match=r"^--caption-size 10 is out of range"):
        Context.from_options({"caption_size": 10}, flags=True)
    with pytest.raises(InvalidInput, match=r"^--every-n-frames 0 is out of range"):
        AnalyzeContext.from_options({"every": 0}, flags=True)


def test_api_aliases_map_onto_fields_and_none_means_the_default() -> None:
    create = Context.from_options({"style": "pop", "model": "gpt-x", "fps": None})
    assert (create.caption_style, create.llm_model, create.fps) == ("pop", "gpt-x", 30)
    caption = CaptionContext.from_options({"model": "gpt-y", "cut_silences": True})
    assert (caption.llm_model, caption.remove_silence, caption.asr_model) == (
        "gpt-y",
        True,
        "auto",
    )
    analyze = AnalyzeContext.from_options({"every": 5})
    assert analyze.every_n_frames == 5
    with pytest.raises(InvalidInput, match="once"):
        Context.from_options({"style": "pop", "caption_style": "clean"})


def test_the_alias_table_is_consistent() -> None:
    for alias in ALIASES:
        for flow in alias.flows:
            model = CONTEXTS[flow]
            assert alias.field in model.model_fields, alias
            assert alias.name not in model.model_fields, alias  # an alias never hides a field
    for flow, model in CONTEXTS.items():
        for surface in ("cli", "api"):
            names = [a for f in model.model_fields for a in model.aliases(f, surface)]  # type: ignore[arg-type]
            assert len(names) == len(set(names)), (flow, surface, names)
    assert CaptionContext.aliases("asr_model", "cli") == ["model"]  # `--model` is the ASR's
    assert CaptionContext.aliases("llm_model", "api") == ["model"]  # the API's is the chat's


def test_studio_context_dicts_are_validated_like_everything_else() -> None:
    from langgraph.pregel.main import _coerce_context

    ctx = _coerce_context(Context, {"caption_color": "Gold", "width": 320, "height": 568})
    assert isinstance(ctx, Context) and ctx.caption_color == "gold" and ctx.size() == (320, 568)
    with pytest.raises(Exception, match="not a colour"):
        _coerce_context(Context, {"caption_color": "blurple"})
