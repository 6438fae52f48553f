"""What the clips flow delivers besides the clips: clips.json (written after every clip file it
names), transcript.json, report.json and the closing message, bound to the shared deliver node
as ``CLIPS_DELIVERY``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reelgraph.files import write_json_atomic
from reelgraph.nodes.deliver import Delivery, transcript_json

State = dict[str, Any]

#: What clips.json lists of each clip.
CLIP_FIELDS = (
    "file",
    "captions",
    "start",
    "end",
    "duration",
    "score",
    "title",
    "hook",
    "reason",
    "scored_by",
    "scores",
    "text",
)


def clips_document(state: State) -> dict[str, Any]:
    """clips.json: the source, how the clips were scored, and each clip, best first."""
    return {
        "source": state["media"]["name"],
        "duration": state["info"]["duration"],
        "scoring": state.get("scoring", {}),
        "clips": [{k: c.get(k) for k in CLIP_FIELDS} for c in state.get("clips", [])],
    }


def clips_json(state: State, out_dir: Path) -> dict[str, str]:
    """clips.json, written after every clip file it names."""
    return {"clips.json": write_json_atomic(out_dir / "clips.json", clips_document(state))}


def clips_report(state: State) -> dict[str, Any]:
    edits, tr = state["edits"], state.get("transcript") or {}
    timings = state.get("timings", {})
    return {
        "source": {k: state["media"][k] for k in ("name", "origin", "bytes")},
        "duration_in": state["info"]["duration"],
        "output": {"width": edits["width"], "height": edits["height"], "fps": edits["fps"]},
        "caption_style": (state.get("look") or {}).get("style"),
        "transcript": {"language": tr.get("language"), "words": len(tr.get("words", []))},
        "scoring": state.get("scoring", {}),
        "reframe": edits["reframe"],
        "faces_found": edits["faces_found"],
        "clips": clips_document(state)["clips"],
        "timings": timings,
        "total_seconds": round(sum(timings.values()), 3),
        "cache": state.get("cache", {}),
        "warnings": state.get("warnings", []),
    }


def clips_message(state: State, report: dict[str, Any]) -> str:
    clips = report["clips"]
    made = ", ".join(f"{c['file']} ({c['duration']:.1f}s)" for c in clips)
    return f"Cut {len(clips)} clip(s) from {state['media']['name']}: {made}."


CLIPS_DELIVERY = Delivery(
    artifacts=(transcript_json, clips_json),
    report=clips_report,
    message=clips_message,
)
