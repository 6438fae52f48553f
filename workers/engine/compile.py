"""Compile a RenderSpec into one FFmpeg argv with a single ``-filter_complex``.

Pure: no I/O, no subprocesses. The same (spec, encoder, loudness measurement) always gives the
same argv, which is what the golden tests pin and what the render cache key relies on.

Graph shape (create flow)::

    [img_i] -> scale/format once -> split -> zoompan head | body | tail ranges (Ken Burns)
    [tail_i][head_i+1] xfade (short, per transition); bodies and fades -> concat -> [vcat]
    [vcat] -> ass (captions) -> [vout]
    [narr] asplit -> key + voice; [music] sidechaincompress(key) -> amix -> loudnorm -> [aout]

Video sources (caption/edit flow) and overlays are delegated to ``workers.compile_video``.

Every input is opened by ``workers.ffmpeg.input_args``: the demuxer its probe found is forced
with ``-f`` (``input_formats``, see ``workers.render.input_formats``) under the format and
protocol whitelists, so FFmpeg never picks a demuxer from the bytes of a user's file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from reelgraph.workers.engine.ffmpeg import input_args
from reelgraph.workers.engine.spec import Motion, RenderSpec, Visual

#: Pixels of headroom the Ken Burns source gets relative to the output (smoother sub-pixel motion).
KB_OVERSCAN = 1.0


def escape_filter_value(value: str) -> str:
    """Escape a value for a filter option in a filtergraph: the one escaper (both levels).

    Level 1 is the filter's option parser (``key=value:key=value``): ``\\``, ``'`` and ``:``
    are escaped. Level 2 is the filtergraph parser around it, where ``\\``, ``'``, ``[``, ``]``,
    ``,`` and ``;`` are special. Tested with real FFmpeg on paths holding all of them.
    """
    level1 = value.replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\:")
    return "".join("\\" + ch if ch in "\\'[],;" else ch for ch in level1)


def ass_filter(ass_path: str, fonts_dir: str | None = None) -> str:
    """``ass=filename=...:fontsdir=...``: the caption burn-in filter, both paths escaped.

    The caption text lives in the file; only these two paths enter the filter graph.
    """
    arg = f"ass=filename={escape_filter_value(str(ass_path))}"
    if fonts_dir:
        arg += f":fontsdir={escape_filter_value(str(fonts_dir))}"
    return arg


def _fmt(x: float) -> str:
    """Stable short float formatting for argv goldens."""
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


@dataclass
class _Builder:
    spec: RenderSpec
    formats: Mapping[str, str] = field(default_factory=dict)
    inputs: list[list[str]] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)

    def add_input(self, path: str, *pre: str) -> int:
        self.inputs.append(input_args(path, self.formats.get(path), *pre))
        return len(self.inputs) - 1


def _frames(seconds: float, fps: int) -> int:
    return max(1, round(seconds * fps))


def _prescale(b: _Builder, v: Visual, idx: int, label: str, parts: int) -> list[str]:
    """Scale/crop the still once to the output size; ``parts`` labels of it (split)."""
    out = b.spec.output
    w, h = round(out.width * KB_OVERSCAN), round(out.height * KB_OVERSCAN)
    w, h = w + (w % 2), h + (h % 2)
    labels = [f"{label}s{k}" for k in range(parts)]
    chain = (
        f"[{idx}:v]scale={w}:{h}:force_original_aspect_ratio=increase:flags=bicubic,"
        f"crop={w}:{h},format=yuv420p"
    )
    chain += f",split={parts}" if parts > 1 else ""
    b.filters.append(chain + "".join(f"[{x}]" for x in labels))
    return labels


def _kenburns(b: _Builder, v: Visual, src: str, label: str, first: int, count: int) -> None:
    """Frames ``first``..``first+count`` of the clip's Ken Burns move, from the still ``src``."""
    out = b.spec.output
    frames = _frames(v.duration, out.fps)
    m = v.motion or Motion(zoom_from=1.0, zoom_to=1.0)
    denom = max(1, frames - 1)
    prog = f"((on+{first})/{denom})" if first else f"(on/{denom})"
    z = f"{_fmt(m.zoom_from)}+{_fmt(m.zoom_to - m.zoom_from)}*{prog}"
    fx = f"({_fmt(m.x_from)}+{_fmt(m.x_to - m.x_from)}*{prog})"
    fy = f"({_fmt(m.y_from)}+{_fmt(m.y_to - m.y_from)}*{prog})"
    b.filters.append(
        f"[{src}]zoompan=z='{z}':x='(iw-iw/zoom)*{fx}':y='(ih-ih/zoom)*{fy}'"
        f":d={count}:s={out.width}x{out.height}:fps={out.fps},"
        f"setsar=1,trim=end_frame={count}[{label}]"
    )


def _fade_frames(visuals: list[Visual], fps: int) -> list[int]:
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
                _frames(v.duration, fps) // 2,
                _frames(visuals[i + 1].duration, fps) // 2,
            )
        )
    return out


def _still_timeline(b: _Builder) -> str:
    """Stills with motion, crossfaded, joined by one concat; returns the output label.

    xfade works in yuv444p only, so a chain of xfades over the whole timeline would convert
    every frame to 4:4:4 and back. Instead each crossfade is its own short xfade of the two
    clips' overlapping frames (each clip's zoompan is split into head, body and tail ranges of
    the same move), and the segments are concatenated in yuv420p.
    """
    visuals, fps = b.spec.visuals, b.spec.output.fps
    fades = _fade_frames(visuals, fps)
    segments: list[str] = []
    for i, v in enumerate(visuals):
        n, head, tail = _frames(v.duration, fps), fades[i - 1] if i else 0, fades[i]
        body = n - head - tail
        parts = [k for k, c in (("h", head), ("b", body), ("t", tail)) if c > 0]
        srcs = dict(
            zip(parts, _prescale(b, v, b.add_input(v.path), f"v{i}", len(parts)), strict=True)
        )
        if head:  # head > 0 exactly when a crossfade comes in from the previous clip
            _kenburns(b, v, srcs["h"], f"v{i}h", 0, head)
            b.filters.append(
                f"[v{i - 1}t][v{i}h]xfade=transition=fade:duration={_fmt(head / fps)}:offset=0,"
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


def _visual_chains(b: _Builder) -> list[tuple[str, Visual]]:
    labelled: list[tuple[str, Visual]] = []
    for i, v in enumerate(b.spec.visuals):
        label = f"v{i}"
        idx = b.add_input(v.path)
        if v.kind in ("image", "card"):
            src = _prescale(b, v, idx, label, 1)[0]
            _kenburns(b, v, src, label, 0, _frames(v.duration, b.spec.output.fps))
        else:
            from reelgraph.workers.engine import compile_video  # video sources: caption/edit flow

            b.filters.extend(compile_video.video_visual_filters(b.spec, v, idx, label))
        labelled.append((label, v))
    return labelled


def _join_visuals(b: _Builder, labelled: list[tuple[str, Visual]]) -> str:
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
                f"[{cur}][{label}]xfade=transition=fade:duration={_fmt(td)}"
                f":offset={_fmt(offset)},format=yuv420p[{out}]"
            )
            cur_end = offset + v.duration
        cur = out
    return cur


def _visual_timeline(b: _Builder) -> str:
    """The joined visuals' label: stills take the segmented path, video sources the chain."""
    if all(v.kind in ("image", "card") for v in b.spec.visuals):
        return _still_timeline(b)
    return _join_visuals(b, _visual_chains(b))


def _captions_and_overlays(b: _Builder, vlabel: str) -> str:
    spec = b.spec
    if spec.overlays:
        from reelgraph.workers.engine import compile_video

        pairs = []
        for ov in spec.overlays:
            pre = ["-loop", "1"] if ov.kind == "image" else []
            pairs.append((ov, b.add_input(ov.path, *pre)))
        b.filters.extend(compile_video.overlay_filters(spec, vlabel, pairs, "vov"))
        vlabel = "vov"
    chain = f"[{vlabel}]"
    if spec.captions and spec.captions.ass_path:
        chain += ass_filter(spec.captions.ass_path, spec.captions.fonts_dir) + ","
    # Clip lengths are whole frames, so the joined clips can end a frame short of the spec's
    # duration: hold the last frame briefly and let ``-t`` cut at exactly the duration.
    chain += f"format=yuv420p,fps={spec.output.fps},tpad=stop_mode=clone:stop_duration=1[vout]"
    b.filters.append(chain)
    return "vout"


def _audio(b: _Builder, measured: dict[str, float] | None) -> str | None:
    spec, a = b.spec, b.spec.audio
    d = _fmt(spec.duration)
    voice = None
    if a.narration:
        idx = b.add_input(a.narration)
        b.filters.append(
            f"[{idx}:a]aformat=sample_rates=48000:channel_layouts=stereo,apad,atrim=0:{d}[narr]"
        )
        voice = "narr"
    elif a.source_audio:
        from reelgraph.workers.engine import compile_video

        src = next(v for v in spec.visuals if v.kind == "video")
        src_idx = next((i for i, inp in enumerate(b.inputs) if inp[-1] == src.path), None)
        if src_idx is None:
            src_idx = b.add_input(src.path)
        b.filters.extend(compile_video.source_audio_filters(spec, src_idx, "narr"))
        voice = "narr"
    music = None
    if a.music:
        mu = a.music
        idx = b.add_input(mu.path, *(["-stream_loop", "-1"] if mu.loop else []))
        fade_out_start = max(0.0, spec.duration - mu.fade_out)
        b.filters.append(
            f"[{idx}:a]aformat=sample_rates=48000:channel_layouts=stereo,atrim=0:{d},"
            f"asetpts=PTS-STARTPTS,volume={_fmt(mu.volume_db)}dB,"
            f"afade=t=in:st=0:d={_fmt(mu.fade_in)},"
            f"afade=t=out:st={_fmt(fade_out_start)}:d={_fmt(mu.fade_out)}[mus]"
        )
        music = "mus"
    if voice is None and music is None:
        return None
    if voice and music:
        if a.music and a.music.duck:
            b.filters.append(f"[{voice}]asplit=2[voice][key]")
            b.filters.append(
                "[mus][key]sidechaincompress=threshold=0.03:ratio=8:attack=20:release=400"
                ":makeup=1[ducked]"
            )
            b.filters.append(
                "[voice][ducked]amix=inputs=2:duration=first:dropout_transition=0:normalize=0[mix]"
            )
        else:
            b.filters.append(
                f"[{voice}][mus]amix=inputs=2:duration=first:dropout_transition=0:normalize=0[mix]"
            )
        mixed = "mix"
    else:
        mixed = voice or music or ""
    b.filters.append(
        f"[{mixed}]{loudnorm_filter(a.loudness_lufs, measured)},"
        f"aresample=48000,aformat=channel_layouts=stereo,atrim=0:{d}[aout]"
    )
    return "aout"


def loudnorm_filter(target: float, measured: dict[str, float] | None) -> str:
    """Single-pass loudnorm, or the linear second pass when a first-pass measurement is given."""
    base = f"loudnorm=I={_fmt(target)}:TP=-1.5:LRA=11"
    if not measured:
        return base
    return (
        f"{base}:measured_I={_fmt(measured['input_i'])}:measured_TP={_fmt(measured['input_tp'])}"
        f":measured_LRA={_fmt(measured['input_lra'])}"
        f":measured_thresh={_fmt(measured['input_thresh'])}"
        f":offset={_fmt(measured['target_offset'])}:linear=true"
    )


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
) -> list[str]:
    """The whole argv (without the ffmpeg binary) for rendering ``spec`` to ``out_path``.

    ``input_formats`` maps input paths to their probed demuxers (forced with ``-f``); an input
    without one is left to FFmpeg's probe, which the format whitelist still bounds.
    """
    b = _Builder(spec, input_formats or {})
    vout = _captions_and_overlays(b, _visual_timeline(b))
    aout = _audio(b, measured_loudness)
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
        _fmt(spec.duration),
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        out_path,
    ]
    return argv


def compile_audio_measure(
    spec: RenderSpec, input_formats: Mapping[str, str] | None = None
) -> list[str] | None:
    """argv for the audio-only first loudness pass (prints loudnorm's JSON on stderr)."""
    b = _Builder(spec, input_formats or {})
    # Visual inputs are not needed; only audio inputs are added by _audio.
    aout = _audio(b, None)
    if aout is None:
        return None
    fc = ";".join(b.filters).replace(
        loudnorm_filter(spec.audio.loudness_lufs, None),
        loudnorm_filter(spec.audio.loudness_lufs, None) + ":print_format=json",
    )
    argv: list[str] = []
    for inp in b.inputs:
        argv += inp
    return [*argv, "-filter_complex", fc, "-map", f"[{aout}]", "-f", "null", "-"]
