"""Editor timelines from a RenderSpec: the edit as OpenTimelineIO, FCPXML and a CMX 3600 EDL.

The spec is the whole video, so it is also the whole edit: ``build_timeline`` reads it into a
``Timeline`` of whole frames at the output rate, and one writer per format turns that into a
file (``timeline_formats``: .otio and .edl; ``timeline_fcpxml``: .fcpxml). The timeline is the
render's, frame for frame:

- the picture track holds each visual's kept source ranges in order (the cuts removed, the
  same frame-grid ranges the render selects) and the stills of the create flow, with each
  crossfade as a dissolve centred on its cut; its clips add up to the rendered duration;
- overlays (b-roll, logo) sit on the tracks above it, in their stacking order, at their times;
- the captions are the SRT's cues (markers in .otio, caption clips in .fcpxml) and the SRT
  file itself is referenced;
- the audio tracks are the source video's own sound (the caption flow), the narration and the
  music bed, each on its own track.

Media are the spec's files; ``refs`` is the same spec with the names to write for them (the
served ``public_spec`` for API jobs, whose media are named by their place in the store), so
a file is probed where it is but written as the caller wants it named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from reelgraph.files import write_text_atomic
from reelgraph.workers.engine.caption_files import spec_caption_texts
from reelgraph.workers.engine.compile import _fadeframe_count
from reelgraph.workers.engine.compile_video import source_ranges
from reelgraph.workers.engine.filtergraph import frame_count
from reelgraph.workers.engine.spec import Overlay, RenderSpec, Visual

#: The formats ``export_timeline`` writes, with their file suffixes.
EXPORT_FORMATS = ("otio", "fcpxml", "edl")
#: Every timeline starts at 01:00:00:00, as editors' timelines do.
START_SECONDS = 3600

MediaKind = Literal["video", "image", "audio"]
#: Names of the audio tracks: the source video's own sound, the narration, the music bed.
SOURCE_AUDIO, NARRATION, MUSIC = "Source audio", "Narration", "Music"


@dataclass(frozen=True)
class Media:
    """One file the timeline uses."""

    path: str
    """Where it is on this machine (probed)."""
    ref: str
    """How the written files name it: an absolute path, or a relative name."""
    kind: MediaKind
    frames: int | None = None
    """Its length in timeline frames (None for a still)."""
    rate: float = 0.0
    """Its own frame rate (video), for source timecodes."""
    has_audio: bool = False
    size: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        return Path(self.ref).name

    @property
    def url(self) -> str:
        """``ref`` as a URL: ``file:///...`` for an absolute path, else percent-encoded."""
        return Path(self.ref).as_uri() if Path(self.ref).is_absolute() else quote(self.ref)


@dataclass(frozen=True)
class Clip:
    """A piece of one medium on one track; times are whole frames at the timeline rate."""

    media: Media
    record_in: int
    record_out: int
    source_in: int
    fade_in: int = 0
    """Frames of the dissolve centred on this clip's first frame (0: a hard cut)."""
    fade_kind: str = "crossfade"
    """crossfade (a dissolve) or fade (through black)."""
    volume_db: float = 0.0
    overlay: Overlay | None = None
    """Placement of an overlay (position, width, full screen)."""

    @property
    def frames(self) -> int:
        return self.record_out - self.record_in


@dataclass(frozen=True)
class Track:
    name: str
    kind: Literal["video", "audio"]
    clips: list[Clip] = field(default_factory=list)


@dataclass(frozen=True)
class Cue:
    """One caption of the SRT, in timeline frames."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Timeline:
    name: str
    fps: int
    width: int
    height: int
    frames: int
    """The rendered duration in frames."""
    picture: Track
    overlays: list[Track]
    audio: list[Track]
    cues: list[Cue]
    captions_ref: str | None = None
    """The SRT beside the exports, as the files name it."""
    language: str = "en"


class _Probe:
    """Media of the timeline, probed once each."""

    def __init__(self, fps: int) -> None:
        self.fps, self.seen = fps, dict[str, Media]()

    def __call__(self, path: str, ref: str, kind: MediaKind) -> Media:
        if path not in self.seen:
            self.seen[path] = self._probe(path, ref, kind)
        return self.seen[path]

    def _probe(self, path: str, ref: str, kind: MediaKind) -> Media:
        from reelgraph.workers.engine.probe import audio_duration, probe

        if kind == "audio":
            return Media(path, ref, kind, round(audio_duration(path) * self.fps), has_audio=True)
        info = probe(path)
        size = (info.width, info.height) if info.width and info.height else None
        if kind == "image":
            return Media(path, ref, kind, size=size)
        frames = round(info.duration * self.fps)
        return Media(path, ref, kind, frames, info.fps, info.has_audio, size)


def _visual_frames(spec: RenderSpec, v: Visual) -> int:
    """How many output frames a visual lasts before the crossfades overlap it."""
    fps = spec.output.fps
    if v.kind != "video":
        return frame_count(v.duration, fps)
    return sum(round(b * fps) - round(a * fps) for a, b in source_ranges(spec, v))


def _visual_clips(
    spec: RenderSpec, v: Visual, m: Media, start: int, window: tuple[int, int]
) -> list[Clip]:
    """The clips of one visual that begins at record frame ``start``, seen in ``window``."""
    fps = spec.output.fps
    if v.kind == "clip":  # a scene's clip from its start (its slowing or looping left out)
        return [Clip(m, window[0], window[1], round(v.start * fps) + window[0] - start)]
    if v.kind != "video":
        return [Clip(m, window[0], window[1], window[0] - start)]
    clips, local = [], 0
    for a, b in source_ranges(spec, v):
        src_a, src_b = round(a * fps), round(b * fps)
        lo, hi = start + local, start + local + src_b - src_a
        local += src_b - src_a
        rin, rout = max(lo, window[0]), min(hi, window[1])
        if rout > rin:
            clips.append(Clip(m, rin, rout, src_a + rin - lo))
    return clips


def _picture(spec: RenderSpec, refs: RenderSpec, media: _Probe, total: int) -> Track:
    """The visuals on the record timeline, each crossfade a dissolve centred on its cut."""
    fades = _fadeframe_count(spec.visuals, spec.output.fps)
    starts, pos = [], 0
    for i, v in enumerate(spec.visuals):
        starts.append(pos)
        pos += _visual_frames(spec, v) - fades[i]
    cuts = [0] + [starts[i + 1] + fades[i] // 2 for i in range(len(spec.visuals) - 1)] + [total]
    clips: list[Clip] = []
    for i, (v, r) in enumerate(zip(spec.visuals, refs.visuals, strict=True)):
        m = media(v.path, r.path, "video" if v.kind in ("video", "clip") else "image")
        window = (cuts[i], min(max(cuts[i + 1], cuts[i]), total))
        parts = _visual_clips(spec, v, m, starts[i], window)
        if parts and i and fades[i - 1]:
            kind = spec.visuals[i - 1].transition.kind
            parts[0] = replace(parts[0], fade_in=fades[i - 1], fade_kind=kind)
        clips += parts
    return Track("Picture", "video", clips)


def _overlay_tracks(spec: RenderSpec, refs: RenderSpec, media: _Probe, total: int) -> list[Track]:
    """Overlays on tracks above the picture: each on the lowest track above every earlier
    overlay it overlaps in time, so the stacking order is the render's."""
    fps = spec.output.fps
    tracks: list[list[Clip]] = []
    placed: list[tuple[int, int, int]] = []  # (record_in, record_out, track index)
    for ov, r in zip(spec.overlays, refs.overlays, strict=True):
        rin, rout = min(round(ov.start * fps), total), min(round(ov.end * fps), total)
        if rout <= rin or ov.frames > 1:  # a card's counting figure: an editor has no strips
            continue
        level = 1 + max((t for a, b, t in placed if a < rout and rin < b), default=-1)
        if level == len(tracks):
            tracks.append([])
        clip = Clip(media(ov.path, r.path, ov.kind), rin, rout, 0, overlay=ov)
        tracks[level].append(clip)
        placed.append((rin, rout, level))
    return [
        Track(f"Overlay {i + 1}", "video", sorted(clips, key=lambda c: c.record_in))
        for i, clips in enumerate(tracks)
    ]


def _audio_tracks(
    spec: RenderSpec, refs: RenderSpec, media: _Probe, picture: Track, total: int
) -> list[Track]:
    a, ra = spec.audio, refs.audio
    tracks = []
    if a.source_audio:
        sound = [c for c in picture.clips if c.media.kind == "video" and c.media.has_audio]
        tracks.append(Track(SOURCE_AUDIO, "audio", [replace(c, fade_in=0) for c in sound]))
    if a.narration and ra.narration:
        m = media(a.narration, ra.narration, "audio")
        end = min(total, m.frames or total)
        tracks.append(Track(NARRATION, "audio", [Clip(m, 0, end, 0)]))
    if a.music and ra.music:
        m = media(a.music.path, ra.music.path, "audio")
        length = max(1, m.frames or total)
        starts = range(0, total, length) if a.music.loop else [0]
        clips = [
            Clip(m, pos, min(pos + length, total), 0, volume_db=a.music.volume_db) for pos in starts
        ]
        tracks.append(Track(MUSIC, "audio", clips))
    return tracks


_SRT_TIME = re.compile(r"(\d+):(\d\d):(\d\d),(\d{3})\s*-->\s*(\d+):(\d\d):(\d\d),(\d{3})")


def srt_cues(srt: str, fps: int) -> list[Cue]:
    """The cues of an SRT document, in frames at ``fps``."""
    cues = []
    for block in re.split(r"\n\s*\n", srt.strip()):
        lines = block.splitlines()
        found = [(i, m) for i, line in enumerate(lines) if (m := _SRT_TIME.search(line))]
        if not found:
            continue
        at, match = found[0]
        h1, m1, s1, f1, h2, m2, s2, f2 = (int(x) for x in match.groups())
        start = round((h1 * 3600 + m1 * 60 + s1 + f1 / 1000) * fps)
        end = round((h2 * 3600 + m2 * 60 + s2 + f2 / 1000) * fps)
        text = "\n".join(lines[at + 1 :]).strip()
        if end > start and text:
            cues.append(Cue(start, end, text))
    return cues


def build_timeline(
    spec: RenderSpec,
    refs: RenderSpec | None = None,
    *,
    name: str = "reelgraph",
    captions_ref: str | None = None,
    language: str = "en",
) -> Timeline:
    """The edit of ``spec`` (media named as in ``refs``: the same spec, other paths)."""
    refs = refs or spec
    fps = spec.output.fps
    total = round(spec.duration * fps)
    media = _Probe(fps)
    picture = _picture(spec, refs, media, total)
    srt = spec_caption_texts(spec, ("srt",)).get("srt", "")
    cues = [c for c in srt_cues(srt, fps) if c.start < total]
    return Timeline(
        name=name,
        fps=fps,
        width=spec.output.width,
        height=spec.output.height,
        frames=total,
        picture=picture,
        overlays=_overlay_tracks(spec, refs, media, total),
        audio=_audio_tracks(spec, refs, media, picture, total),
        cues=[Cue(c.start, min(c.end, total), c.text) for c in cues],
        captions_ref=captions_ref if cues else None,
        language=language,
    )


def export_timeline(
    timeline: Timeline, formats: Iterable[str], out_dir: str | Path, stem: str = "timeline"
) -> dict[str, str]:
    """Write ``<stem>.<format>`` for each of ``formats`` atomically; {format: path}."""
    from reelgraph.workers.engine.timeline_fcpxml import to_fcpxml
    from reelgraph.workers.engine.timeline_formats import to_edl, to_otio

    writers = {"otio": to_otio, "fcpxml": to_fcpxml, "edl": to_edl}
    out = {}
    for fmt in formats:
        if fmt not in writers:
            raise ValueError(f"unknown timeline format {fmt!r}; use {', '.join(EXPORT_FORMATS)}")
        out[fmt] = write_text_atomic(Path(out_dir) / f"{stem}.{fmt}", writers[fmt](timeline))
    return out
