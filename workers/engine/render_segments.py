"""The media jobs of a segmented render: one segment, the whole audio track, the join.

Each segment is cached by its own key: the sha256 of its argv with every input named by the
sha256 of its bytes, of the caption events it shows, of the FFmpeg version and the engine
version. A segment a change does not touch keeps its key, so a chat edit of one scene renders
only the segments that scene shows. Files are written as ``.partial`` and moved into place
(``Cache.put``), so a killed worker never leaves a segment that looks done.

Results name files by their path in the shared media store (``REELGRAPH_HOME``), so the
machine that joins finds what another machine rendered.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from reelgraph.errors import MissingAsset, OutputNotWritable
from reelgraph.settings import get_settings
from reelgraph.workers.engine import progress
from reelgraph.workers.engine.cache import get_cache, hash_bytes, hash_file, make_key
from reelgraph.workers.engine.caption_files import spec_caption_texts
from reelgraph.workers.engine.compile import has_captions
from reelgraph.workers.engine.compile_segments import (
    compile_audio_track,
    compile_join,
    compile_segment,
    concat_list,
)
from reelgraph.workers.engine.ffmpeg import ffmpeg_version, run_ffmpeg
from reelgraph.workers.engine.probe import input_demuxer
from reelgraph.workers.engine.render import (
    _spec_paths,
    input_formats,
    measure_loudness,
    resolve_store_paths,
    spec_inputs,
)
from reelgraph.workers.engine.segments import Segment
from reelgraph.workers.engine.spec import RenderSpec

logger = logging.getLogger(__name__)

_DIALOGUE = re.compile(r"^Dialogue: [^,]*,(\d+):(\d\d):(\d\d)\.(\d\d),(\d+):(\d\d):(\d\d)\.(\d\d),")
#: Placeholders in the argv that the cache key hashes (real paths differ per machine and run).
_OUT, _ASS, _FONTS = "<out>", "<captions.ass>", "<fonts>"


def load_spec(spec: dict[str, Any]) -> RenderSpec:
    """The spec as a job receives it, resolved on this machine (store paths, emoji overlays)."""
    from reelgraph.workers.engine.caption_emoji import with_emoji

    return with_emoji(resolve_store_paths(RenderSpec.model_validate(spec)))


def _seconds(m: re.Match[str], at: int) -> float:
    h, mi, s, cs = (int(m.group(at + k)) for k in range(4))
    return h * 3600 + mi * 60 + s + cs / 100


def window_ass(ass_text: str, t0: float, t1: float) -> str:
    """The .ass with only the Dialogue events that show between ``t0`` and ``t1`` seconds."""
    keep = []
    for line in ass_text.splitlines():
        m = _DIALOGUE.match(line)
        if m is None or (_seconds(m, 1) < t1 and _seconds(m, 5) > t0):
            keep.append(line)
    return "\n".join(keep) + "\n"


def segment_ass(spec: RenderSpec, seg: Segment) -> str | None:
    """The caption events ``seg`` shows (whole-video times), or None without captions."""
    if not has_captions(spec):
        return None
    fps = spec.output.fps
    return window_ass(spec_caption_texts(spec, ("ass",))["ass"], seg.start / fps, seg.end / fps)


def argv_key(namespace: str, argv: list[str], spec: RenderSpec, extra: dict[str, Any]) -> str:
    """Cache key of an argv: inputs named by content hash, plus FFmpeg and the engine."""
    names = {p: "sha256:" + hash_file(p) for p in spec_inputs(spec)}
    params = {"argv": [names.get(a, a) for a in argv], "ffmpeg": ffmpeg_version(), **extra}
    return make_key(namespace, params)


def _store_name(path: Path) -> str:
    """``path`` (inside the media store) by its place in the store."""
    return path.resolve().relative_to(get_settings().home.resolve()).as_posix()


def store_path(name: str) -> Path:
    """A result's store name as a path on this machine."""
    full = (get_settings().home / name).resolve()
    if not full.is_file():
        raise MissingAsset(f"The rendered part '{full.name}' is missing; render again.")
    return full


def _segment_argv(
    rs: RenderSpec,
    seg: Segment,
    out: str,
    encoder: str,
    ass: str | None,
    fonts: str | None,
    formats: dict[str, str],
) -> list[str]:
    s = get_settings()
    return compile_segment(
        rs,
        seg,
        out,
        encoder=encoder,
        threads=s.threads,
        x264_preset=s.x264_preset,
        crf=s.crf,
        input_formats=formats,
        captions_ass=ass,
        fonts_dir=fonts,
    )


def spec_formats(spec: dict[str, Any]) -> dict[str, str]:
    """The demuxer of each media input, keyed by the path as ``spec`` names it: probed once
    where a render is split and handed to every segment (each probe runs FFmpeg)."""
    raw = RenderSpec.model_validate(spec)
    here = spec_inputs(resolve_store_paths(raw))
    return {name: input_demuxer(p) for name, p in zip(_spec_paths(raw), here, strict=True)}


def _local_formats(spec: dict[str, Any], rs: RenderSpec, given: dict[str, str]) -> dict[str, str]:
    """``given`` (``spec_formats``) keyed by this machine's paths; inputs it lacks (the emoji
    drawn here) are probed."""
    raw = RenderSpec.model_validate(spec)
    here = _spec_paths(resolve_store_paths(raw))
    out = {p: given[n] for n, p in zip(_spec_paths(raw), here, strict=True) if n in given}
    for p in spec_inputs(rs):
        if p not in out:
            out[p] = input_demuxer(p)
    return out


def render_segment(
    spec: dict[str, Any],
    index: int,
    start: int,
    end: int,
    encoder: str,
    formats: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Media job: frames ``start``..``end`` of ``spec`` as an mp4 in the segment cache.

    ``formats`` are the inputs' demuxers (``spec_formats``); probed here when not given.
    """
    t0 = time.monotonic()
    rs, seg = load_spec(spec), Segment(index, start, end)
    ass = segment_ass(rs, seg)
    formats = _local_formats(spec, rs, formats or {})
    plain = _segment_argv(
        rs, seg, _OUT, encoder, _ASS if ass else None, _FONTS if ass else None, formats
    )
    key = argv_key("segment", plain, rs, {"ass": hash_bytes((ass or "").encode())})
    cache = get_cache()
    hit = cache.get("segment", key) is not None
    if not hit:
        with cache.put("segment", key) as tmp:
            ass_path, fonts = None, None
            if ass:
                from reelgraph.workers.engine.fonts import fonts_dir

                ass_path, fonts = str(tmp / "captions.ass"), str(fonts_dir())
                Path(ass_path).write_text(ass, encoding="utf-8")
            out = str(tmp / "video.mp4")
            argv = _segment_argv(rs, seg, out, encoder, ass_path, fonts, formats)
            logger.info("segment %d [%d, %d) key=%s", index, start, end, key[:12])
            run_ffmpeg(
                argv,
                duration=seg.frames / rs.output.fps,
                on_progress=progress.current_reporter(),
                should_cancel=progress.should_cancel,
                what=f"Segment {index}",
            )
            (tmp / "argv.json").write_text(json.dumps(argv))
    progress.report(1.0)
    video = cache.entry_dir("segment", key) / "video.mp4"
    return {
        "index": index,
        "path": _store_name(video),
        "key": key,
        "cache_hit": hit,
        "seconds": round(time.monotonic() - t0, 3),
    }


def render_audio(spec: dict[str, Any]) -> dict[str, Any]:
    """Media job: the whole timeline's audio mix (loudness-normalised) as a WAV, cached."""
    t0 = time.monotonic()
    rs = load_spec(spec)
    formats = input_formats(rs)
    measured = measure_loudness(rs, formats)
    plain = compile_audio_track(rs, _OUT, measured_loudness=measured, input_formats=formats)
    if plain is None:
        return {"path": None, "key": None, "cache_hit": True, "seconds": 0.0}
    key = argv_key("audiotrack", plain, rs, {})
    cache = get_cache()
    hit = cache.get("audiotrack", key) is not None
    if not hit:
        with cache.put("audiotrack", key) as tmp:
            argv = compile_audio_track(
                rs, str(tmp / "audio.wav"), measured_loudness=measured, input_formats=formats
            )
            assert argv is not None
            run_ffmpeg(argv, duration=rs.duration, what="Audio track")
    wav = cache.entry_dir("audiotrack", key) / "audio.wav"
    return {
        "path": _store_name(wav),
        "key": key,
        "cache_hit": hit,
        "seconds": round(time.monotonic() - t0, 3),
    }


def join_segments(
    segments: list[dict[str, Any]], frames: list[int], fps: int, audio: str | None, out_path: str
) -> float:
    """Join the segment files (in order) and the audio track into ``out_path``; seconds taken."""
    t0 = time.monotonic()
    out = Path(out_path)
    paths = [str(store_path(s["path"])) for s in segments]
    wav = str(store_path(audio)) if audio else None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=out.parent, prefix=".join-") as tmp:
            listing = Path(tmp) / "segments.ffconcat"
            listing.write_text(concat_list(paths, frames, fps), encoding="utf-8")
            partial = Path(tmp) / "video.partial.mp4"
            run_ffmpeg(compile_join(str(listing), wav, str(partial)), what="Join")
            os.replace(partial, out)
    except OSError as exc:
        raise OutputNotWritable(
            f"Cannot write '{out}': {exc.strerror}; choose another output path."
        ) from exc
    return round(time.monotonic() - t0, 3)


def segmented_key(segment_keys: list[str], audio_key: str | None) -> str:
    """The joined video's key: its segments' keys and the audio track's."""
    return make_key("segmented", {"segments": segment_keys, "audio": audio_key})
