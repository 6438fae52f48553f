"""score_music: a bundled track chosen by mood (or the user's), looped/trimmed with fades."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from langgraph.runtime import Runtime

from reelgraph.errors import InvalidInput
from reelgraph.nodes.stage import stage
from reelgraph.workers.jobs.dispatch import dispatch

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import Context
    from reelgraph.graph.state import CreateState


def resolve_music_choice(choice: str | None, user_file: str | None, mood: str) -> tuple[str, str]:
    """Return (kind, value): ('none', ''), ('file', path) or ('mood', mood).

    ``choice`` is only ever a mood, ``auto`` or ``none``: a track the user supplies arrives as
    ``user_file`` (the CLI puts a local path there, the API a stored upload or fetched URL), so
    no option value is ever opened as a path on the machine that runs this node.
    """
    from reelgraph.workers.engine.music import moods

    if user_file:
        return "file", user_file
    c = (choice or "auto").strip().lower()
    if c == "none":
        return "none", ""
    if c == "auto":
        return "mood", mood
    if c in moods() or c == "dramatic":
        return "mood", c
    raise InvalidInput(
        f"Music '{choice}' is not a mood; use auto, none or one of: {', '.join(moods())}."
    )


def music_inputs(state: Mapping[str, Any], ctx: Any) -> Any:
    """What the music bed depends on: the choice, the plan's mood and title, the length."""
    plan = state["plan"]
    length = _video_duration(state, ctx.duration if ctx is not None else None)
    choice = ctx.music if ctx is not None else None
    return [choice, state.get("music_file"), plan.get("mood"), plan.get("title"), length]


@stage(inputs=music_inputs, outputs=("music",))
def score_music(state: CreateState, runtime: Runtime[Context]) -> dict[str, Any]:
    from reelgraph.workers.engine.music import pick_track, prepare_music

    plan = state["plan"]
    kind, value = resolve_music_choice(
        runtime.context.music, state.get("music_file"), plan.get("mood", "calm")
    )
    if kind == "none":
        return {"music": None, "cache": {"music": "off"}}
    track = value if kind == "file" else str(pick_track(value, plan.get("title", "")))
    duration = _video_duration(state, runtime.context.duration)
    prepared = dispatch(prepare_music, queue="cpu", track=track, duration=duration)
    return {
        "music": {"path": prepared["path"], "track": os.path.basename(track), "source": kind},
        "cache": {"music": "hit" if prepared["cache_hit"] else "miss"},
        **({"recomputed": []} if prepared["cache_hit"] else {}),
    }


def _video_duration(state: Mapping[str, Any], target: float | None) -> float:
    """The narration's length, or the target length when one is asked for and longer."""
    narr = float(state["narration"]["duration"])
    return max(narr, float(target)) if target else narr
