"""Compile a RenderSpec into one FFmpeg argv with a single ``-filter_complex``.

Pure: no I/O, no subprocesses. The same (spec, encoder, loudness measurement) always gives the
same argv, which is what the golden tests pin and what the render cache key relies on.

Graph shape (create flow)::

    [img_i] -> denoise/scale/sharpen once -> split -> zoompan head | body | tail ranges (Ken Burns)
    [tail_i][head_i+1] xfade (short, per transition); bodies and fades -> concat -> [vcat]
    [vcat] -> ass (captions, the .ass file the render job wrote from spec.captions) -> [vout]
    [narr] asplit -> key + voice; [music] sidechaincompress(key) -> amix -> loudnorm -> [aout]

Video sources (caption/edit flow) and overlays are delegated to ``workers.compile_video``.

Every input is opened by ``workers.ffmpeg.input_args``: the demuxer its probe found is forced
with ``-f`` (``input_formats``, see ``workers.render.input_formats``) under the format and
protocol whitelists, so FFmpeg never picks a demuxer from the bytes of a user's file.
"""

from __future__ import annotations

from collections.abc import Mapping

from reelgraph.workers.engine.compile_audio import audio_filters
from reelgraph.workers.engine.compile_audio import compile_audio_measure as compile_audio_measure
from reelgraph.workers.engine.compile_audio import loudnorm_filter as loudnorm_filter
from reelgraph.workers.engine.enhance import denoise_filter, scale_flags, sharpen_filter
from reelgraph.workers.engine.filtergraph import GraphBuilder, fmt, frame_count
from reelgraph.workers.engine.filtergraph import ass_filter as ass_filter
from reelgraph.workers.engine.filtergraph import escape_filter_value as escape_filter_value
from reelgraph.workers.engine.spec import Motion, RenderSpec, Visual

#: Pixels of headroom the Ken Burns source gets relative to the output (smoother sub-pixel motion).
KB_OVERSCAN = 1.0
#: The xfade transition of each Transition kind: a dissolve, or a dip through black.
XFADE_TRANSITIONS = {"crossfade": "fade", "fade": "fadeblack"}


def _prescale(b: GraphBuilder, v: Visual, idx: int, label: str, parts: int) -> list[str]:
    """Scale/crop the still once to the output size; ``parts`` labels of it (split)."""
    out = b.spec.output
    w, h = round(out.width * KB_OVERSCAN), round(out.height * KB_OVERSCAN)
    w, h = w + (w % 2), h + (h % 2)
    labels = [f"{label}s{k}" for k in range(parts)]
    e = v.enhance  # denoise at the source's size, lanczos upscale, then sharpen (one frame)
    steps = [
        denoise_filter(e, still=True),
        f"scale={w}:{h}:force_original_aspect_ratio=increase:flags={scale_flags(e)}",
        f"crop={w}:{h}",
        sharpen_filter(e),
        "format=yuv420p",
    ]
    chain = f"[{idx}:v]" + ",".join(x for x in steps if x)
    chain += f",split={parts}" if parts > 1 else ""
    b.filters.append(chain + "".join(f"[{x}]" for x in labels))
    return labels


def _kenburns(b: GraphBuilder, v: Visual, src: str, label: str, first: int, count: int) -> None:
    """Frames ``first``..``first+count`` of the clip's Ken Burns move, from the still ``src``."""
    out = b.spec.output
    frames = frame_count(v.duration, out.fps)
    m = v.motion or Motion(zoom_from=1.0, zoom_to=1.0)
    denom = max(1, frames - 1)
    prog = f"((on+{first})/{denom})" if first else f"(on/{denom})"
    z = f"{fmt(m.zoom_from)}+{fmt(m.zoom_to - m.zoom_from)}*{prog}"
    fx = f"({fmt(m.x_from)}+{fmt(m.x_to - m.x_from)}*{prog})"
    fy = f"({fmt(m.y_from)}+{fmt(m.y_to - m.y_from)}*{prog})"
    b.filters.append(
        f"[{src}]zoompan=z='{z}':x='(iw-iw/zoom)*{fx}':y='(ih-ih/zoom)*{fy}'"
        f":d={count}:s={out.width}x{out.height}:fps={out.fps},"
        f"setsar=1,trim=end_frame={count}[{label}]"
    )


def _fadeframe_count(visuals: list[Visual], fps: int) -> list[int]:
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


def _still_timeline(b: GraphBuilder) -> str:
    """Stills with motion, crossfaded, joined by one concat; returns the output label.

    xfade works in yuv444p only, so a chain of xfades over the whole timeline would convert
    every frame to 4:4:4 and back. Instead each crossfade is its own short xfade of the two
    clips' overlapping frames (each clip's zoompan is split into head, body and tail ranges of
    the same move), and the segments are concatenated in yuv420p.
    """
    visuals, fps = b.spec.visuals, b.spec.output.fps
    fades = _fadeframe_count(visuals, fps)
    segments: list[str] = []
    for i, v in enumerate(visuals):
        n, head, tail = frame_count(v.duration, fps), fades[i - 1] if i else 0, fades[i]
        body = n - head - tail
        parts = [k for k, c in (("h", head), ("b", body), ("t", tail)) if c > 0]
        srcs = dict(
            zip(parts, _prescale(b, v, b.add_input(v.path), f"v{i}", len(parts)), strict=True)
        )
        if head:  # head > 0 exactly when a crossfade comes in from the previous clip
            _kenburns(b, v, srcs["h"], f"v{i}h", 0, head)
            kind = XFADE_TRANSITIONS[visuals[i - 1].transition.kind]
            b.filters.append(
                f"[v{i - 1}t][v{i}h]xfade=transition={kind}:duration={fmt(head / fps)}:offset=0,"
                f"format=yuv420p[x{i}]"
            )
            segments.append(f"x{i}")
        if body > 0:
            _kenburns(b, v, srcs["b"], f"v{i}b", head, body)
            segments.append(f"v{i}b")
        if tail:
            _kenburns(b, v, srcs["t"], f"v{i}t", n - tail, tail)
    if len(segments) == 1:
        return segments[0]
    b.filters.append(
        "".join(f"[{x}]" for x in segments) + f"concat=n={len(segments)}:v=1:a=0[vcat]"
    )
    return "vcat"


def _visual_chains(b: GraphBuilder) -> list[tuple[str, Visual]]:
    labelled: list[tuple[str, Visual]] = []
    for i, v in enumerate(b.spec.visuals):
        label = f"v{i}"
        if v.kind in ("image", "card"):
            idx = b.add_input(v.path)
            src = _prescale(b, v, idx, label, 1)[0]
            _kenburns(b, v, src, label, 0, frame_count(v.duration, b.spec.output.fps))
        else:
            from reelgraph.workers.engine import compile_video  # video sources: caption/edit flow

            idx = b.add_video_input(v.path, *compile_video.seek_args(b.spec, v))
            b.filters.extend(compile_video.video_visual_filters(b.spec, v, idx, label))
        labelled.append((label, v))
    return labelled


def _join_visuals(b: GraphBuilder, labelled: list[tuple[str, Visual]]) -> str:
    """Chain clips with xfade (crossfade) or concat (hard cut); returns the output label."""
    cur, cur_end = labelled[0][0], labelled[0][1].duration
    for i in range(1, len(labelled)):
        prev_v = labelled[i - 1][1]
        label, v = labelled[i]
        t = prev_v.transition
        out = f"x{i}"
        if t.kind == "none" or t.duration <= 0:
            b.filters.append(f"[{cur}][{label}]concat=n=2:v=1:a=0[{out}]")
            cur_end += v.duration
        else:
            td = min(t.duration, prev_v.duration / 2, v.duration / 2)
            offset = cur_end - td
            b.filters.append(
                f"[{cur}][{label}]xfade=transition={XFADE_TRANSITIONS[t.kind]}:duration={fmt(td)}"
                f":offset={fmt(offset)},format=yuv420p[{out}]"
            )
            cur_end = offset + v.duration
        cur = out
    return cur


def _visual_timeline(b: GraphBuilder) -> str:
    """The joined visuals' label: stills take the segmented path, video sources the chain."""
    if all(v.kind in ("image", "card") for v in b.spec.visuals):
        return _still_timeline(b)
    return _join_visuals(b, _visual_chains(b))


def _captions_and_overlays(b: GraphBuilder, vlabel: str) -> str:
    spec = b.spec
    if spec.overlays:
        from reelgraph.workers.engine import compile_video

        pairs = []
        for ov in spec.overlays:
            if ov.kind == "image":
                pairs.append((ov, b.add_input(ov.path, "-loop", "1")))
            else:
                pairs.append((ov, b.add_video_input(ov.path)))
        b.filters.extend(compile_video.overlay_filters(spec, vlabel, pairs, "vov"))
        vlabel = "vov"
    chain = f"[{vlabel}]"
    if b.captions_ass:
        chain += ass_filter(b.captions_ass, b.fonts_dir) + ","
    # Clip lengths are whole frames, so the joined clips can end a frame short of the spec's
    # duration: hold the last frame briefly and let ``-t`` cut at exactly the duration.
    chain += f"format=yuv420p,fps={spec.output.fps},tpad=stop_mode=clone:stop_duration=1[vout]"
    b.filters.append(chain)
    return "vout"


def encoder_args(
    spec: RenderSpec, encoder: str, *, x264_preset: str = "veryfast", crf: int = 20
) -> list[str]:
    """Video encoder settings; the bench reuses these for its bare-encode baseline."""
    q = spec.output.quality
    if encoder == "h264_nvenc":
        cq = {"draft": 30, "standard": 23, "high": 19}[q]
        return [
            "-c:v",
            "h264_nvenc",
            "-preset",
            "p4",
            "-rc",
            "vbr",
            "-cq",
            str(cq),
            "-b:v",
            "0",
            "-pix_fmt",
            "yuv420p",
        ]
    preset = {"draft": "ultrafast", "standard": x264_preset, "high": "medium"}[q]
    crf_q = {"draft": crf + 6, "standard": crf, "high": max(14, crf - 2)}[q]
    return ["-c:v", "libx264", "-preset", preset, "-crf", str(crf_q), "-pix_fmt", "yuv420p"]


def compile_spec(
    spec: RenderSpec,
    out_path: str,
    *,
    encoder: str = "libx264",
    measured_loudness: dict[str, float] | None = None,
    threads: int = 0,
    x264_preset: str = "veryfast",
    crf: int = 20,
    input_formats: Mapping[str, str] | None = None,
    captions_ass: str | None = None,
    fonts_dir: str | None = None,
    hwdecode: bool = False,
) -> list[str]:
    """The whole argv (without the ffmpeg binary) for rendering ``spec`` to ``out_path``.

    ``input_formats`` maps input paths to their probed demuxers (forced with ``-f``); an input
    without one is left to FFmpeg's probe, which the format whitelist still bounds.
    ``captions_ass`` is the .ass file written from ``spec.captions`` (``caption_files``) and
    ``fonts_dir`` this machine's fonts folder: a spec with caption words needs both.
    ``hwdecode`` decodes the video sources and video overlays with NVDEC (``-hwaccel cuda``).
    """
    burn = has_captions(spec)
    if burn and not (captions_ass and fonts_dir):
        raise ValueError("the spec has captions: pass the .ass file written from them and fonts")
    b = GraphBuilder(spec, input_formats or {}, captions_ass if burn else None, fonts_dir)
    b.hwdecode = hwdecode
    vout = _captions_and_overlays(b, _visual_timeline(b))
    aout = audio_filters(b, measured_loudness)
    argv: list[str] = ["-y"]
    for inp in b.inputs:
        argv += inp
    argv += ["-filter_complex", ";".join(b.filters), "-map", f"[{vout}]"]
    if aout:
        argv += ["-map", f"[{aout}]", "-c:a", "aac", "-b:a", "192k", "-ar", "48000"]
    argv += encoder_args(spec, encoder, x264_preset=x264_preset, crf=crf)
    if threads:
        argv += ["-threads", str(threads)]
    argv += [
        "-r",
        str(spec.output.fps),
        "-t",
        fmt(spec.duration),
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        out_path,
    ]
    return argv


def has_captions(spec: RenderSpec) -> bool:
    """Whether ``spec`` burns captions (a captions block with at least one word)."""
    return bool(spec.captions and spec.captions.words)
