"""Translated subtitle tracks: the caption cues of a spec, their translations as .srt/.vtt files
with the source's timings, and the mp4 with every track as a tagged ``mov_text`` stream.

A cue (``Segment``) is one caption event of the burned captions: the same grouping and times
as ``captions.srt``, so the translated track ``captions.<lang>.srt`` has the very same cue
times. The video is muxed by a stream copy (no re-encode) into a new file, written atomically.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from reelgraph.errors import RenderFailed
from reelgraph.workers.engine.caption_files import spec_look
from reelgraph.workers.engine.captions import (
    Word,
    _atomic_write,
    _end_times,
    _srt_escape,
    _ts,
    _vtt_escape,
    events_for,
    line_text,
    split_lines,
)
from reelgraph.workers.engine.captions_look import layout
from reelgraph.workers.engine.scripts import display_width, iso639_2, language_name, split_words
from reelgraph.workers.engine.spec import RenderSpec


@dataclass(frozen=True)
class Segment:
    """One caption cue: its text, when it shows, and when its last word is spoken."""

    text: str
    start: float
    end: float
    speech_end: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def spec_segments(spec: RenderSpec | dict[str, Any]) -> tuple[list[Segment], int]:
    """The cues of the spec's captions and the line width (characters) they are set in."""
    rs = spec if isinstance(spec, RenderSpec) else RenderSpec.model_validate(spec)
    if not (rs.captions and rs.captions.words):
        return [], 0
    look, out = spec_look(rs.captions), rs.output
    events = events_for(rs.captions.words, look, out.width, out.height)
    segments = [
        Segment(line_text(ev), round(ev[0].start, 3), round(end, 3), round(ev[-1].end, 3))
        for ev, end in zip(events, _end_times(events), strict=True)
    ]
    return segments, layout(look, out.width, out.height)[1]


def spread_words(text: str, start: float, end: float) -> list[Word]:
    """``text``'s words laid over ``start``..``end`` in proportion to their width."""
    units = split_words(text)
    weights = [display_width(u) + 1 for u in units]
    total, span = float(sum(weights)) or 1.0, max(0.02 * len(units), end - start)
    out, t = [], start
    for unit, weight in zip(units, weights, strict=True):
        step = span * weight / total
        out.append(Word(unit, round(t, 3), round(t + step, 3)))
        t += step
    return out


def _cue_lines(text: str, max_chars: int, esc: Any) -> str:
    words = [Word(w, 0.0, 0.0) for w in split_words(text)]
    return "\n".join(
        line_text(line, lambda w: esc(w.text)) for line in split_lines(words, max_chars)
    )


def track_texts(
    segments: Sequence[Segment], texts: Sequence[str], max_chars: int
) -> dict[str, str]:
    """{"srt", "vtt"}: one cue per segment, at the segment's times, holding its translation."""
    srt, vtt = [], ["WEBVTT\n"]
    for i, (seg, text) in enumerate(zip(segments, texts, strict=True), 1):
        srt.append(
            f"{i}\n{_ts(seg.start, ',', 3)} --> {_ts(seg.end, ',', 3)}\n"
            f"{_cue_lines(text, max_chars, _srt_escape)}\n"
        )
        vtt.append(
            f"{_ts(seg.start, '.', 3)} --> {_ts(seg.end, '.', 3)}\n"
            f"{_cue_lines(text, max_chars, _vtt_escape)}\n"
        )
    return {"srt": "\n".join(srt), "vtt": "\n".join(vtt)}


def write_tracks(
    segments: Sequence[Segment], texts: Sequence[str], max_chars: int, out_dir: Path, code: str
) -> dict[str, str]:
    """``captions.<code>.srt`` and ``.vtt`` in ``out_dir``, written atomically; {ext: path}."""
    paths = {}
    for ext, text in track_texts(segments, texts, max_chars).items():
        path = out_dir / f"captions.{code}.{ext}"
        _atomic_write(path, text)
        paths[ext] = str(path)
    return paths


def _srt_input(path: str) -> list[str]:
    """An input argument list for a subtitle file this module wrote (never user media)."""
    return ["-f", "srt", "-format_whitelist", "srt", "-protocol_whitelist", "file", "-i", path]


def mux_argv(video: str, tracks: Sequence[tuple[str, str]], out: str) -> list[str]:
    """The stream-copy argv adding each (srt path, language code) as a tagged mov_text track."""
    from reelgraph.workers.engine.ffmpeg import input_args

    argv = ["-y", *input_args(video, "mov")]
    for srt, _code in tracks:
        argv += _srt_input(srt)
    argv += ["-map", "0:v", "-map", "0:a?"]
    for i in range(len(tracks)):
        argv += ["-map", f"{i + 1}:0"]
    argv += ["-c", "copy", "-c:s", "mov_text"]
    for i, (_srt, code) in enumerate(tracks):
        argv += [f"-metadata:s:s:{i}", f"language={iso639_2(code)}"]
        argv += [f"-metadata:s:s:{i}", f"handler_name={language_name(code)}"]
    return [*argv, "-movflags", "+faststart", "-f", "mp4", out]


def mux_subtitles(video: str, tracks: Sequence[tuple[str, str]], out: str | Path) -> str:
    """``video`` with the subtitle ``tracks`` added, at ``out`` (a stream copy, atomic)."""
    from reelgraph.workers.engine.ffmpeg import ffmpeg_capture, without_paths

    out = Path(out)
    tmp = out.with_name(out.name + ".partial.mp4")
    res = ffmpeg_capture(mux_argv(video, tracks, str(tmp)), timeout=600)
    if res.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        tail = without_paths(res.stderr.decode("utf-8", "replace")[-300:])
        raise RenderFailed(f"Adding the subtitle tracks failed: {tail}")
    os.replace(tmp, out)
    return str(out)
