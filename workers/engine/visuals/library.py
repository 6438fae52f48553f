"""The user's own media library: a folder of images and video clips, indexed once and cached.

Each file's words come from its file name and the names of the folders above it (inside the
library), its EXIF title, description and Windows keywords, and its XMP ``dc:subject`` keywords
and ``dc:title``; the index also keeps its size, orientation and, for clips, duration. The index
is cached under the cache dir, keyed by the folder's path and every file's relative path, size
and modification time, so an unchanged folder is read from one JSON file and any change re-indexes
it. Works offline.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from reelgraph.errors import InvalidInput
from reelgraph.workers.engine.broll import IMAGE_EXT, VIDEO_EXT
from reelgraph.workers.engine.cache import get_cache, make_key
from reelgraph.workers.engine.visuals.candidate import Candidate, Kind, Orientation
from reelgraph.workers.engine.visuals.rank import orientation_of, text_score

logger = logging.getLogger(__name__)

NAMESPACE = "library"
VERSION = 1
#: At most this many media files are indexed (a folder of a whole photo archive is cut here).
MAX_FILES = 5000
#: EXIF tags with words: ImageDescription, XPTitle, XPComment, XPKeywords, XPSubject.
_EXIF_TEXT = (0x010E, 0x9C9B, 0x9C9C, 0x9C9E, 0x9C9F)
_XMP_ITEMS = re.compile(r"<dc:(subject|title|description)>(.*?)</dc:\1>", re.DOTALL | re.IGNORECASE)
_XMP_LI = re.compile(r"<rdf:li[^>]*>(.*?)</rdf:li>", re.DOTALL)


def media_files(folder: Path) -> list[Path]:
    """Image and video files under ``folder`` (recursive, hidden names skipped), sorted."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in IMAGE_EXT | VIDEO_EXT:
                found.append(Path(root) / name)
                if len(found) >= MAX_FILES:
                    logger.warning(
                        "library %s: only the first %d files are used", folder, MAX_FILES
                    )
                    return found
    return found


def fingerprint(folder: str | Path) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime in ns) of every media file: what the index depends on."""
    root = Path(folder)
    out = []
    for p in media_files(root):
        st = p.stat()
        out.append((p.relative_to(root).as_posix(), st.st_size, st.st_mtime_ns))
    return out


def check_library(folder: str | Path) -> Path:
    """``folder`` as an existing, readable directory, else InvalidInput saying what to fix."""
    p = Path(folder).expanduser()
    if not p.is_dir():
        raise InvalidInput(f"The library folder '{folder}' does not exist or is not a folder.")
    if not os.access(p, os.R_OK | os.X_OK):
        raise InvalidInput(f"The library folder '{folder}' is not readable; check its permissions.")
    return p.resolve()


def _decode(value: Any) -> str:
    if isinstance(value, bytes):  # the XP* tags are UTF-16LE bytes
        try:
            return value.decode("utf-16-le").rstrip("\x00")
        except UnicodeDecodeError:
            return value.decode("latin-1", "replace")
    if isinstance(value, tuple):  # Pillow gives the XP* tags as tuples of bytes values
        return _decode(bytes(value))
    return str(value)


def _xmp_words(xmp: bytes | str) -> list[str]:
    text = xmp.decode("utf-8", "replace") if isinstance(xmp, bytes) else xmp
    words: list[str] = []
    for _, body in _XMP_ITEMS.findall(text):
        items = _XMP_LI.findall(body) or [body]
        words += [re.sub(r"<[^>]+>", " ", item).strip() for item in items]
    return [w for w in words if w]


def image_meta(path: Path) -> dict[str, Any]:
    """Size and the embedded words (EXIF, XMP) of one image; {} when it does not open."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            exif = img.getexif()
            words = [_decode(exif[t]) for t in _EXIF_TEXT if t in exif]
            xmp = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp")
            if xmp:
                words += _xmp_words(xmp)
            w, h = img.size
            if exif.get(0x0112) in (5, 6, 7, 8):  # rotated by its orientation tag
                w, h = h, w
            return {"width": w, "height": h, "meta": [x for x in words if x.strip()]}
    except (OSError, ValueError, SyntaxError) as exc:
        logger.info("library: skipping unreadable image %s (%s)", path.name, exc)
        return {}


def video_meta(path: Path) -> dict[str, Any]:
    """Size and duration of one clip; {} when it does not probe as a video."""
    from reelgraph.errors import ReelgraphError
    from reelgraph.workers.engine.probe import probe

    try:
        info = probe(path)
    except ReelgraphError as exc:
        logger.info("library: skipping unreadable clip %s (%s)", path.name, exc)
        return {}
    if not info.has_video or info.duration <= 0:
        return {}
    w, h = (
        (info.height, info.width) if info.rotation in (90, 270, -90) else (info.width, info.height)
    )
    return {"width": w, "height": h, "duration": round(info.duration, 3), "meta": []}


def _entry(root: Path, path: Path) -> dict[str, Any] | None:
    rel = path.relative_to(root)
    kind: Kind = "video" if path.suffix.lower() in VIDEO_EXT else "image"
    meta = video_meta(path) if kind == "video" else image_meta(path)
    if not meta:
        return None
    names = [*rel.parent.parts, rel.stem]
    words = " ".join(re.sub(r"[_\-.]+", " ", n) for n in names)
    return {
        "id": rel.as_posix(),
        "kind": kind,
        "text": " ".join([words, *meta["meta"]]).strip(),
        "width": meta["width"],
        "height": meta["height"],
        "duration": meta.get("duration", 0.0),
    }


def index_library(folder: str | Path) -> list[dict[str, Any]]:
    """The index of ``folder``: one dict per usable file (id, kind, text, size, duration)."""
    root = check_library(folder)
    key = make_key(NAMESPACE, {"dir": str(root), "files": fingerprint(root), "v": VERSION})
    cache = get_cache()
    hit = cache.get_json(NAMESPACE, key)
    if hit is not None:
        return list(hit)
    entries = [e for e in (_entry(root, p) for p in media_files(root)) if e is not None]
    cache.put_json(NAMESPACE, key, entries)
    logger.info("library %s: indexed %d files", root, len(entries))
    return entries


class LibrarySource:
    """The library as a visual source: items whose own words match the query."""

    name = "library"

    def __init__(self, folder: str | Path) -> None:
        self.root = check_library(folder)

    def search(
        self, query: str, *, kind: Kind | None, orientation: Orientation, limit: int
    ) -> list[Candidate]:
        """Items sharing at least one word with ``query``, best text match first."""
        items = []
        for e in index_library(self.root):
            if kind is not None and e["kind"] != kind:
                continue
            score = text_score(query, e["text"])
            if score > 0:
                items.append((score, e))
        items.sort(key=lambda se: (-se[0], se[1]["id"]))
        return [self._candidate(e) for _, e in items[:limit]]

    def _candidate(self, e: dict[str, Any]) -> Candidate:
        return Candidate(
            source="library",
            id=e["id"],
            kind=e["kind"],
            path=str(self.root / e["id"]),
            text=e["text"],
            width=e["width"],
            height=e["height"],
            duration=e["duration"],
            license="your own media",
            extra={"orientation": orientation_of(e["width"], e["height"])},
        )


__all__ = ["LibrarySource", "check_library", "fingerprint", "image_meta", "index_library"]
