"""Readers of the editor timelines the tests check: CMX 3600 EDL events, FCPXML times and
storyline clips, OTIO tracks. Each parses the file as an editor would, independently of the
writers in workers/engine (an EDL line by its columns, FCPXML with an XML parser, OTIO with
the opentimelineio package)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

EVENT = re.compile(
    r"^(\d{3})\s+(\S+)\s+(\S+)\s+C\s+"
    r"(\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d)$"
)


@dataclass
class EdlEvent:
    number: int
    reel: str
    channel: str
    src_in: str
    src_out: str
    rec_in: str
    rec_out: str
    comments: list[str]

    def comment(self, key: str) -> str:
        return next(c.split(":", 1)[1].strip() for c in self.comments if c.startswith(key))


def tc_frames(tc: str, rate: int) -> int:
    """HH:MM:SS:FF -> a frame count at ``rate`` frames a second."""
    h, m, s, f = (int(x) for x in tc.split(":"))
    return ((h * 60 + m) * 60 + s) * rate + f


def read_edl(path: str | Path) -> tuple[dict[str, str], list[EdlEvent]]:
    """The header fields (TITLE, FCM) and the events of a CMX 3600 EDL."""
    header: dict[str, str] = {}
    events: list[EdlEvent] = []
    for line in Path(path).read_text().splitlines():
        m = EVENT.match(line)
        if m:
            num, reel, chan, *tcs = m.groups()
            events.append(EdlEvent(int(num), reel, chan, *tcs, comments=[]))
        elif line.startswith("* ") and events:
            events[-1].comments.append(line[2:])
        elif ":" in line and not events:
            key, value = line.split(":", 1)
            header[key.strip()] = value.strip()
        else:
            assert not line.strip(), f"unexpected EDL line {line!r}"
    return header, events


def fcp_seconds(value: str) -> Fraction:
    """FCPXML rational time ``"7/2s"`` / ``"3s"`` -> seconds."""
    assert value.endswith("s"), value
    return Fraction(value[:-1])


def read_fcpxml(path: str | Path) -> dict[str, Any]:
    """The parsed document: root, assets by id, the sequence and its spine's clips."""
    root = ET.parse(path).getroot()
    assets = {a.get("id"): a for a in root.iter("asset")}
    seq = next(root.iter("sequence"))
    spine = seq.find("spine")
    assert spine is not None
    clips = [el for el in spine if el.tag in ("asset-clip", "video", "clip", "gap")]
    return {"root": root, "assets": assets, "sequence": seq, "spine": spine, "clips": clips}


def asset_path(doc: dict[str, Any], el: ET.Element) -> str:
    """The media file a clip element names (its asset's media-rep src, as a path)."""
    from urllib.parse import unquote, urlparse

    rep = doc["assets"][el.get("ref")].find("media-rep")
    url = urlparse(rep.get("src"))
    return unquote(url.path) if url.scheme == "file" else unquote(rep.get("src"))


def otio_tracks(timeline: Any) -> dict[str, Any]:
    """The tracks of an OTIO timeline by name."""
    return {t.name: t for t in timeline.tracks}


def otio_clips(track: Any) -> list[Any]:
    import opentimelineio as otio

    return [item for item in track if isinstance(item, otio.schema.Clip)]
