"""The render job: RenderSpec -> one FFmpeg run -> an mp4, cached and written atomically.

The job writes the captions' .ass file from the spec itself and burns it with this machine's
fonts, so a spec is all a renderer needs besides the media it names.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from reelgraph.errors import MissingAsset, OutputNotWritable
from reelgraph.settings import get_settings
from reelgraph.workers.engine import progress
from reelgraph.workers.engine.cache import get_cache, hash_file, link_or_copy, make_key
from reelgraph.workers.engine.caption_files import write_spec_captions
from reelgraph.workers.engine.compile import compile_audio_measure, compile_spec, has_captions
from reelgraph.workers.engine.ffmpeg import (
    choose_encoder,
    ffmpeg_capture,
    ffmpeg_version,
    run_ffmpeg,
)
from reelgraph.workers.engine.gpu import use_hwdecode, with_hwdecode_fallback
from reelgraph.workers.engine.probe import input_demuxer
from reelgraph.workers.engine.spec import RenderSpec

logger = logging.getLogger(__name__)


def _spec_paths(spec: RenderSpec) -> list[str]:
    """Every local file the spec names, in a stable order."""
    paths = [v.path for v in spec.visuals] + [o.path for o in spec.overlays]
    if spec.audio.narration:
        paths.append(spec.audio.narration)
    if spec.audio.music:
        paths.append(spec.audio.music.path)
    return paths


def spec_inputs(spec: RenderSpec) -> list[str]:
    """Every local file the spec reads, in a stable order (part of the cache key)."""
    paths = _spec_paths(spec)
    for p in paths:
        if not Path(p).is_file():
            raise MissingAsset(f"The render input '{Path(p).name}' is missing; re-run the job.")
    return paths


def input_formats(spec: RenderSpec) -> dict[str, str]:
    """The demuxer FFmpeg is forced to for each media input."""
    return {p: input_demuxer(p) for p in spec_inputs(spec)}


def _path_free(obj: Any, names: Mapping[str, str]) -> Any:
    """``obj`` with every string that is a key of ``names`` replaced by its value."""
    if isinstance(obj, dict):
        return {k: _path_free(v, names) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_path_free(v, names) for v in obj]
    if isinstance(obj, str) and obj in names:
        return names[obj]
    return obj


def _store_ref(path: str, home: Path) -> str | None:
    """``path``'s name in the media store at ``home`` (relative paths already are one); None
    for a file outside the store."""
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.resolve().relative_to(home.resolve()).as_posix()
    except ValueError:
        return None


def store_relative(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with every file inside the media store named by its path in the store.

    That spec is what the graph hands to the render job: a worker on another machine that
    mounts the same store elsewhere resolves the names against its own ``REELGRAPH_HOME``
    (``resolve_store_paths``). Files outside the store (a local input of the CLI) keep their
    absolute path.
    """
    home = get_settings().home
    rs = map_spec_paths(RenderSpec.model_validate(spec), lambda p: _store_ref(p, home) or p)
    return dict(rs.model_dump(mode="json"))


def public_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` as it may be served: no server path.

    Files inside the media store (``REELGRAPH_HOME``: cache, uploads, storage) are named by
    their path relative to it, which ``render_spec`` resolves on any machine sharing the store;
    any other file (a local input of the CLI) is named by its file name only.
    """
    rs = RenderSpec.model_validate(spec)
    home = get_settings().home
    names = {p: _store_ref(p, home) or Path(p).name for p in _spec_paths(rs)}
    return dict(_path_free(json.loads(rs.canonical_json()), names))


def resolve_store_paths(spec: RenderSpec) -> RenderSpec:
    """Resolve the relative paths of a served spec against this machine's media store."""
    home = get_settings().home.resolve()

    def _resolve(path: str) -> str:
        p = Path(path)
        if p.is_absolute():
            return path
        full = (home / p).resolve()
        if home not in full.parents:
            raise MissingAsset(f"The render input '{p.name}' is outside the media store.")
        return str(full)

    return map_spec_paths(spec, _resolve)


def map_spec_paths(spec: RenderSpec, fn: Callable[[str], str]) -> RenderSpec:
    """``spec`` with every media path ``p`` replaced by ``fn(p)``."""
    names = {p: fn(p) for p in _spec_paths(spec)}
    return RenderSpec.model_validate(_path_free(spec.model_dump(mode="json"), names))


def render_key(spec: RenderSpec, encoder: str) -> str:
    s = get_settings()
    inputs = spec_inputs(spec)
    hashes = {p: "sha256:" + hash_file(p) for p in inputs}
    spec_json = json.loads(spec.canonical_json())
    params = {
        "spec": _path_free(spec_json, hashes),  # content, not location: keys survive moves
        "encoder": encoder,
        "ffmpeg": ffmpeg_version(),
        "x264": [s.x264_preset, s.crf],
    }
    return make_key("render", params)


def measure_loudness(
    spec: RenderSpec, formats: Mapping[str, str] | None = None
) -> dict[str, float] | None:
    """First loudnorm pass over the audio mix only (cheap); cached by the audio inputs.

    ``formats`` are the inputs' demuxers (``input_formats``), probed here when not given.
    """
    argv = compile_audio_measure(spec, input_formats(spec) if formats is None else formats)
    if argv is None:
        return None
    files = [p for p in (spec.audio.narration, spec.audio.music and spec.audio.music.path) if p]
    if spec.audio.source_audio:
        files += [v.path for v in spec.visuals if v.kind == "video"][:1]
    audio_only = {
        "audio": spec.audio.model_dump(mode="json"),
        "duration": spec.duration,
        "cuts": [c.model_dump(mode="json") for c in spec.cuts],
        # the span of the source that plays: clips of one talk differ only there
        "source": [[v.start, v.duration] for v in spec.visuals if v.kind == "video"][:1],
    }
    key = make_key("loudness", audio_only, [f for f in files if f])
    cache = get_cache()
    hit = cache.get_json("loudness", key)
    if hit is not None:
        return dict(hit)
    res = ffmpeg_capture(argv)
    text = res.stderr.decode("utf-8", "replace")
    m = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", text, re.S)
    if res.returncode != 0 or not m:
        logger.warning("loudness measurement failed; falling back to single-pass loudnorm")
        return None
    raw = json.loads(m.group(0))
    try:
        measured = {
            k: float(raw[k])
            for k in ("input_i", "input_tp", "input_lra", "input_thresh", "target_offset")
        }
    except (KeyError, ValueError):
        return None
    if any(v != v or abs(v) == float("inf") for v in measured.values()):
        return None
    cache.put_json("loudness", key, measured)
    return measured


def _place(src: Path, out_path: Path) -> None:
    """Copy a finished file to ``out_path`` atomically (hard link when on the same filesystem)."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".partial")
    link_or_copy(src, tmp)
    os.replace(tmp, out_path)


def _caption_inputs(spec: RenderSpec, folder: Path) -> tuple[str | None, str | None]:
    """(.ass file written into ``folder`` from the spec's captions, this machine's fonts)."""
    if not has_captions(spec):
        return None, None
    from reelgraph.workers.engine.fonts import fonts_dir

    return write_spec_captions(spec, folder, ("ass",))["ass"], str(fonts_dir())


def _encode(
    rs: RenderSpec,
    target: Path,
    encoder: str,
    measured: dict[str, float] | None,
    formats: Mapping[str, str],
    key: str,
) -> str:
    """Compile and run the one render into ``target``; returns how video inputs were decoded
    (NVDEC where ``gpu.use_hwdecode``, software again when that fails)."""
    settings = get_settings()
    ass, fonts = _caption_inputs(rs, target.parent)
    videos = [v.kind for v in rs.visuals] + [o.kind for o in rs.overlays]
    hw = "video" in videos and use_hwdecode()

    def _run(hwdecode: bool) -> None:
        argv = compile_spec(
            rs,
            str(target),
            encoder=encoder,
            measured_loudness=measured,
            threads=settings.threads,
            x264_preset=settings.x264_preset,
            crf=settings.crf,
            input_formats=formats,
            captions_ass=ass,
            fonts_dir=fonts,
            hwdecode=hwdecode,
        )
        logger.info("render key=%s encoder=%s hwdecode=%s", key[:12], encoder, hwdecode)
        run_ffmpeg(
            argv,
            duration=rs.duration,
            on_progress=progress.current_reporter(),
            should_cancel=progress.should_cancel,
            what="Render",
        )
        (target.parent / "argv.json").write_text(json.dumps(argv))

    return with_hwdecode_fallback(_run, hw, "Render")


def render_spec(spec: dict[str, Any], out_path: str) -> dict[str, Any]:
    """Module-level media job: render ``spec`` to ``out_path``; JSON in, JSON out."""
    from reelgraph.workers.engine.caption_emoji import with_emoji

    rs = with_emoji(resolve_store_paths(RenderSpec.model_validate(spec)))
    settings = get_settings()
    encoder = choose_encoder(rs.output.encoder if rs.output.encoder != "auto" else settings.encoder)
    key = render_key(rs, encoder)
    cache = get_cache()
    t0 = time.monotonic()
    out = Path(out_path)
    hit = cache.get("render", key)
    if hit is not None:
        _place(hit / "video.mp4", out)
        progress.report(1.0)
        return {
            "path": str(out),
            "cache_hit": True,
            "encoder": encoder,
            "key": key,
            "seconds": round(time.monotonic() - t0, 3),
        }
    formats = input_formats(rs)
    measured = measure_loudness(rs, formats)
    with cache.put("render", key) as tmp:
        decode = _encode(rs, tmp / "video.mp4", encoder, measured, formats, key)
    try:
        _place(cache.entry_dir("render", key) / "video.mp4", out)
    except OSError as exc:
        raise OutputNotWritable(
            f"Cannot write '{out}': {exc.strerror}; choose another -o path."
        ) from exc
    return {
        "path": str(out),
        "cache_hit": False,
        "encoder": encoder,
        "key": key,
        "seconds": round(time.monotonic() - t0, 3),
        "loudness_two_pass": measured is not None,
        "decode": decode,
    }
