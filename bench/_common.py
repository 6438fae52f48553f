"""Shared helpers for the benchmark scripts: deterministic inputs, timing, machine facts.

Benchmarks are scripts, not tests: they print numbers and never assert on timings.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # bench scripts run as `python bench/x.py`
    sys.path.insert(0, str(ROOT))

_SENTENCES = [
    "Every morning the harbour wakes before the town does.",
    "Fishing boats slide out past the lighthouse while the streets are still quiet.",
    "By seven the bakery on the corner has sold its first hundred loaves.",
    "Tourists arrive on the nine o'clock ferry with cameras and maps.",
    "Most of them climb the old stone stairs to the castle on the hill.",
    "From the top you can count forty islands on a clear day.",
    "In the afternoon the wind turns and the sailing school takes over the bay.",
    "Children race small boats between the orange buoys near the pier.",
    "The market closes at four and the square fills with music.",
    "When the sun goes down the whole coast glows gold for a few minutes.",
    "Then the lighthouse blinks on and the boats come home again.",
    "It is a small place, but nobody who visits forgets it.",
]


def narration_text(words: int) -> str:
    """A deterministic narration of about ``words`` words (sentences cycled)."""
    out: list[str] = []
    i = 0
    while len(out) < words:
        out.extend(_SENTENCES[i % len(_SENTENCES)].split())
        i += 1
    text = " ".join(out[:words])
    return text if text.endswith(".") else text + "."


def photo_like(path: Path, index: int, size: tuple[int, int] = (2000, 3000)) -> Path:
    """A photo-like PNG: a two-colour gradient, soft shapes, texture and sensor noise."""
    rng = np.random.default_rng(1000 + index)
    w, h = size
    c0, c1 = rng.integers(20, 235, size=3), rng.integers(20, 235, size=3)
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    img = (c0 * (1 - t) + c1 * t) * np.ones((1, w, 1), np.float32)
    base = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(base)
    for _ in range(14):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        r = int(rng.integers(w // 20, w // 4))
        fill = tuple(int(v) for v in rng.integers(0, 255, size=3))
        if rng.random() < 0.5:
            draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)
        else:
            draw.rectangle([x - r, y - r // 2, x + r, y + r // 2], fill=fill)
    base = base.filter(ImageFilter.GaussianBlur(6))
    texture = rng.normal(0.0, 1.0, size=(h // 16, w // 16, 1)).astype(np.float32)
    tex = Image.fromarray(np.clip(texture[:, :, 0] * 40 + 128, 0, 255).astype(np.uint8))
    tex_arr = np.asarray(tex.resize((w, h), Image.Resampling.BICUBIC), np.float32)[:, :, None]
    noise = rng.normal(0.0, 5.0, size=(h, w, 1)).astype(np.float32)
    arr = np.asarray(base, np.float32) + (tex_arr - 128) * 0.25 + noise
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(path, compress_level=1)
    return path


def free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


@contextmanager
def stopwatch(times: dict[str, float], name: str) -> Iterator[None]:
    """Record the wall time of the block in ``times[name]`` (seconds)."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        times[name] = time.perf_counter() - t0


@contextmanager
def fresh_home(prefix: str, keep: bool = False) -> Iterator[Path]:
    """A temp work folder with a fresh REELGRAPH_HOME in it (every render a cache miss);
    the previous home and settings come back afterwards, so benches can share one process."""
    from reelgraph.settings import get_settings

    work = Path(tempfile.mkdtemp(prefix=f"reelgraph-bench-{prefix}-"))
    before = os.environ.get("REELGRAPH_HOME")
    os.environ["REELGRAPH_HOME"] = str(work / "home")
    get_settings.cache_clear()
    try:
        yield work
    finally:
        if before is None:
            os.environ.pop("REELGRAPH_HOME", None)
        else:
            os.environ["REELGRAPH_HOME"] = before
        get_settings.cache_clear()
        if keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def machine_info() -> dict[str, str]:
    """nproc, load average, ffmpeg version line and whether a GPU device node exists."""
    from reelgraph.workers.engine.ffmpeg import ffmpeg_binary, ffmpeg_version

    load = os.getloadavg()
    return {
        "nproc": str(os.cpu_count()),
        "loadavg": " ".join(f"{x:.2f}" for x in load),
        "ffmpeg": f"{ffmpeg_version()} ({ffmpeg_binary()})",
        "gpu": "yes" if Path("/dev/nvidia0").exists() else "no",
        "python": sys.version.split()[0],
    }


def table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k.ljust(width)}  {v}" for k, v in rows)


# --- MoviePy baseline (the same composition, done the MoviePy way) -----------------------------


def _cover(path: str, width: int, height: int) -> np.ndarray:
    """The image scaled (once) to cover width x height and centre-cropped."""
    with Image.open(path) as im:
        im = im.convert("RGB")
        scale = max(width / im.width, height / im.height)
        w, h = max(width, round(im.width * scale)), max(height, round(im.height * scale))
        im = im.resize((w, h), Image.Resampling.BICUBIC)
        left, top = (w - width) // 2, (h - height) // 2
        return np.asarray(im.crop((left, top, left + width, top + height)))


def _kenburns_clip(visual: dict, start: float, fade_in: float, size: tuple[int, int]) -> object:
    from moviepy import CompositeVideoClip, ImageClip, vfx

    width, height = size
    d, m = float(visual["duration"]), visual["motion"]

    def lerp(a: str, b: str, t: float) -> float:
        return float(m[a] + (m[b] - m[a]) * min(1.0, max(0.0, t / d)))

    def zoom(t: float) -> float:
        return lerp("zoom_from", "zoom_to", t)

    def pos(t: float) -> tuple[float, float]:
        z = zoom(t)
        return (
            -(width * z - width) * lerp("x_from", "x_to", t),
            -(height * z - height) * lerp("y_from", "y_to", t),
        )

    img = ImageClip(_cover(visual["path"], width, height)).with_duration(d)
    moving = img.resized(zoom).with_position(pos)
    clip = CompositeVideoClip([moving], size=size).with_duration(d).with_start(start)
    return clip.with_effects([vfx.CrossFadeIn(fade_in)]) if fade_in > 0 else clip


def _caption_clips(words: list[dict], style: str, size: tuple[int, int]) -> list[object]:
    """One TextClip per caption event (same grouping as the .ass; no per-word highlight)."""
    from moviepy import TextClip

    from reelgraph.workers.engine.captions import PRESETS, events_for
    from reelgraph.workers.engine.fonts import font_file

    width, height = size
    preset = PRESETS[style]
    font = str(font_file(preset.family, "bold"))
    fsize = round(preset.size * (width * height) ** 0.5)
    events = events_for(words, style, width, height)
    clips: list[object] = []
    for i, ev in enumerate(events):
        end = ev[-1].end + 0.4
        if i + 1 < len(events):
            end = min(end, events[i + 1][0].start)
        end = max(end, ev[0].start + 0.05)
        text = " ".join(w.text for w in ev)
        tc = TextClip(
            font=font,
            text=text,
            font_size=fsize,
            color="white",
            stroke_color="black",
            stroke_width=max(2, round(fsize * 0.1)),
            method="caption",
            size=(width - 160, None),
            text_align="center",
        )
        clips.append(
            tc.with_start(ev[0].start).with_end(end).with_position(("center", 0.62), relative=True)
        )
    return clips


def use_reelgraph_ffmpeg() -> None:
    """Make MoviePy use reelgraph's FFmpeg: call before the first ``import moviepy`` (its config
    reads FFMPEG_BINARY once, else it runs imageio-ffmpeg's own FFmpeg build)."""
    from reelgraph.workers.engine.ffmpeg import ffmpeg_binary

    os.environ.setdefault("FFMPEG_BINARY", ffmpeg_binary())
    os.environ.setdefault("IMAGEIO_FFMPEG_EXE", ffmpeg_binary())


def moviepy_render(
    spec: dict, words: list[dict], out: Path, *, preset: str, crf: int, threads: int | None
) -> None:
    """Render ``spec`` (a RenderSpec dict) with MoviePy 2.x: Ken Burns, crossfades, captions,
    narration + music (ducking approximated by a constant -10 dB on the music)."""
    use_reelgraph_ffmpeg()
    from moviepy import AudioFileClip, CompositeAudioClip, CompositeVideoClip, afx

    size = (spec["output"]["width"], spec["output"]["height"])
    fps, duration = spec["output"]["fps"], float(spec["duration"])
    clips, start, prev_fade = [], 0.0, 0.0
    for v in spec["visuals"]:
        clips.append(_kenburns_clip(v, start, prev_fade, size))
        prev_fade = float(v["transition"]["duration"])
        start += float(v["duration"]) - prev_fade
    if spec.get("captions"):
        clips += _caption_clips(words, spec["captions"]["style"], size)
    audio = spec["audio"]
    tracks = [AudioFileClip(audio["narration"])]
    if audio.get("music"):
        gain = 10 ** ((audio["music"]["volume_db"] - 10.0) / 20)
        tracks.append(
            AudioFileClip(audio["music"]["path"]).with_effects([afx.MultiplyVolume(gain)])
        )
    mix = CompositeAudioClip(tracks).with_duration(duration)
    final = CompositeVideoClip(clips, size=size).with_duration(duration).with_audio(mix)
    final.write_videofile(
        str(out),
        fps=fps,
        codec="libx264",
        preset=preset,
        ffmpeg_params=["-crf", str(crf)],
        pixel_format="yuv420p",
        audio_codec="aac",
        audio_bitrate="192k",
        audio_fps=48000,
        threads=threads,
        logger=None,
    )
