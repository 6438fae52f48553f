"""pick_visuals (create flow): what each scene shows, chosen right after the plan.

With ``images`` given the user's pictures are shown (compose spreads them) and nothing is
picked. Otherwise each scene's query (the plan's, else one made from its narration) is asked of
the sources of the ``visuals`` mode: the library (``library``, else the library setting), the
configured stock providers, the image generator, and cards when nothing fits. The state keeps
references and credits only: per scene {scene, source, id, kind, path, origin, license,
attribution, ...}.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langgraph.runtime import Runtime

from reelgraph.nodes.edit import output_size
from reelgraph.nodes.offline_planner import WORDS_PER_SECOND, word_count
from reelgraph.nodes.stage import stage
from reelgraph.settings import get_settings

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import Context
    from reelgraph.graph.state import CreateState


def scene_asks(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Per scene: its index, search query, the image generator's prompt (what is on screen),
    expected seconds and whether motion helps."""
    from reelgraph.workers.engine.visuals.query import scene_query

    asks = []
    for i, s in enumerate(plan["scenes"]):
        query = (s.get("query") or "").strip() or scene_query(s["narration"])
        query = query or " ".join(s.get("keywords") or [])
        asks.append(
            {
                "index": i,
                "query": query,
                "prompt": (s.get("visual") or "").strip() or query,
                "seconds": round(word_count(s["narration"]) / WORDS_PER_SECOND, 2),
                "motion": s.get("pacing", "normal") != "slow",
                "skip": int(s.get("variant") or 0),  # "regenerate scene N": the next best
            }
        )
    return asks


def library_dir(ctx: Any) -> str | None:
    """The run's library folder: the option (CLI), else the setting."""
    chosen = getattr(ctx, "library", None) or get_settings().library_dir
    return str(chosen) if chosen else None


def visuals_inputs(state: Any, ctx: Any) -> Any:
    """What the picks depend on: each scene's ask, the mode, the library, the frame, the images
    (a follow-up that changes captions, music or voice picks nothing again)."""
    knobs = None
    if ctx is not None:
        knobs = (ctx.visuals, library_dir(ctx), ctx.aspect, ctx.width, ctx.height)
    return {"asks": scene_asks(state["plan"]), "knobs": knobs, "images": state.get("images")}


@stage(inputs=visuals_inputs, outputs=("visuals",))
def pick_visuals(state: CreateState, runtime: Runtime[Context]) -> dict[str, Any]:
    """One pick per scene (or none when the user gave images), with warnings for the report."""
    if state.get("images"):
        return {"visuals": []}
    from reelgraph.workers.engine.visuals.pick import pick_all
    from reelgraph.workers.jobs.dispatch import dispatch

    ctx = runtime.context
    width, height = output_size(ctx.aspect, ctx.width, ctx.height, {})
    result = dispatch(
        pick_all,
        queue="cpu",
        scenes=scene_asks(state["plan"]),
        mode=ctx.visuals,
        library=library_dir(ctx),
        width=width,
        height=height,
    )
    return {"visuals": result["visuals"], "warnings": result["warnings"]}
