"""Compile the FFmpeg argv of a segmented render: one per segment, the audio, the join. Pure.

A segment's argv is the single pass's filter graph (``workers.engine.compile``) cut down to the
segment's frames: only the pieces of the timeline it shows, each Ken Burns move started at the
segment's frame of the move, a crossfade that a seam crosses rendered whole and trimmed, and the
source video (caption flow) opened with a seek and selected over the segment's frames only.
Before overlays and captions the frames are put on the output's clock (their single-pass times),
so an overlay or caption crossing a seam shows as it does in one pass; the segment's own file
then starts at 0. Video only, with the single pass's encoder settings and a closed GOP that
opens on the segment's first frame.

The audio (narration, ducked music, loudness) is rendered once for the whole timeline, and the
join puts the segments end to end with the concat demuxer by stream copy and encodes that audio.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from reelgraph.workers.engine.compile import (
    _kenburns,
    _prescale,
    crossfade,
    encoder_args,
    has_captions,
)
from reelgraph.workers.engine.compile_audio import audio_filters
from reelgraph.workers.engine.compile_video import (
    SEEK_PREROLL_S,
    Range,
    overlay_filters,
    seek_point,
    source_ranges,
    video_visual_filters,
)
from reelgraph.workers.engine.filtergraph import GraphBuilder, ass_filter, fmt, frame_count
from reelgraph.workers.engine.segments import Piece, Segment, fade_frames, still_pieces
from reelgraph.workers.engine.spec import Overlay, RenderSpec


def _piece_frames(b: GraphBuilder, p: Piece, lo: int, hi: int) -> list[tuple[int, int, int, str]]:
    """(visual, first frame of its move, count, part) of each Ken Burns run piece ``p`` needs
    for its frames ``lo``..``hi``: a body's own frames, or a crossfade's tail and head whole."""
    visuals, fps = b.spec.visuals, b.spec.output.fps
    if p.kind == "b":
        head = fade_frames(visuals, fps)[p.visual - 1] if p.visual else 0
        return [(p.visual, head + lo - p.start, hi - lo, "b")]
    prev = p.visual - 1
    return [
        (prev, frame_count(visuals[prev].duration, fps) - p.count, p.count, "t"),
        (p.visual, 0, p.count, "h"),
    ]


def _still_window(b: GraphBuilder, seg: Segment) -> str:
    """The stills timeline's frames ``seg.start``..``seg.end`` (as far as the visuals reach)."""
    fps = b.spec.output.fps
    pieces = [
        p for p in still_pieces(b.spec) if p.start < seg.end and p.start + p.count > seg.start
    ]
    runs = [(p, max(seg.start, p.start), min(seg.end, p.start + p.count)) for p in pieces]
    moves = [m for p, lo, hi in runs for m in _piece_frames(b, p, lo, hi)]
    srcs: dict[int, list[str]] = {}
    for vi in dict.fromkeys(m[0] for m in moves):
        uses = sum(1 for m in moves if m[0] == vi)
        v = b.spec.visuals[vi]
        srcs[vi] = _prescale(b, v, b.add_input(v.path), f"v{vi}", uses)
    labels: list[str] = []
    for k, (p, lo, hi) in enumerate(runs):
        made = []
        for vi, first, count, part in _piece_frames(b, p, lo, hi):
            label = f"p{k}{part}"
            _kenburns(b, srcs[vi].pop(0), label, first, count, v=b.spec.visuals[vi])
            made.append(label)
        if p.kind == "x":
            kind = b.spec.visuals[p.visual - 1].transition.kind
            then = f",trim=start_frame={lo - p.start}:end_frame={hi - p.start},setpts=PTS-STARTPTS"
            b.filters.append(crossfade(made[0], made[1], kind, p.count, fps, f"p{k}", then))
            made = [f"p{k}"]
        labels += made
    if len(labels) == 1:
        return labels[0]
    b.filters.append("".join(f"[{x}]" for x in labels) + f"concat=n={len(labels)}:v=1:a=0[vcat]")
    return "vcat"


def window_ranges(spec: RenderSpec, seg: Segment) -> list[Range]:
    """The source ranges of the video visual that make output frames ``seg.start``..``end``."""
    fps, out, pos = spec.output.fps, [], 0
    for a, b in source_ranges(spec, spec.visuals[0]):
        n = round((b - a) * fps)
        lo, hi = max(seg.start, pos), min(seg.end, pos + n)
        if hi > lo:
            out.append((a + (lo - pos) / fps, a + (hi - pos) / fps))
        pos += n
    return out


def window_seek(spec: RenderSpec, seg: Segment) -> int:
    """Whole seconds the source is opened at for ``seg`` (never past the single pass's seek)."""
    ranges = window_ranges(spec, seg)
    base = seek_point(spec, spec.visuals[0])
    return max(base, math.floor(ranges[0][0] - SEEK_PREROLL_S)) if ranges else base


def _video_window(b: GraphBuilder, seg: Segment) -> str:
    """The source video's frames ``seg.start``..``seg.end`` (as far as its kept ranges reach)."""
    spec, v = b.spec, b.spec.visuals[0]
    at = window_seek(spec, seg)
    ranges = [(x - at, y - at) for x, y in window_ranges(spec, seg)]
    idx = b.add_input(v.path, *(["-ss", str(at)] if at else []))
    b.filters.extend(
        video_visual_filters(spec, v, idx, "vwin", ranges=ranges, first_frame=seg.start)
    )
    return "vwin"


def _overlaps(ov: Overlay, seg: Segment, fps: int) -> bool:
    return ov.start < seg.end / fps and ov.end > seg.start / fps


def _clock_base(spec: RenderSpec) -> str:
    """The time base the single pass's frames reach the overlays and captions in: the concat
    of several stills pieces gives microseconds, one piece or a source video the frame rate.
    A caption starting exactly on a frame shows on that frame in both or in neither."""
    stills = all(v.kind in ("image", "card") for v in spec.visuals)
    return "settb=AVTB" if stills and len(still_pieces(spec)) > 1 else "null"


def _finish(b: GraphBuilder, label: str, seg: Segment) -> str:
    """On the output's clock: overlays and captions; the segment's frames, starting at 0."""
    spec, fps = b.spec, b.spec.output.fps
    b.filters.append(f"[{label}]settb=1/{fps},setpts=N+{seg.start},{_clock_base(spec)}[vclock]")
    label = "vclock"
    shown = [ov for ov in spec.overlays if _overlaps(ov, seg, fps)]
    if shown:
        pairs = []
        for ov in shown:
            pre = ["-loop", "1"] if ov.kind == "image" else []
            pairs.append((ov, b.add_input(ov.path, *pre)))
        b.filters.extend(overlay_filters(spec, label, pairs, "vov"))
        label = "vov"
    chain = f"[{label}]"
    if b.captions_ass:
        chain += ass_filter(b.captions_ass, b.fonts_dir) + ","
    chain += (
        f"format=yuv420p,fps={fps},tpad=stop_mode=clone:stop_duration=1,"
        f"trim=end_frame={seg.frames},setpts=PTS-STARTPTS[vout]"
    )
    b.filters.append(chain)
    return "vout"


def gop_args(spec: RenderSpec, encoder: str) -> list[str]:
    """A closed GOP that opens on the segment's first frame, the same in every segment."""
    gop = str(2 * spec.output.fps)
    args = ["-g", gop, "-keyint_min", str(spec.output.fps), "-force_key_frames", "expr:eq(n,0)"]
    if encoder == "h264_nvenc":
        return [*args, "-forced-idr", "1"]
    return [*args, "-sc_threshold", "0", "-flags", "+cgop"]


def compile_segment(
    spec: RenderSpec,
    seg: Segment,
    out_path: str,
    *,
    encoder: str = "libx264",
    threads: int = 0,
    x264_preset: str = "veryfast",
    crf: int = 20,
    input_formats: Mapping[str, str] | None = None,
    captions_ass: str | None = None,
    fonts_dir: str | None = None,
) -> list[str]:
    """argv (without the binary) rendering the video of ``seg`` alone to the mp4 ``out_path``.

    ``captions_ass`` may hold only the caption events that ``seg`` shows (their times stay
    those of the whole video).
    """
    burn = has_captions(spec)
    if burn and not (captions_ass and fonts_dir):
        raise ValueError("the spec has captions: pass the .ass file written from them and fonts")
    b = GraphBuilder(spec, input_formats or {}, captions_ass if burn else None, fonts_dir)
    stills = all(v.kind in ("image", "card") for v in spec.visuals)
    vout = _finish(b, _still_window(b, seg) if stills else _video_window(b, seg), seg)
    argv: list[str] = ["-y"]
    for inp in b.inputs:
        argv += inp
    argv += ["-filter_complex", ";".join(b.filters), "-map", f"[{vout}]", "-an"]
    argv += encoder_args(spec, encoder, x264_preset=x264_preset, crf=crf)
    argv += gop_args(spec, encoder)
    if threads:
        argv += ["-threads", str(threads)]
    return [*argv, "-r", str(spec.output.fps), "-frames:v", str(seg.frames), "-f", "mp4", out_path]


def compile_audio_track(
    spec: RenderSpec,
    out_path: str,
    *,
    measured_loudness: dict[str, float] | None = None,
    input_formats: Mapping[str, str] | None = None,
) -> list[str] | None:
    """argv rendering the whole timeline's audio mix to a float WAV; None for a silent spec."""
    b = GraphBuilder(spec, input_formats or {})
    aout = audio_filters(b, measured_loudness)
    if aout is None:
        return None
    argv: list[str] = ["-y"]
    for inp in b.inputs:
        argv += inp
    return [
        *argv,
        "-filter_complex",
        ";".join(b.filters),
        "-map",
        f"[{aout}]",
        "-c:a",
        "pcm_f32le",
        "-ar",
        "48000",
        "-t",
        fmt(spec.duration),
        "-f",
        "wav",
        out_path,
    ]


def concat_list(paths: list[str], frames: list[int], fps: int) -> str:
    """The concat demuxer's script: each segment file and its exact length in frames."""
    lines = ["ffconcat version 1.0"]
    for path, n in zip(paths, frames, strict=True):
        quoted = path.replace("'", "'\\''")
        lines += [f"file '{quoted}'", f"duration {fmt(n / fps)}"]
    return "\n".join(lines) + "\n"


def compile_join(list_path: str, audio_path: str | None, out_path: str) -> list[str]:
    """argv joining the segments (concat demuxer, stream copy) and encoding the audio track."""
    argv = ["-y", "-f", "concat", "-safe", "0", "-i", list_path]
    if audio_path:
        argv += ["-f", "wav", "-i", audio_path, "-map", "0:v:0", "-map", "1:a:0"]
        argv += ["-c:a", "aac", "-b:a", "192k", "-ar", "48000"]
    else:
        argv += ["-map", "0:v:0"]
    return [*argv, "-c:v", "copy", "-movflags", "+faststart", "-f", "mp4", out_path]
