"""Split a RenderSpec into time segments for parallel rendering: pure planning, no I/O.

Segments lie on the output's frame grid. A spec longer than ``segment_seconds`` is cut at its
scene boundaries (where a visual first shows: the start of the crossfade into it), packing whole
scenes into segments of at most ``segment_seconds``; a scene longer than that is cut every
``segment_seconds`` (in equal parts) inside it. Each segment is rendered alone with the part of
the single-pass filter graph it needs (``compile_segments``): a crossfade that a seam crosses is
rendered whole and trimmed, a Ken Burns move starts at the segment's frame of the move, captions
and overlays see the output's own clock, so the joined segments are the single-pass video.

Two timeline shapes split: stills (images and cards, with their motion and crossfades: the
create flow) and one source video (the caption flow: cuts, reframe, zoom). Any other shape
renders in one pass (``plan_segments`` returns no segments).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Literal

from reelgraph.workers.engine.filtergraph import frame_count
from reelgraph.workers.engine.spec import RenderSpec, Visual

#: The range a segment length may take, in seconds (validated where it is given).
MIN_SEGMENT_S = 2.0
MAX_SEGMENT_S = 3600.0

Timeline = Literal["stills", "video"]


@dataclass(frozen=True)
class Segment:
    """Output frames ``start`` (inclusive) to ``end`` (exclusive) of the video."""

    index: int
    start: int
    end: int

    @property
    def frames(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Piece:
    """A run of frames of the stills timeline: a visual's body, or the crossfade into it."""

    kind: Literal["x", "b"]
    """x: the crossfade from visual ``visual - 1`` into ``visual``; b: the visual alone."""
    visual: int
    start: int
    """The piece's first output frame."""
    count: int


def total_frames(spec: RenderSpec) -> int:
    """Frames in the rendered video: the single pass's ``-r fps -t duration`` keeps these
    (FFmpeg rounds the duration to the nearest frame, halves up: 7.049 s at 30 fps is 211
    frames, 7.051 s 212; measured with FFmpeg 5.1)."""
    fps = spec.output.fps
    return max(1, math.floor(round(spec.duration * fps, 6) + 0.5))


def fade_frames(visuals: list[Visual], fps: int) -> list[int]:
    """Frames of the crossfade from each visual into the next (0 for a hard cut / the last)."""
    out = []
    for i, v in enumerate(visuals):
        t = v.transition
        if i + 1 >= len(visuals) or t.kind == "none" or t.duration <= 0:
            out.append(0)
            continue
        td = min(t.duration, v.duration / 2, visuals[i + 1].duration / 2)
        out.append(
            min(
                round(td * fps),
                frame_count(v.duration, fps) // 2,
                frame_count(visuals[i + 1].duration, fps) // 2,
            )
        )
    return out


def still_pieces(spec: RenderSpec) -> list[Piece]:
    """The stills timeline as the single pass concatenates it: crossfades and bodies, in order."""
    visuals, fps = spec.visuals, spec.output.fps
    fades = fade_frames(visuals, fps)
    pieces: list[Piece] = []
    pos = 0
    for i, v in enumerate(visuals):
        n, head, tail = frame_count(v.duration, fps), fades[i - 1] if i else 0, fades[i]
        if head:
            pieces.append(Piece("x", i, pos, head))
            pos += head
        body = n - head - tail
        if body > 0:
            pieces.append(Piece("b", i, pos, body))
            pos += body
    return pieces


def timeline_kind(spec: RenderSpec) -> Timeline | None:
    """Which segmentable shape ``spec`` is; None for one that renders in one pass only."""
    if all(v.kind in ("image", "card") for v in spec.visuals):
        return "stills"
    if len(spec.visuals) == 1 and spec.visuals[0].kind == "video":
        return "video"
    return None


def content_frames(spec: RenderSpec) -> int:
    """Frames the visuals fill before the last one is held (the rest is its last frame)."""
    if timeline_kind(spec) == "stills":
        last = still_pieces(spec)[-1]
        return last.start + last.count
    from reelgraph.workers.engine.compile_video import output_duration

    return frame_count(output_duration(spec, spec.visuals[0]), spec.output.fps)


def scene_starts(spec: RenderSpec) -> list[int]:
    """The output frames where a scene (a visual after the first) starts to show."""
    if timeline_kind(spec) != "stills":
        return []
    firsts: dict[int, int] = {}
    for p in still_pieces(spec):
        firsts.setdefault(p.visual, p.start)
    return sorted(f for v, f in firsts.items() if v > 0)


def _split(start: int, end: int, most: int) -> list[tuple[int, int]]:
    """``[start, end)`` in equal parts of at most ``most`` frames."""
    parts = max(1, math.ceil((end - start) / most))
    edges = [start + round(k * (end - start) / parts) for k in range(parts + 1)]
    return list(itertools.pairwise(edges))


def _pack(spans: list[tuple[int, int]], most: int) -> list[tuple[int, int]]:
    """Whole scenes packed into runs of at most ``most`` frames; a longer scene split inside."""
    out: list[tuple[int, int]] = []
    cur = spans[0][0]
    for s, e in spans:
        if e - cur <= most:
            continue
        if s > cur:
            out.append((cur, s))
            cur = s
        if e - cur > most:
            out.extend(_split(cur, e, most))
            cur = e
    if spans[-1][1] > cur:
        out.append((cur, spans[-1][1]))
    return out


def plan_segments(spec: RenderSpec, segment_seconds: float | None) -> list[Segment]:
    """The segments ``spec`` renders in; [] when it renders in one pass.

    One pass when segmenting is off (None or 0), the spec is no longer than
    ``segment_seconds``, or its timeline is of a shape that does not split.
    """
    if not segment_seconds or timeline_kind(spec) is None:
        return []
    fps, total = spec.output.fps, total_frames(spec)
    most = max(1, round(segment_seconds * fps))
    if total <= most:
        return []
    content = content_frames(spec)
    edges = [0, *(f for f in scene_starts(spec) if 0 < f < total), total]
    runs = _pack(list(itertools.pairwise(edges)), most)
    # a seam past the visuals' last frame would leave a segment holding a frame it never saw
    cuts = [s for s, _ in runs[1:] if s < content]
    bounds = [0, *cuts, total]
    return [Segment(i, a, b) for i, (a, b) in enumerate(itertools.pairwise(bounds))]
