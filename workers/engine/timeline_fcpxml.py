"""Final Cut Pro XML (FCPXML 1.9) of a ``timeline_export.Timeline``, written with xml.etree.

The primary storyline (spine) holds the picture clips back to back from 01:00:00:00, each
crossfade a Cross Dissolve (a dip to black: Fade To Color) centred on its cut. Everything else
is a connected clip anchored to the spine clip under its first frame: overlays on lanes 1, 2 ...
(full-screen ones filling the frame, the others scaled and placed as rendered), the captions as
SRT caption clips on the lane above them, and the narration and music on lanes -1, -2 with the
music's gain. The source video's own sound travels in its clips. Final Cut Pro and DaVinci
Resolve import it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

from reelgraph.workers.engine.timeline_export import (
    MUSIC,
    SOURCE_AUDIO,
    START_SECONDS,
    Clip,
    Media,
    Timeline,
)

VERSION = "1.9"
#: Final Cut Pro's built-in transitions, by the spec's Transition kind.
TRANSITIONS = {
    "crossfade": ("Cross Dissolve", "FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265"),
    "fade": ("Fade To Color", "FxPlug:F779C565-486D-4633-8035-0374B4DB8F5C"),
}


def fcp_time(frames: int, fps: int) -> str:
    """A time in FCPXML's rational seconds: ``0s``, ``3s``, ``7/2s``."""
    value = Fraction(frames, fps)
    if value.denominator == 1:
        return f"{value.numerator}s"
    return f"{value.numerator}/{value.denominator}s"


class _Writer:
    def __init__(self, tl: Timeline) -> None:
        self.tl = tl
        self.root = ET.Element("fcpxml", version=VERSION)
        self.resources = ET.SubElement(self.root, "resources")
        self.ids: dict[str, str] = {}
        self.elements: dict[int, ET.Element] = {}
        self.sequence_format = self._format(tl.fps, (tl.width, tl.height))

    def t(self, frames: int) -> str:
        return fcp_time(frames, self.tl.fps)

    def _next_id(self) -> str:
        return f"r{len(self.resources) + 1}"

    def _format(self, rate: float | None, size: tuple[int, int] | None) -> str:
        """The id of the format of this frame rate (None: a still) and size (declared once)."""
        attrs = {}
        if rate:
            frame = Fraction(1 / rate).limit_denominator(100_000)
            attrs["frameDuration"] = f"{frame.numerator}/{frame.denominator}s"
        else:
            attrs["name"] = "FFVideoFormatRateUndefined"
        if size:
            attrs["width"], attrs["height"] = str(size[0]), str(size[1])
        key = f"format {sorted(attrs.items())}"
        if key not in self.ids:
            self.ids[key] = self._next_id()
            ET.SubElement(self.resources, "format", {"id": self.ids[key], **attrs})
        return self.ids[key]

    def asset(self, m: Media) -> str:
        """The id of ``m``'s asset (declared once)."""
        if m.ref in self.ids:
            return self.ids[m.ref]
        video = m.kind in ("video", "image")
        fid = self._format(m.rate if m.kind == "video" else None, m.size) if video else ""
        rid = self._next_id()
        attrs = {"id": rid, "name": m.name, "start": "0s", "duration": self.t(m.frames or 0)}
        if video:
            attrs |= {"hasVideo": "1", "format": fid, "videoSources": "1"}
        if m.has_audio:
            attrs |= {"hasAudio": "1", "audioSources": "1", "audioChannels": "2"}
        el = ET.SubElement(self.resources, "asset", attrs)
        ET.SubElement(el, "media-rep", kind="original-media", src=m.url)
        self.ids[m.ref] = rid
        return rid

    def effect(self, kind: str) -> str:
        name, uid = TRANSITIONS.get(kind, TRANSITIONS["crossfade"])
        if uid not in self.ids:
            self.ids[uid] = self._next_id()
            ET.SubElement(self.resources, "effect", id=self.ids[uid], name=name, uid=uid)
        return self.ids[uid]

    def clip(
        self, parent: ET.Element, clip: Clip, offset: int, lane: int | None = None, role: str = ""
    ) -> None:
        """A clip element: ``asset-clip`` for video and audio, ``video`` for a still."""
        m = clip.media
        attrs = {"ref": self.asset(m), "offset": self.t(offset), "name": m.name}
        if lane is not None:
            attrs["lane"] = str(lane)
        attrs |= {"start": self.t(clip.source_in), "duration": self.t(clip.frames)}
        if role:
            attrs["audioRole"] = role
        el = ET.SubElement(parent, "video" if m.kind == "image" else "asset-clip", attrs)
        if m.kind != "audio":
            self._placement(el, clip)
        if clip.volume_db:
            ET.SubElement(el, "adjust-volume", amount=f"{clip.volume_db:g}dB")
        self.elements[id(clip)] = el

    def _placement(self, el: ET.Element, clip: Clip) -> None:
        """Fill the frame (the picture, full-screen overlays) or scale and place an overlay."""
        ov, size = clip.overlay, clip.media.size
        if ov is None or ov.fullscreen or size is None:
            ET.SubElement(el, "adjust-conform", type="fill")
            return
        w, h = self.tl.width, self.tl.height
        ow = max(2, int(w * ov.width) // 2 * 2)
        oh = ow * size[1] / size[0]
        cx = min(max(w * ov.x - ow / 2, 0), w - ow) + ow / 2
        cy = min(max(h * ov.y - oh / 2, 0), h - oh) + oh / 2
        fit = min(w / size[0], h / size[1]) * size[0]  # width after the default "fit"
        scale = ow / fit
        pos = f"{(cx - w / 2) / h * 100:.4g} {(h / 2 - cy) / h * 100:.4g}"  # % of the height
        ET.SubElement(el, "adjust-transform", position=pos, scale=f"{scale:.4g} {scale:.4g}")
        if ov.opacity < 1:
            ET.SubElement(el, "adjust-blend", amount=f"{ov.opacity:g}")

    def build(self) -> str:
        tl = self.tl
        start = START_SECONDS * tl.fps
        library = ET.SubElement(self.root, "library")
        event = ET.SubElement(library, "event", name="reelgraph")
        project = ET.SubElement(event, "project", name=tl.name)
        seq = ET.SubElement(
            project,
            "sequence",
            format=self.sequence_format,
            duration=self.t(tl.frames),
            tcStart=self.t(start),
            tcFormat="NDF",
            audioLayout="stereo",
            audioRate="48k",
        )
        if tl.captions_ref:
            ET.SubElement(seq, "note").text = f"Captions: {tl.captions_ref}"
        spine = ET.SubElement(seq, "spine")
        for clip in tl.picture.clips:
            if clip.fade_in:
                half = clip.fade_in // 2
                name = TRANSITIONS.get(clip.fade_kind, TRANSITIONS["crossfade"])[0]
                tr = ET.SubElement(
                    spine,
                    "transition",
                    name=name,
                    offset=self.t(start + clip.record_in - half),
                    duration=self.t(clip.fade_in),
                )
                ET.SubElement(tr, "filter-video", ref=self.effect(clip.fade_kind), name=name)
            self.clip(spine, clip, start + clip.record_in)
        self._connected()
        ET.indent(self.root)
        body = ET.tostring(self.root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n{body}\n'

    def _anchor(self, frame: int) -> tuple[ET.Element, int]:
        """The spine element under record ``frame`` and ``frame`` in its own time."""
        spine = self.tl.picture.clips
        parent = next((c for c in reversed(spine) if c.record_in <= frame), spine[0])
        return self.elements[id(parent)], parent.source_in + frame - parent.record_in

    def _connected(self) -> None:
        tl = self.tl
        for lane, track in enumerate(tl.overlays, 1):
            for clip in track.clips:
                parent, at = self._anchor(clip.record_in)
                self.clip(parent, clip, at, lane)
        caption_lane = len(tl.overlays) + 1
        for i, cue in enumerate(tl.cues, 1):
            parent, at = self._anchor(cue.start)
            cap = ET.SubElement(
                parent,
                "caption",
                lane=str(caption_lane),
                offset=self.t(at),
                name=cue.text.replace("\n", " ")[:60],
                start=self.t(START_SECONDS * tl.fps),
                duration=self.t(cue.end - cue.start),
                role=f"SRT?captionFormat=SRT.{tl.language}",
            )
            text = ET.SubElement(cap, "text", placement="bottom")
            ET.SubElement(text, "text-style", ref=f"ts{i}").text = cue.text
            style = ET.SubElement(cap, "text-style-def", id=f"ts{i}")
            ET.SubElement(style, "text-style", font="Helvetica", fontSize="13")
        lanes = [t for t in tl.audio if t.name != SOURCE_AUDIO]
        for lane, track in enumerate(lanes, 1):
            role = "music" if track.name == MUSIC else "dialogue"
            for clip in track.clips:
                parent, at = self._anchor(clip.record_in)
                self.clip(parent, clip, at, -lane, role)


def to_fcpxml(tl: Timeline) -> str:
    """The timeline as an FCPXML 1.9 document."""
    if not tl.picture.clips:
        raise ValueError("a timeline without picture clips has no FCPXML storyline")
    return _Writer(tl).build()
