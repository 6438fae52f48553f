"""Versions of a conversation's video: what deliver records per turn and says in its reply.

Every rendered turn appends one entry to ``versions`` in state: its number, the version it was
made from (``parent``, what undo goes back to), the plan and option overrides (what a restore
brings back), the spec and render keys and what changed. The report gains ``version``,
``changed``, ``recomputed`` (the stages that did work this turn) and ``reused`` (the stages
skipped because their inputs did not change).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

State = Mapping[str, Any]
#: How the stages are named in a reply.
STAGE_WORDS = {
    "narrate_scenes": "narration",
    "score_music": "music",
    "build_captions": "captions",
    "compose_spec": "the spec",
    "render": "the render",
    "pick_visuals": "the pictures",
}


def public_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan as it may be served: a scene's attached picture by its file name, no path."""
    scenes = [
        {**s, "image": Path(s["image"]).name} if s.get("image") else s for s in plan["scenes"]
    ]
    return {**plan, "scenes": scenes}


def turn_of(state: State) -> dict[str, Any]:
    """This turn: edit_plan's record, or the first version's."""
    turn = dict(state.get("turn") or {})
    if not turn.get("version"):
        turn = {"version": len(state.get("versions") or []) + 1, "parent": None, "changed": []}
    return turn


def turn_report(state: State) -> dict[str, Any]:
    """The report's fields about this turn."""
    from reelgraph.workers.engine.cache import make_key

    turn = turn_of(state)
    return {
        "version": turn["version"],
        "changed": turn.get("changed") or ["first version"],
        "recomputed": [*(state.get("recomputed") or []), "deliver"],
        "reused": list(state.get("reused") or []),
        "spec_key": make_key("spec", state["spec"]),
    }


def version_update(state: State, report: dict[str, Any]) -> dict[str, Any]:
    """The state update of deliver: the new entry of ``versions``."""
    turn = turn_of(state)
    entry = {
        "version": report["version"],
        "parent": turn.get("parent"),
        "restored": turn.get("restored"),
        "changed": report["changed"],
        "plan": state["plan"],
        "options": dict(state.get("option_overrides") or {}),
        "spec_key": report["spec_key"],
        "render_key": report.get("render_key"),
        "out_dir": state.get("out_dir"),
    }
    return {"versions": [entry], "turn": {**turn, "rendered": True}}


def _skipped(report: dict[str, Any]) -> str:
    words = [STAGE_WORDS.get(s, s) for s in report.get("reused") or []]
    if report.get("cache", {}).get("render") == "hit":
        words.append("the render (cached)")
    return f" Reused: {', '.join(words)}." if words else ""


def version_message(state: State, report: dict[str, Any]) -> str:
    """The closing reply: the first version's line, or what changed and the new version."""
    version = report["version"]
    if version == 1:
        title = report.get("title") or "video"
        return f"Your video '{title}' is ready ({report['duration']:.1f}s, {report['encoder']})."
    changed = "; ".join(report["changed"])
    note = str((state.get("turn") or {}).get("note") or "").strip()
    text = f"Version {version} is ready ({report['duration']:.1f}s): {changed}.{_skipped(report)}"
    return f"{text} {note}" if note else text
