"""Small media and specs for the segmented-render tests: stills, a tone narration, a talk clip.

Everything is tiny (180x320 at 30 fps, a few seconds) so that rendering it several times
(single pass, segments, re-renders) stays quick on a shared 2-core machine.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from tests.fixtures_video import ffmpeg

FPS = 30
W, H = 180, 320


def still(path: Path, pattern: str) -> str:
    """A textured 360x640 PNG (an FFmpeg test pattern), so Ken Burns moves show in PSNR."""
    ffmpeg("-f", "lavfi", "-i", f"{pattern}=s=360x640:d=1", "-frames:v", "1", str(path))
    return str(path)


def tone_wav(path: Path, seconds: float) -> str:
    """A narration stand-in: a tone whose pitch and level change, 48 kHz mono."""
    expr = "0.4*sin(2*PI*(300+60*t)*t)*(0.6+0.4*sin(2*PI*0.7*t))"
    ffmpeg("-f", "lavfi", "-i", f"aevalsrc={expr}:s=48000:d={seconds}", str(path))
    return str(path)


def stills_spec(folder: Path, *, second_pattern: str = "smptebars") -> dict[str, Any]:
    """7 s, three scenes (2.5, 2.5, 2.6 s) with crossfades and Ken Burns, captions, narration."""
    patterns = ["testsrc2", second_pattern, "rgbtestsrc"]
    paths = [still(folder / f"still{i}-{p}.png", p) for i, p in enumerate(patterns)]
    moves = [
        {"zoom_from": 1.0, "zoom_to": 1.3, "x_from": 0.3, "x_to": 0.7},
        {"zoom_from": 1.3, "zoom_to": 1.0, "y_from": 0.2, "y_to": 0.8},
        {"zoom_from": 1.0, "zoom_to": 1.2},
    ]
    durations = [2.5, 2.5, 2.6]
    words = ["Owls", "turn", "their", "heads", "almost", "all", "the", "way", "around", "fast"]
    return {
        "duration": 7.0,
        "output": {"width": W, "height": H, "fps": FPS, "quality": "draft"},
        "visuals": [
            {
                "kind": "image",
                "path": p,
                "duration": d,
                "motion": m,
                "transition": {"kind": "crossfade", "duration": 0.5},
            }
            for p, d, m in zip(paths, durations, moves, strict=True)
        ],
        "captions": {
            "words": [
                {"text": w, "start": round(0.2 + 0.65 * i, 3), "end": round(0.8 + 0.65 * i, 3)}
                for i, w in enumerate(words)
            ],
            "style": "karaoke",
        },
        "audio": {"narration": tone_wav(folder / "narration.wav", 6.8)},
    }


def frames_gray(path: Path) -> np.ndarray:
    """Every frame's luma as a (frames, H, W) uint8 array."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, H, W)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def stream_seconds(path: Path) -> dict[str, float]:
    """Each stream's duration as ffprobe reads it: {"video": s, "audio": s}."""
    from tests.conftest import ffprobe_json

    out = {}
    for s in ffprobe_json(path)["streams"]:
        out[s["codec_type"]] = float(s["duration"])
    return out


def source_video(path: Path, seconds: float = 10.0) -> str:
    """A moving test pattern with a tone: the caption flow's source, 360x640 at 30 fps."""
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=s=360x640:r={FPS}:d={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=f=440:r=48000:d={seconds}",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-g",
        "30",
        "-c:a",
        "aac",
        "-shortest",
        str(path),
    )
    return str(path)


def video_spec(folder: Path) -> dict[str, Any]:
    """The caption flow's shape: one source (from 1 s, two cuts), zoom, a logo, captions."""
    src = source_video(folder / "talk.mp4")
    logo = still(folder / "logo.png", "rgbtestsrc")
    words = ["this", "is", "a", "talk", "about", "owls", "and", "their", "heads", "turning"]
    return {
        "duration": 7.1,
        "output": {"width": W, "height": H, "fps": FPS, "quality": "draft"},
        "visuals": [
            {
                "kind": "video",
                "path": src,
                "start": 1.0,
                "duration": 8.0,
                "motion": {"periodic_zoom": 0.1, "period_s": 3.0},
                "focus_track": [[1.0, 0.4, 0.5], [5.0, 0.6, 0.5], [9.0, 0.5, 0.4]],
            }
        ],
        "overlays": [{"kind": "image", "path": logo, "start": 2.0, "end": 5.0, "x": 0.8, "y": 0.1}],
        "cuts": [{"start": 3.0, "end": 3.5}, {"start": 6.0, "end": 6.4}],
        "captions": {
            "words": [
                {"text": w, "start": round(0.2 + 0.65 * i, 3), "end": round(0.8 + 0.65 * i, 3)}
                for i, w in enumerate(words)
            ]
        },
        "audio": {"source_audio": True},
    }
