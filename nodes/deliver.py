"""deliver (create and caption flows): the run's artifacts, its report and a closing message.

One node for every flow; what a flow delivers is its ``Delivery``: the artifact writers, in
order, the report builder and the closing message. The graph builders bind it, for example
``builder.add_node("deliver", partial(deliver, delivery=CREATE_DELIVERY))``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from reelgraph.files import write_json_atomic
from reelgraph.nodes.stage import stage

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import Output


State = dict[str, Any]
#: Writes artifacts into the run's folder; returns {artifact name: path}.
ArtifactWriter = Callable[[State, Path], dict[str, str]]


def video_file(state: State, out_dir: Path) -> dict[str, str]:
    return {"video.mp4": state["video"]["path"]}


def thumbnail(state: State, out_dir: Path) -> dict[str, str]:
    from reelgraph.workers.engine.render import make_thumbnail

    at = min(float(state["spec"]["duration"]) / 3, 3.0)
    jpg = make_thumbnail(state["video"]["path"], str(out_dir / "thumbnail.jpg"), at)
    return {"thumbnail.jpg": jpg}


def caption_files(state: State, out_dir: Path) -> dict[str, str]:
    """captions.ass/.srt/.vtt from the spec's captions, by the builder the render job used."""
    from reelgraph.workers.engine.caption_files import write_spec_captions

    paths = write_spec_captions(state["spec"], out_dir)
    return {f"captions.{ext}": path for ext, path in paths.items()}


def plan_json(state: State, out_dir: Path) -> dict[str, str]:
    if not state.get("plan"):
        return {}
    return {"plan.json": write_json_atomic(out_dir / "plan.json", state["plan"])}


def transcript_json(state: State, out_dir: Path) -> dict[str, str]:
    path = write_json_atomic(out_dir / "transcript.json", state["transcript"])
    return {"transcript.json": path}


def spec_json(state: State, out_dir: Path) -> dict[str, str]:
    """spec.json as it may be served: media named by their place in the store, no host path."""
    from reelgraph.workers.engine.render import public_spec

    return {"spec.json": write_json_atomic(out_dir / "spec.json", public_spec(state["spec"]))}


def _public_music(music: dict[str, Any] | None) -> dict[str, Any] | None:
    """The music bed as a report may show it: the track's name, never a server path."""
    if not music:
        return None
    return {k: v for k, v in music.items() if k != "path"}


def create_report(state: State) -> dict[str, Any]:
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
        "enhanced_visuals": sum(1 for v in spec["visuals"] if v.get("enhance")),
        "warnings": state.get("warnings", []),
    }


def create_message(state: State, report: dict[str, Any]) -> str:
    title = report["title"] or "video"
    return f"Your video '{title}' is ready ({report['duration']:.1f}s, {report['encoder']})."


def caption_report(state: State) -> dict[str, Any]:
    edits, tr, video = state["edits"], state.get("transcript") or {}, state["video"]
    timings = state.get("timings", {})
    return {
        "source": {k: state["media"][k] for k in ("name", "origin", "bytes")},
        "duration_in": state["info"]["duration"],
        "duration_out": state["spec"]["duration"],
        "output": state["spec"]["output"],
        "encoder": video.get("encoder"),
        "render_key": video.get("key"),
        "caption_style": (state.get("captions") or {}).get("style"),
        "transcript": {
            "language": tr.get("language"),
            "model": tr.get("model"),
            "words": len(tr.get("words", [])),
            "corrected": bool(tr.get("corrected")),
        },
        "edits": {
            "cuts": len(edits["cuts"]),
            "removed_s": edits["removed_s"],
            "reframe": edits["reframe"],
            "faces_found": edits["faces_found"],
            "zoom": edits["motion"] is not None,
            "overlays": len(edits["overlays"]),
            "enhance": edits.get("enhance"),
        },
        "timings": timings,
        "total_seconds": round(sum(timings.values()), 3),
        "cache": state.get("cache", {}),
        "warnings": state.get("warnings", []),
    }


def caption_message(state: State, report: dict[str, Any]) -> str:
    return (
        f"Captioned {state['media']['name']}: {report['duration_out']:.1f}s, "
        f"{report['transcript']['words']} words, {report['edits']['cuts']} cuts."
    )


@dataclass(frozen=True)
class Delivery:
    """What one flow delivers: artifacts (written in this order), report.json, the message."""

    artifacts: tuple[ArtifactWriter, ...]
    report: Callable[[State], dict[str, Any]]
    message: Callable[[State, dict[str, Any]], str]


CREATE_DELIVERY = Delivery(
    artifacts=(video_file, thumbnail, caption_files, plan_json, spec_json),
    report=create_report,
    message=create_message,
)
CAPTION_DELIVERY = Delivery(
    artifacts=(video_file, thumbnail, caption_files, transcript_json, spec_json),
    report=caption_report,
    message=caption_message,
)


@stage
def deliver(state: State, runtime: Runtime[Output], *, delivery: Delivery) -> dict[str, Any]:
    """The flow's artifacts and report.json in the run's folder, and the closing message."""
    out_dir = Path(state["out_dir"])
    artifacts: dict[str, str] = {}
    for write in delivery.artifacts:
        artifacts.update(write(state, out_dir))
    report = delivery.report(state)
    artifacts["report.json"] = write_json_atomic(out_dir / "report.json", report)
    message = AIMessage(content=delivery.message(state, report))
    return {"artifacts": artifacts, "report": report, "messages": [message]}
