"""render (create and caption flows): the render job for the RenderSpec, in one pass or, for a
spec longer than the run's segment length, in segments on several workers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.runtime import Runtime

from reelgraph.nodes.stage import stage
from reelgraph.settings import get_settings
from reelgraph.workers.jobs.dispatch import current_mode, dispatch

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import Output


@stage
def render(state: dict[str, Any], runtime: Runtime[Output]) -> dict[str, Any]:
    """video.mp4 in the run's folder (the render cache answers a spec it has seen)."""
    from reelgraph.workers.engine.render import render_spec

    out = Path(state["out_dir"]) / "video.mp4"
    seconds = segment_seconds(runtime.context)
    if seconds:
        from reelgraph.workers.jobs.segments import render_segmented

        result = render_segmented(state["spec"], str(out), seconds)
    else:
        result = dispatch(render_spec, queue="gpu", spec=state["spec"], out_path=str(out))
    hit = bool(result["cache_hit"])
    return {
        "video": result,
        "cache": {"render": "hit" if hit else "miss"},
        **({"recomputed": []} if hit else {}),  # the cache answered: no frame was rendered
    }


def segment_seconds(context: Output) -> float:
    """The run's segment length: its option, else on a server the setting; 0 = one pass."""
    asked = getattr(context, "segment_seconds", None)
    if asked is not None:
        return float(asked)
    return get_settings().segment_seconds if current_mode() == "rq" else 0.0
