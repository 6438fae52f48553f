"""The review's draft preview: the same RenderSpec at a small size and draft quality.

A preview is not a second renderer: ``preview_spec`` only shrinks the spec's output (at most
``PREVIEW_MAX_SIDE`` px on the long side, even numbers, the same shape), sets the draft quality
(x264 ``ultrafast``) and drops the frame enhancement (sharpening a 640 px draft is wasted work).
The render job renders it like any other spec, cached by its content. Everything else (the
visuals, their motion and timing, the captions, whose sizes scale with the frame, and the
audio mix) is the spec's own, so the preview shows the video the full render will make.
"""

from __future__ import annotations

from typing import Any

from reelgraph.workers.engine.spec import RenderSpec

#: The long side of a preview, in px.
PREVIEW_MAX_SIDE = 640
#: The smallest side a preview keeps (H.264 and the caption layout need some pixels).
MIN_SIDE = 16


def _even(value: float) -> int:
    return max(MIN_SIDE, int(value) // 2 * 2)


def preview_size(width: int, height: int, max_side: int = PREVIEW_MAX_SIDE) -> tuple[int, int]:
    """(width, height) scaled to at most ``max_side`` on the long side, even; never enlarged."""
    scale = min(1.0, max_side / max(width, height))
    if scale >= 1.0:
        return width, height
    return _even(width * scale), _even(height * scale)


def preview_spec(spec: dict[str, Any], max_side: int = PREVIEW_MAX_SIDE) -> dict[str, Any]:
    """``spec`` (RenderSpec JSON) as its draft preview: small, draft quality, no enhancement."""
    rs = RenderSpec.model_validate(spec)
    width, height = preview_size(rs.output.width, rs.output.height, max_side)
    output = rs.output.model_copy(update={"width": width, "height": height, "quality": "draft"})
    visuals = [v.model_copy(update={"enhance": None}) for v in rs.visuals]
    draft = rs.model_copy(update={"output": output, "visuals": visuals})
    return dict(RenderSpec.model_validate(draft.model_dump(mode="json")).model_dump(mode="json"))
