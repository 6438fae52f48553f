"""render (dispatches the single-pass render job) and deliver (artifacts, thumbnail, report)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from reelgraph.files import write_json_atomic
from reelgraph.nodes.stage import stage
from reelgraph.workers.jobs.dispatch import dispatch


@stage
def render(state: dict[str, Any], runtime: Runtime[Any]) -> dict[str, Any]:
    from reelgraph.workers.engine.render import render_spec

    out = Path(state["out_dir"]) / "video.mp4"
    result = dispatch(render_spec, queue="gpu", spec=state["spec"], out_path=str(out))
    return {"video": result, "cache": {"render": "hit" if result["cache_hit"] else "miss"}}


@stage
def deliver(state: dict[str, Any], runtime: Runtime[Any]) -> dict[str, Any]:
    from reelgraph.workers.engine.render import make_thumbnail, public_spec

    out_dir = Path(state["out_dir"])
    video = state["video"]["path"]
    duration = float(state["spec"]["duration"])
    artifacts = {"video.mp4": video}
    artifacts["thumbnail.jpg"] = make_thumbnail(
        video, str(out_dir / "thumbnail.jpg"), min(duration / 3, 3.0)
    )
    for ext in ("srt", "vtt", "ass"):
        path = (state.get("captions") or {}).get(ext)
        if path:
            artifacts[f"captions.{ext}"] = path
    if state.get("plan"):
        artifacts["plan.json"] = write_json_atomic(out_dir / "plan.json", state["plan"])
    artifacts["spec.json"] = write_json_atomic(out_dir / "spec.json", public_spec(state["spec"]))
    report = build_report(state)
    artifacts["report.json"] = write_json_atomic(out_dir / "report.json", report)
    title = (state.get("plan") or {}).get("title", "video")
    msg = f"Your video '{title}' is ready ({duration:.1f}s, {state['video']['encoder']})."
    return {"artifacts": artifacts, "messages": [AIMessage(content=msg)]}


def _public_music(music: dict[str, Any] | None) -> dict[str, Any] | None:
    """The music bed as a report may show it: the track's name, never a server path."""
    if not music:
        return None
    return {k: v for k, v in music.items() if k != "path"}


def build_report(state: dict[str, Any]) -> dict[str, Any]:
    spec = state["spec"]
    return {
        "title": (state.get("plan") or {}).get("title"),
        "duration": spec["duration"],
        "output": spec["output"],
        "encoder": state["video"]["encoder"],
        "render_key": state["video"]["key"],
        "timings": state.get("timings", {}),
        "cache": state.get("cache", {}),
        "narration_engine": (state.get("narration") or {}).get("engine"),
        "music": _public_music(state.get("music")),
        "warnings": state.get("warnings", []),
    }
