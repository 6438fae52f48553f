"""Short synthetic media for the caption/edit/analyze tests, made with FFmpeg and espeak-ng.

Everything is tiny (a few seconds, 320x180) because the test machines are small and shared.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

FPS = 30
SIZE = (320, 180)

#: Marker timeline (source seconds): tone, silence, beep + white flash, silence, tone.
MARKER_TONE_1 = (0.0, 1.0)
MARKER_BEEP = (2.5, 2.6)
MARKER_TONE_2 = (3.8, 4.8)
MARKER_DURATION = 5.0


def ffmpeg(*args: str) -> None:
    res = subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if res.returncode != 0:
        raise RuntimeError(f"fixture ffmpeg failed: {res.stderr[-800:]}")


def font_file() -> str:
    from reelgraph.workers.engine.fonts import fonts_dir

    d = fonts_dir()
    found = sorted(d.glob("Montserrat*.ttf")) or sorted(d.glob("*.ttf"))
    return str(found[0])


def speech_wav(path: Path, text: str, *, speed: int = 150) -> Path:
    """Speech for ``text`` from espeak-ng (22.05 kHz mono wav)."""
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed")
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", str(speed), "-w", str(path), text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return path


def talking_video(
    path: Path,
    text: str,
    *,
    burned_text: str | None = None,
    size: tuple[int, int] = SIZE,
    lead_in: float = 0.3,
) -> Path:
    """A dark video with ``burned_text`` drawn in the middle and ``text`` spoken."""
    wav = speech_wav(path.with_suffix(".speech.wav"), text)
    w, h = size
    vf = "format=yuv420p"
    if burned_text:
        safe = burned_text.replace("'", "").replace(":", "")
        vf = (
            f"drawtext=fontfile='{font_file()}':text='{safe}':fontsize={h // 6}"
            f":fontcolor=white:x=(w-text_w)/2:y=(h-text_h)/2," + vf
        )
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"color=c=0x203040:s={w}x{h}:r={FPS}",
        "-i",
        str(wav),
        "-filter_complex",
        f"[1:a]adelay={int(lead_in * 1000)}:all=1,apad=pad_dur=0.5[a]",
        "-map",
        "0:v",
        "-map",
        "[a]",
        "-vf",
        vf,
        "-shortest",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
        "-ar",
        "48000",
        str(path),
    )
    return path


def marker_video(path: Path, *, size: tuple[int, int] = SIZE) -> Path:
    """Tone, 1.5 s silence, a 1 kHz beep with a white flash, 1.2 s silence, tone."""
    w, h = size
    t1, beep, t2 = MARKER_TONE_1, MARKER_BEEP, MARKER_TONE_2
    expr = (
        f"0.3*sin(2*PI*300*t)*between(t,{t1[0]},{t1[1]})"
        f"+0.8*sin(2*PI*1000*t)*gte(t,{beep[0]})*lt(t,{beep[1]})"
        f"+0.3*sin(2*PI*300*t)*between(t,{t2[0]},{t2[1]})"
    )
    flash = (
        f"drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='gte(t,{beep[0]})*lt(t,{beep[1]})'"
    )
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=s={w}x{h}:r={FPS}:d={MARKER_DURATION}",
        "-f",
        "lavfi",
        "-i",
        f"aevalsrc='{expr}':s=48000:d={MARKER_DURATION}",
        "-vf",
        f"lutyuv=y=val*0.4,{flash},format=yuv420p",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-g",
        "15",
        "-c:a",
        "pcm_s16le",
        str(path.with_suffix(".mov")),
    )
    out = path.with_suffix(".mov")
    return out


def bad_media(folder: Path, good: Path) -> dict[str, Path]:
    """Truncated mp4, zero-length file, video with no audio track, and a text file."""
    folder.mkdir(parents=True, exist_ok=True)
    data = good.read_bytes()
    truncated = folder / "truncated.mp4"
    truncated.write_bytes(data[: len(data) // 3])
    empty = folder / "empty.mp4"
    empty.write_bytes(b"")
    silent = folder / "no_audio.mp4"
    ffmpeg("-i", str(good), "-an", "-c:v", "copy", str(silent))
    text = folder / "notes.mp4"
    text.write_text("this is not a video\n")
    return {"truncated": truncated, "empty": empty, "no_audio": silent, "not_media": text}


def decode_luma_and_audio(video: Path) -> tuple[np.ndarray, np.ndarray, float]:
    """Mean luma per frame, mono 48 kHz samples and the frame rate of ``video``."""
    info = ffprobe(video)
    vs = next(s for s in info["streams"] if s["codec_type"] == "video")
    num, den = (int(x) for x in vs["r_frame_rate"].split("/"))
    w, h = int(vs["width"]), int(vs["height"])
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(video),
            "-map",
            "0:v",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "pipe:1",
        ],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    luma = np.frombuffer(raw, np.uint8).reshape(-1, h * w).mean(axis=1)
    pcm = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(video),
            "-map",
            "0:a",
            "-ac",
            "1",
            "-ar",
            "48000",
            "-f",
            "s16le",
            "pipe:1",
        ],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    samples = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768.0
    return luma, samples, num / den


def ffprobe(path: Path) -> dict[str, Any]:
    argv = ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)]
    out = subprocess.run(argv, capture_output=True, check=True, text=True, timeout=60)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def flash_time(luma: np.ndarray, fps: float) -> float:
    """Time of the first frame much brighter than the median (the white flash)."""
    thresh = float(np.median(luma)) + 100.0
    idx = int(np.argmax(luma > thresh))
    if luma[idx] <= thresh:
        raise AssertionError("no flash frame found")
    return idx / fps


def beep_time(samples: np.ndarray, rate: int = 48000) -> float:
    """Onset of the 1 kHz beep: first 1 ms window whose 1 kHz energy is high (Goertzel-ish)."""
    n = rate // 1000 * 4  # 4 ms windows
    usable = len(samples) // n * n
    frames = samples[:usable].reshape(-1, n)
    t = np.arange(n) / rate
    ref_s, ref_c = np.sin(2 * np.pi * 1000 * t), np.cos(2 * np.pi * 1000 * t)
    power = (frames @ ref_s) ** 2 + (frames @ ref_c) ** 2
    thresh = power.max() * 0.25
    idx = int(np.argmax(power > thresh))
    return idx * n / rate


# --- pytest fixtures (import them into a test module to use them) ---------------------------

TALK_TEXT = "The quick brown fox jumps over the lazy dog near the river bank."
BURNED_TEXT = "SALE 50 OFF"


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("edit-media")


@pytest.fixture(scope="session")
def marker_src(video_dir: Path) -> Path:
    return marker_video(video_dir / "marker.mp4")


@pytest.fixture(scope="session")
def talk_src(video_dir: Path) -> Path:
    return talking_video(video_dir / "talk.mp4", TALK_TEXT, burned_text=BURNED_TEXT)


@pytest.fixture(scope="session")
def bad_src(video_dir: Path, talk_src: Path) -> dict[str, Path]:
    return bad_media(video_dir / "bad", talk_src)


def bomb_png(path: Path, width: int = 60000, height: int = 60000) -> Path:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return path
