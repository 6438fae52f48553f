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
from reelgraph.nodes.analyze import source_summary
from reelgraph.nodes.stage import stage

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import Output


State = dict[str, Any]
#: Writes artifacts into the run's folder; returns {artifact name: path}.
ArtifactWriter = Callable[[State, Path], dict[str, str]]


def video_file(state: State, out_dir: Path) -> dict[str, str]:
    return {"video.mp4": state["video"]["path"]}


def thumbnail(state: State, out_dir: Path) -> dict[str, str]:
    from reelgraph.workers.engine.thumbnail import make_thumbnail

    at = min(float(state["spec"]["duration"]) / 3, 3.0)
    jpg = make_thumbnail(state["video"]["path"], str(out_dir / "thumbnail.jpg"), at)
    return {"thumbnail.jpg": jpg}


def caption_files(state: State, out_dir: Path) -> dict[str, str]:
    """captions.ass/.srt/.vtt from the spec's captions, by the builder the render job used."""
    from reelgraph.workers.engine.caption_files import write_spec_captions

    paths = write_spec_captions(state["spec"], out_dir)
    return {f"captions.{ext}": path for ext, path in paths.items()}


def translation_files(state: State, out_dir: Path) -> dict[str, str]:
    """captions.<lang>.srt/.vtt and video.<lang>.mp4 that translate_captions wrote."""
    from reelgraph.nodes.translate import translation_artifacts

    return translation_artifacts(state.get("translations") or {})


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
        "source": source_summary(state["media"]),
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
            **{f"{k}s": n for k, n in (edits.get("disfluencies") or {}).items()},
            "enhance": edits.get("enhance"),
        },
        "removed_words": edits.get("removed_words", []),
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


def _timeline_name(state: State) -> str:
    """The edit's name in an editor: the plan's title, else the source's file name."""
    title = (state.get("plan") or {}).get("title")
    source = (state.get("media") or {}).get("name")
    return str(title or (Path(source).stem if source else "") or "reelgraph")


def timeline_files(state: State, out_dir: Path, formats: tuple[str, ...]) -> dict[str, str]:
    """timeline.otio/.fcpxml/.edl: the edit of the spec, to finish in an editor.

    For a video the caller places itself (the CLI's ``output_path``) the files name every
    medium by its full path on this machine and the captions by the SRT beside that video.
    Otherwise (API jobs, Studio) they name media as the served spec.json does (their place in
    the media store, else their file name: never a server path) and the SRT as the
    captions.srt artifact.
    """
    from reelgraph.workers.engine.render import public_spec, resolve_store_paths
    from reelgraph.workers.engine.spec import RenderSpec
    from reelgraph.workers.engine.timeline_export import build_timeline, export_timeline

    spec = resolve_store_paths(RenderSpec.model_validate(state["spec"]))
    output = state.get("output_path")
    if output:
        out = Path(output)
        refs, name, srt = spec, out.stem, str(out.with_name(out.stem + ".srt"))
    else:
        refs = RenderSpec.model_validate(public_spec(state["spec"]))
        name, srt = _timeline_name(state), "captions.srt"
    transcript = state.get("transcript")  # caption: the recognised words; create: the text
    language = (transcript.get("language") if isinstance(transcript, dict) else None) or "en"
    timeline = build_timeline(spec, refs, name=name, captions_ref=srt, language=language)
    paths = export_timeline(timeline, formats, out_dir, stem="timeline")
    return {f"timeline.{fmt}": path for fmt, path in paths.items()}


@dataclass(frozen=True)
class Delivery:
    """What one flow delivers: artifacts (written in this order), report.json, the message."""

    artifacts: tuple[ArtifactWriter, ...]
    report: Callable[[State], dict[str, Any]]
    message: Callable[[State, dict[str, Any]], str]


CREATE_DELIVERY = Delivery(
    artifacts=(video_file, thumbnail, caption_files, translation_files, plan_json, spec_json),
    report=create_report,
    message=create_message,
)
CAPTION_DELIVERY = Delivery(
    artifacts=(
        video_file,
        thumbnail,
        caption_files,
        translation_files,
        transcript_json,
        spec_json,
    ),
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
    export = getattr(runtime.context, "export", None)  # create and caption (Export options)
    if export:
        artifacts.update(timeline_files(state, out_dir, export))
    report = delivery.report(state)
    if state.get("translations"):  # languages, cue counts, dubbed or not: no paths
        report["translations"] = {
            code: {"cues": e["cues"], "cache": e["cache"], "dubbed": bool(e.get("video"))}
            for code, e in state["translations"].items()
        }
    artifacts["report.json"] = write_json_atomic(out_dir / "report.json", report)
    message = AIMessage(content=delivery.message(state, report))
    return {"artifacts": artifacts, "report": report, "messages": [message]}
