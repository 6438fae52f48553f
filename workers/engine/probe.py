"""Media probing with PyAV: what streams a file has, how long it is, and whether it decodes.

The open is bounded: local files only, the demuxers of ``workers.ffmpeg.FORMAT_WHITELIST``, a
probe size limit and an I/O timeout. After the header is read the first packet of each kept
stream is decoded, so a truncated or garbage file fails here with one clear sentence instead of
later inside a render.

PyAV's libavformat is not the system FFmpeg that decodes, and the two can read the same bytes
differently (an ID3 tag, then an HLS playlist, then MP3 frames is MP3 to one and a playlist
naming other files to the other). So the system FFmpeg probes the file too, under the same
whitelists, and a file the two do not read with the same demuxer is refused. Every decode then
forces the agreed demuxer (``MediaInfo.demuxer``) with ``-f``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reelgraph.errors import CorruptMedia, MissingAsset, UnsupportedMedia
from reelgraph.workers.engine.ffmpeg import FORMAT_WHITELIST, PROTOCOL_WHITELIST, system_demuxer

logger = logging.getLogger(__name__)

#: image2 reads numbered sequences and globs when a file name asks for one, so a single image
#: is decoded with the pipe demuxer of its codec instead.
_IMAGE_DEMUXERS = {
    "png": "png_pipe",
    "mjpeg": "jpeg_pipe",
    "webp": "webp_pipe",
    "bmp": "bmp_pipe",
    "tiff": "tiff_pipe",
    "gif": "gif_pipe",
}

#: Leading bytes of containers we know: a file that starts like media but fails is corrupt.
_MAGIC = (b"RIFF", b"OggS", b"ID3", b"fLaC", b"\x1a\x45\xdf\xa3", b"FLV", b"\xff\xfb", b"\xff\xf3")
OPEN_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 10.0
MAX_PROBE_PACKETS = 400


@dataclass(frozen=True)
class MediaInfo:
    """What a media file holds; numbers are 0 / strings empty when a stream is absent."""

    duration: float
    has_video: bool
    has_audio: bool
    width: int = 0
    height: int = 0
    fps: float = 0.0
    vcodec: str = ""
    acodec: str = ""
    sample_rate: int = 0
    rotation: int = 0
    format: str = ""
    demuxer: str = ""
    """The FFmpeg demuxer every decode of the file forces with ``-f``."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _looks_like_media(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(12)
    return head.startswith(_MAGIC) or head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free")


def _open(path: Path) -> Any:
    import av

    options = {
        "protocol_whitelist": PROTOCOL_WHITELIST,
        "format_whitelist": FORMAT_WHITELIST,
        "probesize": "20000000",
    }
    try:
        return av.open(
            str(path),
            mode="r",
            timeout=(OPEN_TIMEOUT_S, READ_TIMEOUT_S),
            container_options=options,
            metadata_errors="replace",  # tags are free text in any encoding; never fatal
        )
    except UnicodeDecodeError as exc:
        raise CorruptMedia(
            f"{path.name} has unreadable header data (damaged file); re-export it.",
            detail=str(exc),
        ) from exc
    except av.error.ArgumentError as exc:  # the demuxer found is not on the whitelist
        raise UnsupportedMedia(
            f"{path.name} is a playlist or a kind of file reelgraph does not read; use MP4, MOV, "
            "MKV, WebM, WAV, MP3, M4A, OGG or FLAC.",
            detail=str(exc),
        ) from exc
    except av.error.FFmpegError as exc:
        if _looks_like_media(path):
            raise CorruptMedia(
                f"{path.name} looks like a media file but cannot be read (truncated or damaged); "
                "re-export or re-download it.",
                detail=str(exc),
            ) from exc
        raise UnsupportedMedia(
            f"{path.name} is not an audio or video file we can read; use MP4, MOV, MKV, WebM, "
            "WAV, MP3, M4A, OGG or FLAC.",
            detail=str(exc),
        ) from exc


@lru_cache(maxsize=256)
def _system_demuxer(path: str, size: int, mtime_ns: int, inode: int) -> tuple[str, str]:
    """``system_demuxer`` once per version of a file (size, mtime and inode key the memo)."""
    return system_demuxer(path)


def _check_system_agrees(path: Path, pyav_format: str) -> None:
    """Refuse a file the system FFmpeg would read with another demuxer than PyAV did."""
    st = path.stat()
    seen, log = _system_demuxer(str(path), st.st_size, st.st_mtime_ns, st.st_ino)
    if seen and seen.split(",")[0] == pyav_format.split(",")[0]:
        return
    logger.warning("%s: PyAV reads %r, FFmpeg reads %r; refused\n%s", path, pyav_format, seen, log)
    if not seen and "not on whitelist" not in log:
        raise CorruptMedia(
            f"{path.name} cannot be opened by FFmpeg (damaged file); re-export it.", detail=log
        )
    raise UnsupportedMedia(
        f"{path.name} is not plain {pyav_format.split(',')[0]} data (it also reads as another "
        "kind of file, such as a playlist); re-export it as a plain media file.",
        detail=log,
    )


def _decode_demuxer(path: Path, container: Any) -> str:
    """The demuxer to force for ``path``: PyAV's, checked against the system FFmpeg's."""
    fmt = container.format.name or ""
    _check_system_agrees(path, fmt)
    name = fmt.split(",")[0]
    if name != "image2":
        return name
    codec = container.streams.video[0].codec_context.name if container.streams.video else ""
    if codec not in _IMAGE_DEMUXERS:
        raise UnsupportedMedia(f"{path.name} is a '{codec}' image; use PNG, JPEG or WebP.")
    return _IMAGE_DEMUXERS[codec]


def _check_file(path: Path) -> None:
    if not path.exists() or not path.is_file():
        raise MissingAsset(f"{path.name} does not exist; check the path.")
    if path.stat().st_size == 0:
        raise CorruptMedia(f"{path.name} is empty (0 bytes); provide a complete media file.")


def _first_frames(container: Any, want_video: bool, want_audio: bool) -> tuple[bool, bool, int]:
    """Decode until one frame of each wanted stream is seen; returns (video_ok, audio_ok, rot)."""
    import av

    streams = []
    if want_video:
        streams.append(container.streams.video[0])
    if want_audio:
        streams.append(container.streams.audio[0])
    got_v = got_a = False
    rotation = 0
    try:
        for i, packet in enumerate(container.demux(*streams)):
            if i >= MAX_PROBE_PACKETS or ((got_v or not want_video) and (got_a or not want_audio)):
                break
            for frame in packet.decode():
                if isinstance(frame, av.VideoFrame) and not got_v:
                    got_v = True
                    rotation = int(getattr(frame, "rotation", 0) or 0)
                elif isinstance(frame, av.AudioFrame):
                    got_a = True
    except av.error.FFmpegError as exc:
        logger.info("decode error while probing: %s", exc)
    return got_v, got_a, rotation


def probe(path: str | Path) -> MediaInfo:
    """Describe ``path``; raise CorruptMedia / UnsupportedMedia with a sentence, never hang."""
    p = Path(path)
    _check_file(p)
    container = _open(p)
    try:
        return _describe(p, container, _decode_demuxer(p, container))
    except UnicodeDecodeError as exc:
        raise CorruptMedia(
            f"{p.name} has unreadable header data (damaged file); re-export it."
        ) from exc
    finally:
        container.close()


def input_demuxer(path: str | Path) -> str:
    """The demuxer to force when FFmpeg decodes ``path``, checked as ``probe`` checks it.

    For files FFmpeg reads but the flow does not otherwise probe (render inputs, our own
    intermediates): no frame is decoded here.
    """
    p = Path(path)
    _check_file(p)
    container = _open(p)
    try:
        return _decode_demuxer(p, container)
    finally:
        container.close()


def _describe(p: Path, container: Any, demuxer: str) -> MediaInfo:
    vs = next((s for s in container.streams.video if s.codec_context is not None), None)
    aus = container.streams.audio[0] if container.streams.audio else None
    if vs is None and aus is None:
        raise UnsupportedMedia(f"{p.name} has no audio or video stream; provide a media file.")
    got_v, got_a, rotation = _first_frames(container, vs is not None, aus is not None)
    if (vs is not None and not got_v) and (aus is None or not got_a):
        raise CorruptMedia(f"{p.name} has streams but none decode (truncated or damaged file).")
    if vs is None and aus is not None and not got_a:
        raise CorruptMedia(f"{p.name} has an audio stream that does not decode (damaged file).")
    return MediaInfo(
        duration=_duration(container, vs, aus),
        has_video=vs is not None and got_v,
        has_audio=aus is not None and got_a,
        width=int(vs.codec_context.width) if vs is not None else 0,
        height=int(vs.codec_context.height) if vs is not None else 0,
        fps=float(vs.average_rate or vs.guessed_rate or 0) if vs is not None else 0.0,
        vcodec=vs.codec_context.name if vs is not None else "",
        acodec=aus.codec_context.name if aus is not None else "",
        sample_rate=int(aus.codec_context.sample_rate or 0) if aus is not None else 0,
        rotation=rotation % 360,
        format=container.format.name or "",
        demuxer=demuxer,
    )


def _duration(container: Any, vs: Any, aus: Any) -> float:
    if container.duration:
        return max(0.0, float(container.duration) / 1_000_000)
    for s in (vs, aus):
        if s is not None and s.duration and s.time_base:
            return float(s.duration * s.time_base)
    return 0.0


def audio_duration(path: str | Path) -> float:
    """Duration in seconds of an audio (or any media) file; fast path for PCM WAV."""
    p = Path(path)
    if p.suffix.lower() == ".wav" and p.is_file() and os.path.getsize(p) > 44:
        import wave

        try:
            with wave.open(str(p), "rb") as w:
                return w.getnframes() / float(w.getframerate())
        except (wave.Error, EOFError):
            pass
    info = probe(p)
    if not info.has_audio:
        raise UnsupportedMedia(f"{p.name} has no audio track; provide a file with sound.")
    return info.duration
