"""Faces in a video with OpenCV Haar cascades, sampled once per second, and a smoothed focus track.

Frames are grabbed by FFmpeg (``fps=1``, downscaled, grey) and scanned with the frontal-face
cascade shipped inside opencv-python-headless. The face list is a *permanent* cache entry keyed
by the video bytes; the focus track derived from it is cheap (dynamic) and never cached.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from reelgraph.errors import CorruptMedia, DependencyMissing
from reelgraph.workers.engine.cache import get_cache, make_key
from reelgraph.workers.engine.ffmpeg import ffmpeg_capture, input_args

logger = logging.getLogger(__name__)

NAMESPACE = "faces"
VERSION = 1
SAMPLE_FPS = 1.0
SCAN_WIDTH = 320
_local = threading.local()


def _cascade() -> Any:
    casc = getattr(_local, "cascade", None)
    if casc is None:
        try:
            import cv2
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise DependencyMissing(
                "OpenCV is missing: pip install 'opencv-python-headless<5' for face detection."
            ) from exc
        cascades_dir = cv2.data.haarcascades  # type: ignore[attr-defined]
        path = Path(cascades_dir) / "haarcascade_frontalface_default.xml"
        casc = cv2.CascadeClassifier(str(path))
        if casc.empty():
            raise DependencyMissing(f"The OpenCV face cascade {path.name} could not be loaded.")
        _local.cascade = casc
    return casc


def _grab_frames(video: str, demuxer: str, width: int, height: int) -> np.ndarray:
    vf = f"fps={SAMPLE_FPS}:round=down,scale={width}:{height},format=gray"
    res = ffmpeg_capture(
        ["-v", "error", *input_args(video, demuxer), "-an", "-vf", vf, "-f", "rawvideo", "pipe:1"]
    )
    if res.returncode != 0:
        raise CorruptMedia(
            f"Frames of {Path(video).name} cannot be decoded for face detection; re-export it.",
            detail=res.stderr.decode(errors="replace")[-2000:],
        )
    n = len(res.stdout) // (width * height)
    return np.frombuffer(res.stdout[: n * width * height], np.uint8).reshape(n, height, width)


def _scan_size(video: str) -> tuple[str, int, int]:
    """The demuxer to decode ``video`` with and the (upright) size to scan its frames at."""
    from reelgraph.workers.engine.probe import probe

    info = probe(video)
    if not info.has_video or info.width <= 0 or info.height <= 0:
        raise CorruptMedia(f"{Path(video).name} has no video stream to look for faces in.")
    w, h = info.width, info.height
    if info.rotation in (90, 270, -90):
        w, h = h, w
    sw = min(SCAN_WIDTH, w)
    sh = max(2, round(h * sw / w / 2) * 2)
    return info.demuxer, sw - sw % 2, sh


def faces_in_frames(frames: np.ndarray) -> list[dict[str, Any]]:
    """``[{"t", "faces": [[x, y, w, h] fractions]}]`` for grey frames sampled at SAMPLE_FPS."""
    casc = _cascade()
    out: list[dict[str, Any]] = []
    for i, frame in enumerate(frames):
        h, w = frame.shape
        found = casc.detectMultiScale(
            frame, scaleFactor=1.1, minNeighbors=5, minSize=(max(16, w // 20), max(16, w // 20))
        )
        boxes = [
            [round(x / w, 4), round(y / h, 4), round(bw / w, 4), round(bh / h, 4)]
            for x, y, bw, bh in (found if len(found) else [])
        ]
        out.append({"t": round(i / SAMPLE_FPS, 3), "faces": boxes})
    return out


def detect_faces(video: str | Path) -> list[dict[str, Any]]:
    """Faces found once per second (permanent cache keyed by the video's bytes)."""
    return face_map(str(video))["samples"]


def face_map(video: str) -> dict[str, Any]:
    """Job function: ``{"samples": [...], "cache_hit": bool}``."""
    key = make_key(NAMESPACE, {"v": VERSION, "fps": SAMPLE_FPS, "w": SCAN_WIDTH}, [video])
    cache = get_cache()
    hit = cache.get_json(NAMESPACE, key)
    if hit is not None:
        return {"samples": hit, "cache_hit": True}
    samples = faces_in_frames(_grab_frames(video, *_scan_size(video)))
    cache.put_json(NAMESPACE, key, samples)
    logger.info(
        "faces in %s: %d samples, %d with faces (key %s)",
        video,
        len(samples),
        sum(1 for s in samples if s["faces"]),
        key[:12],
    )
    return {"samples": samples, "cache_hit": False}


def _main_face(faces: list[list[float]]) -> tuple[float, float] | None:
    if not faces:
        return None
    x, y, w, h = max(faces, key=lambda f: f[2] * f[3])
    return x + w / 2, y + h * 0.45  # a little above the box centre: eyes, not chin


def focus_track(
    faces: list[dict[str, Any]],
    duration: float,
    *,
    smoothing_s: float = 2.0,
    dead_zone: float = 0.03,
) -> list[tuple[float, float, float]]:
    """Smoothed (t, x, y) focus points in 0..1 following the largest face; centre when none.

    Gaps hold the last seen face; a centred moving average over ``smoothing_s`` removes jitter
    and moves smaller than ``dead_zone`` are ignored, so the reframe glides instead of shaking.
    """
    raw: list[tuple[float, float, float]] = []
    last: tuple[float, float] | None = None
    for s in sorted(faces, key=lambda s: s["t"]):
        if s["t"] > duration + 1e-6:
            break
        last = _main_face(s["faces"]) or last
        raw.append((float(s["t"]), *(last or (0.5, 0.5))))
    first_seen = next((i for i, s in enumerate(faces) if s["faces"]), None)
    if first_seen is not None:  # before the first face, look where it will be
        fx, fy = raw[first_seen][1], raw[first_seen][2]
        raw = [(t, fx, fy) if i < first_seen else (t, x, y) for i, (t, x, y) in enumerate(raw)]
    if not raw:
        return [(0.0, 0.5, 0.5)]
    half = max(0, round(smoothing_s * SAMPLE_FPS / 2))
    xs = np.array([p[1] for p in raw])
    ys = np.array([p[2] for p in raw])
    track: list[tuple[float, float, float]] = []
    for i, (t, _, _) in enumerate(raw):
        lo, hi = max(0, i - half), min(len(raw), i + half + 1)
        x, y = float(xs[lo:hi].mean()), float(ys[lo:hi].mean())
        if track and abs(x - track[-1][1]) < dead_zone and abs(y - track[-1][2]) < dead_zone:
            x, y = track[-1][1], track[-1][2]
        track.append((t, round(x, 4), round(y, 4)))
    if track[-1][0] < duration:
        track.append((round(duration, 3), track[-1][1], track[-1][2]))
    return track
