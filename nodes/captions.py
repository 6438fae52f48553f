"""build_captions (create and caption flows): the words to caption and how they look.

create captions its narration (emphasis on the words each scene of the plan names); caption
captions the transcript moved onto the cut timeline (emphasis on numbers). The node writes no
file: compose_spec puts the words and the look into the RenderSpec, the render job writes the
.ass it burns from there, and deliver writes the .srt/.vtt/.ass sidecars with the same builder.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from langgraph.runtime import Runtime
from pydantic import ValidationError

from reelgraph.errors import InvalidInput
from reelgraph.nodes.stage import stage
from reelgraph.workers.engine.spec import Captions

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import CaptionLook


#: The options (context fields) behind each look field of the spec's captions.
LOOK_OPTIONS = {
    "style": "caption_style",
    "font": "caption_font",
    "size": "caption_size",
    "color": "caption_color",
    "highlight_color": "highlight_color",
    "position": "caption_position",
    "emoji": "emoji",
}
MAX_WORD_CHARS = 200


def _norm(word: str) -> str:
    return re.sub(r"[^\w%]+", "", word.lower())


def flag_emphasis(words: list[dict[str, Any]], plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Mark each word whose normalised text is one of its scene's emphasis words."""
    per_scene = [
        {_norm(e) for e in s.get("emphasis", []) for e in e.split()} for s in plan["scenes"]
    ]
    out = []
    for w in words:
        scene = int(w.get("scene", 0))
        emph = scene < len(per_scene) and _norm(w["text"]) in per_scene[scene]
        out.append(
            {
                "text": w["text"],
                "start": float(w["start"]),
                "end": float(w["end"]),
                "emphasis": bool(emph),
            }
        )
    return out


def transcript_words(
    transcript: dict[str, Any], cuts: list[Any], span: dict[str, float] | None = None
) -> list[dict[str, Any]]:
    """The transcript's words on the cut timeline; numbers are emphasised.

    With a ``span`` (``{start, end}`` of the source, a clip) only its words are kept, re-timed
    from its start.
    """
    from reelgraph.workers.engine.compile_video import remap_words

    words = transcript.get("words", [])
    if span:
        words = [w for w in words if float(w["start"]) < span["end"]]
        cuts = [*cuts, (0.0, span["start"])]
    out = []
    for w in remap_words(words, cuts):
        text = str(w["text"]).strip()
        if text:
            out.append(
                {
                    "text": text[:MAX_WORD_CHARS],
                    "start": w["start"],
                    "end": max(w["end"], w["start"]),
                    "emphasis": any(ch.isdigit() for ch in text),
                }
            )
    return out


def caption_look(ctx: CaptionLook) -> dict[str, Any]:
    """The caption look of the run's options: the preset and the overrides that are set.

    Checked with the spec's own rules, so a bad colour or font fails here with the option's name.
    """
    look = {
        "style": ctx.caption_style,
        "font": ctx.caption_font,
        "size": ctx.caption_size,
        "color": ctx.caption_color,
        "highlight_color": ctx.highlight_color,
        "position": ctx.caption_position,
        "emoji": ctx.emoji or None,
    }
    try:
        checked = Captions.model_validate({k: v for k, v in look.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        option = LOOK_OPTIONS.get(str(err["loc"][0]), str(err["loc"][0]))
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise InvalidInput(f"The caption option {option} is not valid: {msg}.") from None
    out = checked.model_dump(mode="json", exclude={"words", "avoid"}, exclude_none=True)
    return {k: v for k, v in out.items() if v is not False}  # emoji only when asked for


def safe_area(state: dict[str, Any], ctx: CaptionLook) -> dict[str, float]:
    """The margins of the run's safe zone (``safe_zone``) on its output frame.

    ``auto`` is the Shorts zone on a portrait output (create, or caption reframed to 9:16) and
    no platform zone on a landscape or square one, or when caption keeps the source's shape.
    """
    from reelgraph.nodes.edit import output_size
    from reelgraph.workers.engine.caption_layout import resolve_zone

    aspect = getattr(ctx, "aspect", "9:16")
    if "edits" in state:
        width, height = state["edits"]["width"], state["edits"]["height"]
    else:
        size = getattr(ctx, "width", None), getattr(ctx, "height", None)
        width, height = output_size(aspect, *size, {})
    zone = resolve_zone(ctx.safe_zone, width, height, keep_source=aspect == "source")
    return dataclasses.asdict(zone)


def caption_inputs(state: dict[str, Any], ctx: Any) -> Any:
    """create: what the captions depend on (the narration's words, the emphasis, the look)."""
    if "edits" in state or ctx is None:  # the caption flow runs once per job
        return None
    emphasis = [s.get("emphasis") for s in state["plan"]["scenes"]]
    look = [getattr(ctx, f, None) for f in (*LOOK_OPTIONS.values(), "safe_zone")]
    size = [getattr(ctx, f, None) for f in ("aspect", "width", "height")]
    return [state["narration"]["words"], emphasis, look, size]


@stage(inputs=caption_inputs, outputs=("captions", "caption_words"))
def build_captions(state: dict[str, Any], runtime: Runtime[CaptionLook]) -> dict[str, Any]:
    """Caption words on the output timeline (``caption_words``) and the look (``captions``)."""
    if "edits" in state:  # the caption flow: the source's own speech, after the cuts
        edits = state["edits"]
        words = transcript_words(state["transcript"], edits["cuts"], edits.get("span"))
    else:  # the create flow: the narration
        words = flag_emphasis(state["narration"]["words"], state["plan"])
    look = caption_look(runtime.context) | {"safe_area": safe_area(state, runtime.context)}
    return {"captions": look, "caption_words": words}
