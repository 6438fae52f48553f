"""The create graph as LangGraph Studio loads it: langgraph.json, schemas, node order."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from langchain_core.messages import HumanMessage

from reelgraph.graph.context import Context
from reelgraph.nodes.narrate import split_words_by_scene, stretch_gap
from reelgraph.nodes.plan import prompt_of

ROOT = Path(__file__).resolve().parents[2]


def test_langgraph_json_names_compiled_create_graph() -> None:
    cfg = json.loads((ROOT / "langgraph.json").read_text())
    path, attr = cfg["graphs"]["create"].split(":")
    spec = importlib.util.spec_from_file_location("studio_create", ROOT / path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    g = getattr(mod, attr)
    assert g.checkpointer is None  # Studio supplies its own
    nodes = [n for n in g.get_graph().nodes if not n.startswith("__")]
    assert nodes == [
        "plan_script",
        "pick_visuals",
        "narrate_scenes",
        "score_music",
        "build_captions",
        "compose_spec",
        "render",
        "translate_captions",
        "deliver",
        "edit_plan",  # follow-up messages on the thread enter here
        "preview_plan",
        "review_plan",
    ]
    assert g.context_schema is Context
    assert "messages" in g.get_input_jsonschema()["properties"]
    assert "artifacts" in g.get_output_jsonschema()["properties"]


def test_prompt_comes_from_last_human_message() -> None:
    state = {"messages": [HumanMessage("first"), HumanMessage("make it about bees")]}
    assert prompt_of(state) == "make it about bees"
    assert prompt_of({"prompt": " explicit ", **state}) == "explicit"


def test_stretch_gap_fills_target() -> None:
    clips = [{"duration": 3.0}, {"duration": 3.0}, {"duration": 3.0}]
    assert stretch_gap(clips, None) == 0.35
    gap = stretch_gap(clips, 15.0)
    assert abs(0.25 + 9.0 + 2 * gap + 0.6 - 15.0) < 0.01
    assert stretch_gap(clips, 5.0) == 0.35  # never squeezes speech


def test_words_assigned_to_scenes_by_count() -> None:
    plan = {"scenes": [{"narration": "one two"}, {"narration": "three four five"}]}
    words = [{"text": t} for t in ["one", "two", "three", "four", "five"]]
    assert split_words_by_scene(words, plan) == [0, 0, 1, 1, 1]
