"""The source-video parts of the single-pass render: cuts, enhance, reframe, zoom, overlays.

Pure functions that return FFmpeg filter statements (``workers.compile`` joins them with ";"
into the one ``-filter_complex``). Cuts are source-time ranges; the kept ranges are snapped to
the output frame grid so that video frames and audio samples are selected over exactly the same
spans (audio is regrouped into one-frame packets and selected with the same expression), which
keeps picture and sound in sync within a frame however many cuts there are.

Timeline conventions:
- ``visual.start`` .. ``visual.start + visual.duration`` is the *source* span used; cuts inside it
  are removed, so the output lasts ``output_duration(spec, visual)`` seconds.
- ``visual.focus_track`` points are in source time; they are remapped to the output timeline.
- Overlay times are on the output timeline.
- A visual that starts well into its source (a clip of a long talk) opens the source with an input
  seek (``seek_args``) a little before its first kept frame, on whole seconds, so FFmpeg does not
  decode everything before it; the selections are then shifted by the seek.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Iterable, Sequence
from typing import Any

from reelgraph.workers.engine.enhance import SCALE_FLAGS, denoise_filter, sharpen_filter
from reelgraph.workers.engine.spec import Cut, Overlay, RenderSpec, Visual

logger = logging.getLogger(__name__)

Range = tuple[float, float]
SAMPLE_RATE = 48000
MAX_TRACK_POINTS = 120
#: Seconds decoded before the first kept frame when the source is opened with a seek.
SEEK_PREROLL_S = 2.0


def _cut_pairs(cuts: Iterable[Any]) -> list[Range]:
    pairs: list[Range] = []
    for c in cuts:
        if isinstance(c, Cut):
            pairs.append((float(c.start), float(c.end)))
        elif isinstance(c, dict):
            pairs.append((float(c["start"]), float(c["end"])))
        else:
            pairs.append((float(c[0]), float(c[1])))
    return pairs


def merge_cuts(cuts: Iterable[Any]) -> list[Range]:
    """Sorted, non-overlapping cut ranges (touching or overlapping cuts are merged)."""
    merged: list[Range] = []
    for a, b in sorted(p for p in _cut_pairs(cuts) if p[1] > p[0]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def kept_ranges(cuts: Iterable[Any], duration: float) -> list[Range]:
    """The source ranges that survive ``cuts`` within ``[0, duration]``, in order."""
    kept: list[Range] = []
    pos = 0.0
    for a, b in merge_cuts(cuts):
        a, b = max(0.0, a), min(duration, b)
        if b <= a:
            continue
        if a > pos:
            kept.append((pos, a))
        pos = max(pos, b)
    if duration > pos:
        kept.append((pos, duration))
    return [(a, b) for a, b in kept if b - a > 1e-6]


def quantize_cuts(cuts: Iterable[Any], fps: float) -> list[Range]:
    """Cuts snapped to the frame grid (start and end rounded to the nearest frame), merged."""
    snapped = [(round(a * fps) / fps, round(b * fps) / fps) for a, b in merge_cuts(cuts)]
    return [(a, b) for a, b in merge_cuts(snapped) if b > a]


def remap_time(t: float, cuts: Iterable[Any]) -> float | None:
    """Source time -> output time after ``cuts``; None when ``t`` falls inside a cut."""
    removed = 0.0
    for a, b in merge_cuts(cuts):
        if t < a:
            break
        if t < b:
            return None
        removed += b - a
    return t - removed


def _remap_span(start: float, end: float, cuts: list[Range]) -> Range | None:
    for a, b in cuts:
        if a <= start < b:
            start = b
        if a < end <= b:
            end = a
    if end <= start:
        return None
    s, e = remap_time(start, cuts), remap_time(end - 1e-9, cuts)
    if s is None or e is None:
        return None
    return s, e + 1e-9


def remap_words(words: Sequence[Any], cuts: Iterable[Any]) -> list[Any]:
    """Words moved onto the cut timeline; a word wholly inside a cut is dropped.

    Accepts dicts (``start``/``end`` keys, other keys kept) or pydantic models (copied).
    """
    merged = merge_cuts(cuts)
    out: list[Any] = []
    for w in words:
        is_dict = isinstance(w, dict)
        start = float(w["start"] if is_dict else w.start)
        end = float(w["end"] if is_dict else w.end)
        span = _remap_span(start, max(end, start + 1e-3), merged)
        if span is None:
            continue
        s, e = round(span[0], 3), round(max(span[1], span[0]), 3)
        out.append(
            {**w, "start": s, "end": e} if is_dict else w.model_copy(update={"start": s, "end": e})
        )
    return out


def source_ranges(spec: RenderSpec, visual: Visual) -> list[Range]:
    """Frame-aligned source ranges of ``visual`` kept after ``spec.cuts``."""
    fps = spec.output.fps
    end = visual.start + visual.duration
    cuts = quantize_cuts([*_cut_pairs(spec.cuts), (0.0, visual.start)], fps)
    kept = kept_ranges(cuts, round(end * fps) / fps)
    return [(a, b) for a, b in kept if b - a >= 0.5 / fps]


def seek_point(spec: RenderSpec, visual: Visual) -> int:
    """Whole seconds the source of ``visual`` is opened at (``-ss``); 0 opens it at its start.

    At least ``SEEK_PREROLL_S`` before the first kept frame: whole seconds lie on every integer
    frame rate's grid, so the frames selected after the seek are those selected without it.
    """
    ranges = source_ranges(spec, visual)
    return max(0, math.floor(ranges[0][0] - SEEK_PREROLL_S)) if ranges else 0


def seek_args(spec: RenderSpec, visual: Visual) -> list[str]:
    """The input options that open the source of ``visual`` at ``seek_point`` (none at 0)."""
    at = seek_point(spec, visual)
    return ["-ss", str(at)] if at else []


def _input_ranges(spec: RenderSpec, visual: Visual) -> list[Range]:
    """``source_ranges`` on the timeline of the input as opened (shifted by the seek)."""
    at = seek_point(spec, visual)
    return [(a - at, b - at) for a, b in source_ranges(spec, visual)]


def output_duration(spec: RenderSpec, visual: Visual) -> float:
    """How long ``visual`` lasts on the output timeline once its cuts are removed."""
    return round(sum(b - a for a, b in source_ranges(spec, visual)), 6)


def _num(x: float) -> str:
    """Compact, stable number formatting for filter strings."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _select_expr(ranges: list[Range], fps: float) -> str:
    """Frame-time selection: a frame at time t is kept when t + half a frame lies in a range."""
    h = 0.5 / fps
    terms = [f"gte(t,{_num(a - h)})*lt(t,{_num(b - h)})" for a, b in ranges]
    return "+".join(terms) if terms else "0"


def _track_expr(points: list[tuple[float, float]], default: float) -> str:
    """Piecewise-linear expression of t through (time, value) points (held at both ends)."""
    if not points:
        return _num(default)
    if len(points) == 1:
        return _num(points[0][1])
    parts = [f"lt(t,{_num(points[0][0])})*{_num(points[0][1])}"]
    for (t0, v0), (t1, v1) in itertools.pairwise(points):
        slope = (v1 - v0) / max(t1 - t0, 1e-6)
        parts.append(
            f"gte(t,{_num(t0)})*lt(t,{_num(t1)})*({_num(v0)}+{_num(slope)}*(t-{_num(t0)}))"
        )
    parts.append(f"gte(t,{_num(points[-1][0])})*{_num(points[-1][1])}")
    return "+".join(parts)


def output_focus_track(spec: RenderSpec, visual: Visual) -> list[tuple[float, float, float]]:
    """The visual's focus track moved onto the output timeline (points inside cuts dropped)."""
    if not visual.focus_track:
        return []
    cuts = [(a, b) for a, b in _complement(source_ranges(spec, visual))]
    pts: list[tuple[float, float, float]] = []
    for t, x, y in visual.focus_track:
        ot = remap_time(t, cuts)
        if ot is not None and (not pts or ot > pts[-1][0]):
            pts.append((ot, x, y))
    if len(pts) > MAX_TRACK_POINTS:
        step = math.ceil(len(pts) / MAX_TRACK_POINTS)
        pts = pts[::step] + ([pts[-1]] if (len(pts) - 1) % step else [])
    return pts


def _complement(ranges: list[Range]) -> list[Range]:
    """Cuts equivalent to keeping ``ranges`` (from 0 up to the last kept end)."""
    cuts: list[Range] = []
    pos = 0.0
    for a, b in ranges:
        if a > pos:
            cuts.append((pos, a))
        pos = b
    return cuts


def _reframe_filter(
    spec: RenderSpec, visual: Visual, track: list[tuple[float, float, float]]
) -> str:
    w, h = spec.output.width, spec.output.height
    flags = f":flags={SCALE_FLAGS}" if visual.enhance else ""
    if visual.crop is not None:
        cx, cy, cw, ch = visual.crop
        return (
            f"crop=w=trunc(iw*{_num(cw)}/2)*2:h=trunc(ih*{_num(ch)}/2)*2"
            f":x=iw*{_num(cx)}:y=ih*{_num(cy)},"
            f"scale={w}:{h}:force_original_aspect_ratio=increase{flags},crop={w}:{h}"
        )
    motion = visual.motion
    fx = _track_expr([(t, x) for t, x, _ in track], motion.x_from if motion else 0.5)
    fy = _track_expr([(t, y) for t, _, y in track], motion.y_from if motion else 0.5)
    return (
        f"crop=w='trunc(min(iw,ih*{w}/{h})/2)*2':h='trunc(min(ih,iw*{h}/{w})/2)*2'"
        f":x='clip(({fx})*iw-ow/2,0,iw-ow)':y='clip(({fy})*ih-oh/2,0,ih-oh)',"
        f"scale={w}:{h}{flags}"
    )


def _zoom_filter(spec: RenderSpec, visual: Visual, duration: float, reframed: bool) -> str | None:
    motion = visual.motion
    if motion is None:
        return None
    amp, period = motion.periodic_zoom, motion.period_s
    if amp <= 0 and motion.zoom_from == 1.0 and motion.zoom_to == 1.0:
        return None
    w, h, fps = spec.output.width, spec.output.height, spec.output.fps
    d = max(duration, 1e-3)
    z = f"{_num(motion.zoom_from)}+{_num(motion.zoom_to - motion.zoom_from)}*min(it/{_num(d)},1)"
    if amp > 0:
        z += f"+{_num(amp)}*(1-cos(2*PI*it/{_num(period)}))/2"
    # After a face-following reframe the face sits near the horizontal centre of the frame.
    fx = (
        "0.5"
        if reframed
        else (f"({_num(motion.x_from)}+{_num(motion.x_to - motion.x_from)}*min(it/{_num(d)},1))")
    )
    fy = f"({_num(motion.y_from)}+{_num(motion.y_to - motion.y_from)}*min(it/{_num(d)},1))"
    return (
        f"zoompan=z='{z}':x='clip({fx}*iw-iw/zoom/2,0,iw-iw/zoom)'"
        f":y='clip({fy}*ih-ih/zoom/2,0,ih-ih/zoom)':d=1:s={w}x{h}:fps={fps}"
    )


def video_visual_filters(
    spec: RenderSpec,
    visual: Visual,
    in_idx: int,
    out_label: str,
    *,
    ranges: list[Range] | None = None,
    first_frame: int = 0,
) -> list[str]:
    """Filter statements turning input ``in_idx`` (the source video) into ``[out_label]``.

    Output: spec.output size and fps, SAR 1, yuv420p, cuts removed, reframed and zoomed; an
    enhanced visual is denoised at its own size, upscaled with lanczos, then sharpened.
    A segment (``compile_segments``) passes the input ranges of its frames only and the output
    frame they start at, so the reframe and zoom see the times they see in the single pass.
    """
    fps = spec.output.fps
    ranges = _input_ranges(spec, visual) if ranges is None else ranges
    track = output_focus_track(spec, visual)
    chain: list[str | None] = [
        f"fps={fps}",
        f"select='{_select_expr(ranges, fps)}'",
        f"setpts=(N+{first_frame})/{fps}/TB" if first_frame else f"setpts=N/{fps}/TB",
        denoise_filter(visual.enhance, still=False),
        _reframe_filter(spec, visual, track),
        sharpen_filter(visual.enhance),
        "setsar=1",
    ]
    chain.append(_zoom_filter(spec, visual, output_duration(spec, visual), bool(track)))
    chain.append("format=yuv420p")
    return [f"[{in_idx}:v]" + ",".join(x for x in chain if x) + f"[{out_label}]"]


def source_audio_filters(spec: RenderSpec, in_idx: int, out_label: str) -> list[str]:
    """The first video visual's audio with the same cuts as its picture: 48 kHz stereo."""
    visual = next((v for v in spec.visuals if v.kind == "video"), None)
    if visual is None:
        raise ValueError("source_audio_filters needs a video visual in the spec")
    fps = spec.output.fps
    ranges = _input_ranges(spec, visual)
    nsamples = max(1, round(SAMPLE_RATE / fps))
    chain = [
        f"aresample={SAMPLE_RATE}:async=1:first_pts=0",
        "aformat=sample_fmts=fltp:channel_layouts=stereo",
        f"asetnsamples=n={nsamples}:p=1",
        f"aselect='{_select_expr(ranges, fps)}'",
        "asetpts=N/SR/TB",
    ]
    return [f"[{in_idx}:a]" + ",".join(chain) + f"[{out_label}]"]


def _overlay_prep(spec: RenderSpec, ov: Overlay, in_idx: int, label: str) -> str:
    w, h, fps = spec.output.width, spec.output.height, spec.output.fps
    chain: list[str] = []
    if ov.kind == "video":
        span = ov.end - ov.start
        chain += [
            f"trim=duration={_num(span)}",
            f"fps={fps}",
            f"setpts=PTS-STARTPTS+{_num(ov.start)}/TB",
        ]
    if ov.frames > 1:  # an animation strip: step through its pictures from the overlay's start
        n, step = ov.frames, f"floor(max(t-{_num(ov.start)},0)*{_num(ov.frame_rate)})"
        chain.append(f"crop=w=iw:h=ih/{n}:x=0:y='oh*min({step},{n - 1})'")
    if ov.fullscreen:
        chain += [f"scale={w}:{h}:force_original_aspect_ratio=increase", f"crop={w}:{h}"]
    else:
        ow = max(2, int(w * ov.width) // 2 * 2)
        chain.append(f"scale={ow}:-2")
    chain += ["setsar=1", "format=rgba"]
    if ov.opacity < 1.0:
        chain.append(f"colorchannelmixer=aa={_num(ov.opacity)}")
    return f"[{in_idx}:v]" + ",".join(chain) + f"[{label}]"


def overlay_filters(
    spec: RenderSpec, base_label: str, overlays: list[tuple[Overlay, int]], out_label: str
) -> list[str]:
    """Image/video overlays (logo, b-roll) on ``[base_label]``, shown between their start/end."""
    if not overlays:
        return [f"[{base_label}]null[{out_label}]"]
    stmts: list[str] = []
    current = base_label
    for i, (ov, idx) in enumerate(overlays):
        prep, nxt = f"{out_label}_ov{i}", f"{out_label}_b{i}"
        stmts.append(_overlay_prep(spec, ov, idx, prep))
        if ov.fullscreen:
            pos = "x=0:y=0"
        else:
            pos = (
                f"x='clip(main_w*{_num(ov.x)}-overlay_w/2,0,main_w-overlay_w)'"
                f":y='clip(main_h*{_num(ov.y)}-overlay_h/2,0,main_h-overlay_h)'"
            )
        enable = f"enable='between(t,{_num(ov.start)},{_num(ov.end)})'"
        stmts.append(f"[{current}][{prep}]overlay={pos}:eof_action=repeat:{enable}[{nxt}]")
        current = nxt
    stmts.append(f"[{current}]format=yuv420p[{out_label}]")
    return stmts
