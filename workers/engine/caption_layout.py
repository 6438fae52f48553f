"""Where each caption block goes: platform safe zones, and moving a caption off a face.

A safe zone is the margins of a 9:16 (1080x1920) frame a platform's interface covers: the
caption block stays inside the rest (``captions_look.side_margins`` / ``edge_margin``). Every
caption event then takes its preset position (top, middle or bottom) unless the regions to
avoid (the speaker's face, from the caption flow's cached face track) overlap it during the
event's time span: then it takes the position that overlaps them least. The ASS writer and the
emoji overlays both place events with ``place_events``, so they agree.

Fractions of the frame throughout (origin top-left); times on the output timeline.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reelgraph.workers.engine.captions import Word, _end_times, clean_text, events_for, split_lines
from reelgraph.workers.engine.captions_look import Preset, edge_margin, layout, side_margins
from reelgraph.workers.engine.scripts import display_width, join_words


@dataclass(frozen=True)
class Zone:
    """Margins a platform's UI covers, as fractions of the frame (top/bottom of the height,
    left/right of the width)."""

    top: float
    bottom: float
    left: float
    right: float


#: UI safe areas of 1080x1920 vertical video, from published guidance (checked 2026):
#: - reels: Meta Business Help Center, Reels ads: keep the top 14% (250 px), the bottom 35%
#:   (670 px) and 6% of each side free of text and logos (the CTA and caption area).
#: - tiktok: TikTok Creative Center's in-feed safe-zone template as commonly published
#:   (blitzcutai.com/blog/best-caption-placement-short-form-video, socaptions.com/blog/
#:   tiktok-safe-zones-2026): top 130 px (tabs), bottom 320-460 px (caption, sound, CTA),
#:   right 120-180 px (like/comment/share column), left 60 px.
#: - shorts: YouTube Shorts overlays as commonly published (youraithumbnailgenerator.com/guides/
#:   youtube-shorts-safe-zones-complete-guide, blitzcutai.com as above): the bottom ~25%
#:   (480 px: title, channel, subscribe), top ~120 px, the right ~12% (action column).
#: - none: no platform UI; a title-safe border only.
SAFE_ZONES: dict[str, Zone] = {
    "tiktok": Zone(top=0.07, bottom=0.21, left=0.06, right=0.15),
    "reels": Zone(top=0.14, bottom=0.35, left=0.06, right=0.06),
    "shorts": Zone(top=0.07, bottom=0.25, left=0.06, right=0.12),
    "none": Zone(top=0.05, bottom=0.07, left=0.05, right=0.05),
}
SAFE_ZONE_CHOICES = ("auto", *SAFE_ZONES)
#: Positions tried, in order, when the preferred one overlaps a face.
_FALLBACK = {
    "bottom": ("bottom", "top", "middle"),
    "top": ("top", "bottom", "middle"),
    "middle": ("middle", "bottom", "top"),
}
#: Overlaps smaller than this (frame fraction x seconds) do not move a caption.
MIN_OVERLAP = 1e-4


def resolve_zone(name: str, width: int, height: int, *, keep_source: bool = False) -> Zone:
    """The zone ``name`` stands for; ``auto`` is ``shorts`` on a portrait output that was made
    or reframed for it, ``none`` otherwise (a landscape or square output, or a source kept
    in its own shape)."""
    if name == "auto":
        portrait = height > width * 1.2
        name = "shorts" if portrait and not keep_source else "none"
    if name not in SAFE_ZONES:
        raise ValueError(
            f"safe zone {name!r} is unknown; use one of {', '.join(SAFE_ZONE_CHOICES)}"
        )
    return SAFE_ZONES[name]


def line_scale(lines: Sequence[Sequence[Word]], max_chars: int) -> int:
    """The percentage (ScaleX/ScaleY) an event's lines are shrunk to when one is too long."""
    limit = 3 * max_chars
    longest = max(
        display_width(join_words([clean_text(w.text)[:limit] for w in line])) for line in lines
    )
    return 100 if longest <= max_chars else max(30, int(100 * max_chars / longest))


def block_rect(
    p: Preset, position: str, lines: Sequence[Sequence[Word]], scale: int, width: int, height: int
) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) the block of ``lines`` covers at ``position``, as frame fractions."""
    size, _ = layout(p, width, height)
    line_h = size * scale / 100
    chars = max(display_width(join_words([clean_text(w.text) for w in line])) for line in lines)
    text_w = min(chars * size * p.char_w * scale / 100, width)
    left, right = side_margins(p, width, height)
    cx = (left + width - right) / 2
    block_h = line_h * len(lines)
    if position == "top":
        y0 = float(edge_margin(p, "top", width, height))
    elif position == "bottom":
        y0 = height - edge_margin(p, "bottom", width, height) - block_h
    else:
        y0 = (height - block_h) / 2
    return (
        max(0.0, (cx - text_w / 2) / width),
        max(0.0, y0 / height),
        min(1.0, (cx + text_w / 2) / width),
        min(1.0, (y0 + block_h) / height),
    )


def _overlap(rect: tuple[float, float, float, float], r: Any) -> float:
    x0, y0, x1, y1 = rect
    dx = min(x1, r.x + r.w) - max(x0, r.x)
    dy = min(y1, r.y + r.h) - max(y0, r.y)
    return dx * dy if dx > 0 and dy > 0 else 0.0


def choose_position(
    preferred: str,
    rects: dict[str, tuple[float, float, float, float]],
    regions: Sequence[Any],
    start: float,
    end: float,
) -> str:
    """``preferred`` unless regions shown during [start, end] overlap its block; then the
    position whose block overlaps them least (area x seconds; ties keep the earlier choice)."""

    def cost(pos: str) -> float:
        total = 0.0
        for r in regions:
            span = min(end, r.end) - max(start, r.start)
            if span > 0:
                total += _overlap(rects[pos], r) * span
        return total

    if cost(preferred) <= MIN_OVERLAP:
        return preferred
    order = _FALLBACK[preferred]
    return min(order, key=lambda pos: (cost(pos), order.index(pos)))


@dataclass(frozen=True)
class Placed:
    """One caption event as shown: its words, lines, end time, position and scale (%)."""

    words: list[Word]
    lines: list[list[Word]]
    end: float
    position: str
    scale: int


def place_events(
    words: Iterable[Any], p: Preset, width: int, height: int, avoid: Sequence[Any] = ()
) -> list[Placed]:
    """The caption events of ``words`` with the position each one is drawn at."""
    events = events_for(words, p, width, height)
    _, max_chars = layout(p, width, height)
    regions = sorted(avoid, key=lambda r: r.start)
    starts = [r.start for r in regions]
    out = []
    for ev, end in zip(events, _end_times(events), strict=True):
        lines = split_lines(ev, max_chars)
        scale = line_scale(lines, max_chars)
        near = regions[: bisect_right(starts, end)]
        position = p.position
        if near:
            rects = {pos: block_rect(p, pos, lines, scale, width, height) for pos in _FALLBACK}
            position = choose_position(p.position, rects, near, ev[0].start, end)
        out.append(Placed(ev, lines, end, position, scale))
    return out


def _focus_at(track: Sequence[Sequence[float]], t: float) -> tuple[float, float]:
    """The (x, y) of a (t, x, y) focus track at ``t``, linearly interpolated."""
    times = [p[0] for p in track]
    i = bisect_right(times, t)
    if i == 0:
        return float(track[0][1]), float(track[0][2])
    if i >= len(track):
        return float(track[-1][1]), float(track[-1][2])
    (t0, x0, y0), (t1, x1, y1) = track[i - 1][:3], track[i][:3]
    k = (t - t0) / max(t1 - t0, 1e-9)
    return x0 + (x1 - x0) * k, y0 + (y1 - y0) * k


def _crop_window(
    source: tuple[int, int], out: tuple[int, int], focus: tuple[float, float]
) -> tuple[float, float, float, float]:
    """(x0, y0, w, h) of the source the output shows: the reframe's crop around ``focus``."""
    a_src, a_out = source[0] / source[1], out[0] / out[1]
    cw, ch = min(1.0, a_out / a_src), min(1.0, a_src / a_out)
    x0 = min(max(focus[0] - cw / 2, 0.0), 1.0 - cw)
    y0 = min(max(focus[1] - ch / 2, 0.0), 1.0 - ch)
    return x0, y0, cw, ch


def face_regions(
    samples: Sequence[dict[str, Any]],
    *,
    source: tuple[int, int],
    out: tuple[int, int],
    track: Sequence[Sequence[float]] | None = None,
    cuts: Sequence[Any] = (),
    pad: float = 0.15,
    sample_s: float = 1.0,
) -> list[dict[str, float]]:
    """Faces of the face track (``vision.face_map`` samples, source frame and time) as regions
    of the output frame and timeline: through the reframe's crop (following ``track``, the
    source-time focus track; the frame centre without one) and the cuts. Each face is padded by
    ``pad`` of its size (the zoom's push grows it) and lasts the sample's second."""
    from reelgraph.workers.engine.compile_video import remap_words

    regions: list[dict[str, float]] = []
    for s in samples:
        if not s["faces"]:
            continue
        t = float(s["t"])
        span = remap_words([{"start": max(0.0, t - sample_s / 2), "end": t + sample_s / 2}], cuts)
        if not span:
            continue
        cx, cy, cw, ch = _crop_window(source, out, _focus_at(track, t) if track else (0.5, 0.5))
        for fx, fy, fw, fh in s["faces"]:
            x0 = max(0.0, (fx - fw * pad - cx) / cw)
            y0 = max(0.0, (fy - fh * pad - cy) / ch)
            x1 = min(1.0, (fx + fw * (1 + pad) - cx) / cw)
            y1 = min(1.0, (fy + fh * (1 + pad) - cy) / ch)
            if x1 - x0 > 0.005 and y1 - y0 > 0.005:
                box = {"x": round(x0, 4), "y": round(y0, 4)}
                box.update(w=round(x1 - x0, 4), h=round(y1 - y0, 4))
                regions.append({"start": span[0]["start"], "end": span[0]["end"], **box})
    return _merge_regions(regions)


def _merge_regions(regions: list[dict[str, float]], tol: float = 0.04) -> list[dict[str, float]]:
    """Consecutive regions of about the same box joined into one (fewer regions in the spec)."""
    out: list[dict[str, float]] = []
    for r in sorted(regions, key=lambda r: (r["start"], r["x"])):
        last = out[-1] if out else None
        if (
            last
            and r["start"] <= last["end"] + 1e-6
            and all(abs(r[k] - last[k]) <= tol for k in ("x", "y", "w", "h"))
        ):
            x0, y0 = min(last["x"], r["x"]), min(last["y"], r["y"])
            x1 = max(last["x"] + last["w"], r["x"] + r["w"])
            y1 = max(last["y"] + last["h"], r["y"] + r["h"])
            last.update(x=x0, y=y0, w=round(x1 - x0, 4), h=round(y1 - y0, 4))
            last["end"] = max(last["end"], r["end"])
        else:
            out.append(dict(r))
    return out
