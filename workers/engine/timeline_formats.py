"""OpenTimelineIO and CMX 3600 EDL writers of a ``timeline_export.Timeline``.

.otio: one Stack of tracks (the picture, the overlays above it, then the audio tracks), each
crossfade an SMPTE dissolve centred on its cut, the captions as markers on the timeline and
the SRT named in the timeline's metadata. Written with the ``opentimelineio`` package.

.edl: CMX 3600 holds one picture track, so the EDL is the picture (the kept ranges, in order,
record times back to back from 01:00:00:00) and the audio tracks; overlays and captions are in
the .otio and .fcpxml files. Source timecodes count the source's own frames (a video at 25 fps
in a 30 fps timeline gives 25 fps source timecodes), as editors read them; each event names its
file in ``* FROM CLIP NAME:`` and ``* SOURCE FILE:`` comments, which is how editors relink it.
"""

from __future__ import annotations

import re
from typing import Any

from reelgraph.workers.engine.timeline_export import (
    SOURCE_AUDIO,
    START_SECONDS,
    Clip,
    Timeline,
    Track,
)

#: OTIO metadata namespace of what the formats have no field for.
META = "reelgraph"


def to_otio(tl: Timeline) -> str:
    """The timeline as OpenTimelineIO JSON."""
    import opentimelineio as otio

    def rt(frames: int) -> Any:
        return otio.opentime.RationalTime(frames, tl.fps)

    def span(start: int, frames: int) -> Any:
        return otio.opentime.TimeRange(rt(start), rt(frames))

    timeline = otio.schema.Timeline(name=tl.name, global_start_time=rt(START_SECONDS * tl.fps))
    timeline.metadata[META] = {
        "width": tl.width,
        "height": tl.height,
        "fps": tl.fps,
        "duration_frames": tl.frames,
        "captions_srt": tl.captions_ref,
        "language": tl.language,
    }
    kinds = {"video": otio.schema.TrackKind.Video, "audio": otio.schema.TrackKind.Audio}
    for track in [tl.picture, *tl.overlays, *tl.audio]:
        out = otio.schema.Track(name=track.name, kind=kinds[track.kind])
        pos = 0
        for clip in track.clips:
            if clip.record_in > pos:
                out.append(otio.schema.Gap(source_range=span(0, clip.record_in - pos)))
            if clip.fade_in:
                half = clip.fade_in // 2
                out.append(
                    otio.schema.Transition(
                        name="Dissolve" if clip.fade_kind == "crossfade" else "Fade to black",
                        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                        in_offset=rt(half),
                        out_offset=rt(clip.fade_in - half),
                    )
                )
            out.append(_otio_clip(otio, clip, span))
            pos = clip.record_out
        timeline.tracks.append(out)
    for cue in tl.cues:
        timeline.tracks.markers.append(
            otio.schema.Marker(
                name=cue.text,
                marked_range=span(cue.start, cue.end - cue.start),
                color=otio.schema.MarkerColor.YELLOW,
                metadata={META: {"caption": True}},
            )
        )
    return str(otio.adapters.write_to_string(timeline, "otio_json"))


def _otio_clip(otio: Any, clip: Clip, span: Any) -> Any:
    m = clip.media
    ref = otio.schema.ExternalReference(
        target_url=m.url, available_range=span(0, m.frames) if m.frames else None
    )
    ref.name = m.name
    out = otio.schema.Clip(
        name=m.name, media_reference=ref, source_range=span(clip.source_in, clip.frames)
    )
    meta: dict[str, Any] = {}
    if clip.overlay is not None:
        meta["overlay"] = clip.overlay.model_dump(
            mode="json", include={"x", "y", "width", "fullscreen", "opacity"}
        )
    if clip.volume_db:
        meta["volume_db"] = clip.volume_db
    if meta:
        out.metadata[META] = meta
    return out


def timecode(frames: int, base: int) -> str:
    """Non-drop-frame HH:MM:SS:FF of frame ``frames`` counted ``base`` frames a second."""
    secs, ff = divmod(max(0, frames), base)
    return f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}:{ff:02d}"


def _source_tc(clip: Clip, fps: int) -> tuple[str, str]:
    """Source in/out timecodes in the source's own frames (the timeline's for stills, audio)."""
    rate = clip.media.rate if clip.media.kind == "video" and clip.media.rate > 0 else fps
    base = max(1, round(rate))
    a = round(clip.source_in / fps * rate)
    b = round((clip.source_in + clip.frames) / fps * rate)
    return timecode(a, base), timecode(b, base)


def _event(n: int, channel: str, clip: Clip, fps: int) -> list[str]:
    src_in, src_out = _source_tc(clip, fps)
    start = START_SECONDS * fps
    rec_in = timecode(start + clip.record_in, fps)
    rec_out = timecode(start + clip.record_out, fps)
    return [
        f"{n:03d}  AX       {channel:<5} C        {src_in} {src_out} {rec_in} {rec_out}",
        f"* FROM CLIP NAME: {_comment(clip.media.name)}",
        f"* SOURCE FILE: {_comment(clip.media.ref)}",
        "",
    ]


def _comment(text: str) -> str:
    """One printable line (an EDL line ends at a line break)."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)


def _audio_channels(tl: Timeline) -> list[tuple[str, Track]]:
    """(EDL channel, track) of the audio tracks that are not the picture's own sound."""
    carried = any(t.name == SOURCE_AUDIO for t in tl.audio)
    free = ["A3", "A4"] if carried else ["A", "A2", "A3", "A4"]
    rest = [t for t in tl.audio if t.name != SOURCE_AUDIO]
    return list(zip(free, rest, strict=False))


def to_edl(tl: Timeline) -> str:
    """The picture and audio tracks as a CMX 3600 EDL (see the module docstring)."""
    title = _comment(tl.name).encode("ascii", "replace").decode()[:70] or "reelgraph"
    lines = [f"TITLE: {title}", "FCM: NON-DROP FRAME", ""]
    sound = any(t.name == SOURCE_AUDIO for t in tl.audio)
    n = 0
    for clip in tl.picture.clips:
        n += 1
        carries = sound and clip.media.kind == "video" and clip.media.has_audio
        lines += _event(n, "AA/V" if carries else "V", clip, tl.fps)
    for channel, track in _audio_channels(tl):
        for clip in track.clips:
            n += 1
            lines += _event(n, channel, clip, tl.fps)
    return "\n".join(lines)
