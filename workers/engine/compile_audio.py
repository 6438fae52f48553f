"""The audio half of the single-pass render, and the audio-only first loudness pass.

Narration (or the source video's own audio, with the same cuts as its picture) and a music bed
ducked under the voice by ``sidechaincompress``, mixed and brought to the loudness target.
Pure: no I/O, like ``workers.engine.compile``.
"""

from __future__ import annotations

from collections.abc import Mapping

from reelgraph.workers.engine.filtergraph import GraphBuilder, fmt
from reelgraph.workers.engine.spec import RenderSpec


def audio_filters(b: GraphBuilder, measured: dict[str, float] | None) -> str | None:
    """Add the audio inputs and the mix to ``b``; the output label, or None for a silent spec."""
    spec, a = b.spec, b.spec.audio
    d = fmt(spec.duration)
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
            src_idx = b.add_input(src.path, *compile_video.seek_args(spec, src))
        b.filters.extend(compile_video.source_audio_filters(spec, src_idx, "narr"))
        voice = "narr"
    music = None
    if a.music:
        mu = a.music
        idx = b.add_input(mu.path, *(["-stream_loop", "-1"] if mu.loop else []))
        fade_out_start = max(0.0, spec.duration - mu.fade_out)
        b.filters.append(
            f"[{idx}:a]aformat=sample_rates=48000:channel_layouts=stereo,atrim=0:{d},"
            f"asetpts=PTS-STARTPTS,volume={fmt(mu.volume_db)}dB,"
            f"afade=t=in:st=0:d={fmt(mu.fade_in)},"
            f"afade=t=out:st={fmt(fade_out_start)}:d={fmt(mu.fade_out)}[mus]"
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
    base = f"loudnorm=I={fmt(target)}:TP=-1.5:LRA=11"
    if not measured:
        return base
    return (
        f"{base}:measured_I={fmt(measured['input_i'])}:measured_TP={fmt(measured['input_tp'])}"
        f":measured_LRA={fmt(measured['input_lra'])}"
        f":measured_thresh={fmt(measured['input_thresh'])}"
        f":offset={fmt(measured['target_offset'])}:linear=true"
    )


def compile_audio_measure(
    spec: RenderSpec, input_formats: Mapping[str, str] | None = None
) -> list[str] | None:
    """argv for the audio-only first loudness pass (prints loudnorm's JSON on stderr)."""
    b = GraphBuilder(spec, input_formats or {})
    # Visual inputs are not needed; only audio inputs are added by audio_filters.
    aout = audio_filters(b, None)
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
