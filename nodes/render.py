"""render (create and caption flows): dispatch the single-pass render job for the RenderSpec."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.runtime import Runtime

from reelgraph.nodes.stage import stage
from reelgraph.workers.jobs.dispatch import dispatch

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import Output


@stage
def render(state: dict[str, Any], runtime: Runtime[Output]) -> dict[str, Any]:
    """video.mp4 in the run's folder (the render cache answers a spec it has seen)."""
    from reelgraph.workers.engine.render import render_spec

    out = Path(state["out_dir"]) / "video.mp4"
    result = dispatch(render_spec, queue="gpu", spec=state["spec"], out_path=str(out))
    hit = bool(result["cache_hit"])
    return {
        "video": result,
        "cache": {"render": "hit" if hit else "miss"},
        **({"recomputed": []} if hit else {}),  # the cache answered: no frame was rendered
    }
