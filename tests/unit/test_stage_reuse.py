"""The stage wrapper in a conversation: thread option edits reach the node, a node whose inputs
did not change is skipped (unless its files are gone), and turn-scoped fields start afresh."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from reelgraph.graph.context import Context
from reelgraph.graph.state import merge_dicts, turn_list
from reelgraph.nodes.stage import TURN_RESET, fingerprint, stage

calls: list[str] = []


def _inputs(state: Any, ctx: Any) -> Any:
    return [state["text"], ctx.caption_color]


@stage(inputs=_inputs, outputs=("made",))
def make_thing(state: dict[str, Any], runtime: Runtime[Context]) -> dict[str, Any]:
    calls.append(runtime.context.caption_color or "")
    return {"made": {"path": state["file"]}}


def _run(state: dict[str, Any]) -> dict[str, Any]:
    return make_thing(state, Runtime(context=Context()))


def test_a_node_runs_then_is_skipped_while_its_inputs_are_the_same(tmp_path: Path) -> None:
    calls.clear()
    file = tmp_path / "thing.wav"
    file.write_bytes(b"x")
    state: dict[str, Any] = {"text": "a", "file": str(file)}
    first = _run(state)
    assert first["recomputed"] == ["make_thing"] and calls == [""]
    state |= {"made": first["made"], "stage_keys": first["stage_keys"]}
    again = _run(state)
    assert again["reused"] == ["make_thing"] and again["recomputed"] == [] and len(calls) == 1
    edited = _run(state | {"option_overrides": {"caption_color": "yellow"}})
    assert edited["recomputed"] == ["make_thing"] and calls[-1] == "yellow"  # the edit arrived
    file.unlink()  # its output is gone (a cache eviction): it runs again
    assert _run(state)["recomputed"] == ["make_thing"]


def test_fingerprints_ignore_key_order() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def test_turn_scoped_fields_start_afresh_on_a_reset() -> None:
    assert merge_dicts({"render": 3.0}, {"plan": 1.0}) == {"render": 3.0, "plan": 1.0}
    assert merge_dicts({"render": 3.0}, {TURN_RESET: True, "edit_plan": 0.1}) == {"edit_plan": 0.1}
    assert turn_list(["old warning"], ["new"]) == ["old warning", "new"]
    assert turn_list(["old warning"], [TURN_RESET, "edit_plan"]) == ["edit_plan"]
