"""edit_plan and the plan edits: the offline path, validation, undo/restore, the LLM agent."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.runtime import Runtime

from reelgraph.errors import InvalidInput
from reelgraph.graph.context import Context
from reelgraph.nodes import edit_plan as edit_plan_module
from reelgraph.nodes.edit_plan import edit_plan, route_after_edit, route_start
from reelgraph.nodes.plan_edits import Edit, apply_edits
from reelgraph.nodes.stage import TURN_RESET
from tests.fakes import ScriptedChatModel

PLAN = {
    "title": "Octopus facts",
    "mood": "calm",
    "hashtags": [],
    "scenes": [
        {"narration": "Octopuses have three hearts.", "keywords": ["octopus"], "pacing": "normal"},
        {"narration": "Their blood is blue.", "keywords": ["blood"], "pacing": "normal"},
        {"narration": "Each arm can taste.", "keywords": ["arm"], "pacing": "normal"},
    ],
}


def version(n: int, parent: int | None, **options: Any) -> dict[str, Any]:
    return {"version": n, "parent": parent, "plan": PLAN, "options": options, "changed": []}


def state(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "plan": PLAN,
        "messages": [
            HumanMessage(content="Octopus facts"),
            AIMessage(content="ok"),
            HumanMessage(content=text),
        ],
        "narration": {"duration": 9.0},
        "versions": [version(1, None)],
        **extra,
    }


def run(text: str, **extra: Any) -> dict[str, Any]:
    return edit_plan(state(text, **extra), Runtime(context=Context.from_options({})))


def edit_of(**kw: Any) -> Edit:
    base = {"plan": PLAN, "overrides": {}, "context": Context().model_dump(), "versions": []}
    return Edit(**{**base, "attachments": [], "narration_s": 9.0, **kw})


def test_a_caption_colour_message_edits_the_options_and_starts_a_turn() -> None:
    out = run("make the captions yellow")
    assert out["option_overrides"] == {"caption_color": "yellow"}
    assert out["plan"] == PLAN
    assert out["turn"]["version"] == 2 and out["turn"]["parent"] == 1
    assert out["turn"]["changed"] == ["caption colour yellow"]
    assert out["recomputed"] == [TURN_RESET, "edit_plan"]
    assert out["timings"][TURN_RESET] and out["warnings"] == [TURN_RESET]
    assert route_after_edit(out) == "edited"


def test_an_unmappable_message_changes_nothing_and_says_what_can_be_done() -> None:
    out = run("what is the weather tomorrow")
    assert "plan" not in out and "option_overrides" not in out
    assert route_after_edit(out) == "unchanged"
    reply = out["messages"][0].content
    assert "nothing changed" in reply and "captions" in reply and "undo" in reply


def test_a_bad_scene_number_is_refused_in_the_reply() -> None:
    out = run("remove scene 7")
    assert route_after_edit(out) == "unchanged"
    assert "There is no scene 7; this video has scenes 1 to 3." in out["messages"][0].content


def test_a_bad_value_is_refused_with_the_options_message() -> None:
    out = run("use the nosuchvoice voice")
    assert route_after_edit(out) == "unchanged"
    assert "nosuchvoice" in out["messages"][0].content


def test_start_routes_to_edit_only_when_a_plan_exists() -> None:
    assert route_start({}) == "plan" and route_start({"plan": PLAN}) == "edit"


def test_scene_edits_keep_the_plan_valid() -> None:
    ops = [
        {"op": "scene_text", "scene": 2, "text": "Their blood is green."},
        {"op": "swap_scenes", "a": 1, "b": -1},
        {"op": "add_scene", "text": "Follow for more", "at": None},
        {"op": "remove_scene", "scene": 2},
        {"op": "regenerate", "scene": 1},
        {"op": "scene_picture", "scene": 2, "query": "a lighthouse at night"},
    ]
    done = apply_edits(ops, edit_of(), Context)
    texts = [s["narration"] for s in done.plan["scenes"]]
    assert texts == ["Each arm can taste.", "Octopuses have three hearts.", "Follow for more"]
    assert done.plan["scenes"][0]["variant"] == 1
    assert done.plan["scenes"][1]["keywords"] == ["lighthouse", "night"]
    assert PLAN["scenes"][1]["narration"] == "Their blood is blue."  # the input is not mutated


def test_relative_edits_start_from_the_current_values() -> None:
    ops = [
        {"op": "adjust", "field": "music_volume", "delta": -4.0},
        {"op": "scale", "field": "caption_size", "factor": 1.25},
        {"op": "length", "factor": 0.8},
    ]
    done = apply_edits(ops, edit_of(overrides={"caption_size": 80, "duration": 20.0}), Context)
    assert done.overrides == {"music_volume": -16.0, "caption_size": 100, "duration": 16.0}
    shorter = apply_edits([{"op": "length", "factor": 0.8}], edit_of(), Context)
    assert {s["pacing"] for s in shorter.plan["scenes"]} == {"fast"}  # no target: tighter pauses


def test_aspect_changes_resize_an_explicit_size() -> None:
    done = apply_edits(
        [{"op": "aspect", "aspect": "16:9"}],
        edit_of(overrides={"width": 180, "height": 320}),
        Context,
    )
    assert (done.overrides["width"], done.overrides["height"]) == (320, 180)


def test_undo_and_restore_follow_the_versions() -> None:
    v = [version(1, None), version(2, 1, caption_color="yellow"), version(3, 2, music="none")]
    undo = apply_edits([{"op": "undo"}], edit_of(versions=v, parent=3), Context)
    assert undo.overrides == {"caption_color": "yellow"} and undo.restored == 2
    assert undo.parent == 1  # undo again goes to version 1
    back = apply_edits([{"op": "restore", "version": 1}], edit_of(versions=v, parent=3), Context)
    assert back.overrides == {} and back.restored == 1 and back.parent == 3
    with pytest.raises(InvalidInput, match="nothing to undo"):
        apply_edits([{"op": "undo"}], edit_of(versions=v[:1], parent=1), Context)
    with pytest.raises(InvalidInput, match="no version 9"):
        apply_edits([{"op": "restore", "version": 9}], edit_of(versions=v, parent=3), Context)


def _call(name: str, args: dict[str, Any], call_id: str) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id}


def test_the_llm_agent_edits_through_typed_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    model = ScriptedChatModel.scripted(
        [
            AIMessage(
                content="",
                tool_calls=[
                    _call("set_options", {"caption_color": "yellow"}, "c1"),
                    _call("remove_scene", {"scene": 9}, "c2"),  # refused: the agent reads why
                ],
            ),
            AIMessage(
                content="",
                tool_calls=[_call("set_scene_text", {"scene": 2, "text": "Blue!"}, "c3")],
            ),
            AIMessage(content="Captions are yellow and scene 2 says Blue!"),
        ]
    )
    monkeypatch.setattr(edit_plan_module, "get_chat_model", lambda _name: model)
    out = run("yellow captions, and scene 2 should just say Blue!")
    assert out["option_overrides"] == {"caption_color": "yellow"}
    assert out["plan"]["scenes"][1]["narration"] == "Blue!"
    assert out["turn"]["note"] == "Captions are yellow and scene 2 says Blue!"
    tool_answers = [m.content for m in model.calls[1] if isinstance(m, ToolMessage)]
    assert tool_answers[0] == "done: caption colour yellow"
    assert tool_answers[1].startswith("refused: There is no scene 9")
    assert "Octopuses have three hearts." in model.calls[0][0].content  # the plan is shown


def test_an_llm_that_calls_no_tool_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    model = ScriptedChatModel.scripted([AIMessage(content="I can't sing, sorry.")])
    monkeypatch.setattr(edit_plan_module, "get_chat_model", lambda _name: model)
    out = run("sing me a song")
    assert route_after_edit(out) == "unchanged"
    assert out["messages"][0].content == "I can't sing, sorry."
