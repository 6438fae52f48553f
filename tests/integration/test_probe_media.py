"""PyAV probing and FFmpeg audio extraction on real generated media, good and bad."""

from __future__ import annotations

import subprocess
import time
import wave
from pathlib import Path

import pytest

from reelgraph.errors import CorruptMedia, MissingAsset, UnsupportedMedia
from reelgraph.settings import get_settings
from reelgraph.workers.engine.audio import extract_audio, normalize_user_audio
from reelgraph.workers.engine.ffmpeg import ffmpeg_binary
from reelgraph.workers.engine.probe import audio_duration, probe

pytestmark = pytest.mark.integration


def _ff(*args: str) -> None:
    subprocess.run([ffmpeg_binary(), "-v", "error", "-y", *args], check=True, timeout=60)


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("media")
    av_src = [
        "-f",
        "lavfi",
        "-i",
        "testsrc=s=320x240:r=25:d=2",
        "-f",
        "lavfi",
        "-i",
        "sine=f=440:d=2",
        "-c:v",
        "libx264",
        "-c:a",
        "aac",
        "-shortest",
    ]
    _ff(*av_src, str(d / "ok.mp4"))
    _ff("-i", str(d / "ok.mp4"), "-c", "copy", "-metadata:s:v", "rotate=90", str(d / "rot.mp4"))
    _ff("-i", str(d / "ok.mp4"), "-an", "-c", "copy", str(d / "silent.mp4"))
    _ff("-f", "lavfi", "-i", "sine=f=300:d=1.5", "-ar", "44100", "-ac", "2", str(d / "tone.mp3"))
    data = (d / "ok.mp4").read_bytes()
    (d / "truncated.mp4").write_bytes(data[: len(data) // 2])
    (d / "header_only.mp4").write_bytes(data[:2000])
    (d / "empty.mp4").write_bytes(b"")
    (d / "garbage.mp4").write_bytes(bytes(range(256)) * 40)
    mp3 = (d / "tone.mp3").read_bytes()
    (d / "corrupt.mp3").write_bytes(mp3[:600] + b"\x00" * 4000)
    return {p.stem: p for p in d.iterdir()}


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_probe_reads_streams(media) -> None:
    info = probe(media["ok"])
    assert info.has_video and info.has_audio
    assert (info.width, info.height, info.fps) == (320, 240, 25.0)
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert (info.vcodec, info.acodec, info.sample_rate) == ("h264", "aac", 44100)
    assert info.rotation == 0 and probe(media["rot"]).rotation in (90, 270)
    silent = probe(media["silent"])
    assert silent.has_video and not silent.has_audio
    assert audio_duration(media["tone"]) == pytest.approx(1.5, abs=0.1)


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("empty", CorruptMedia),
        ("header_only", CorruptMedia),
        ("garbage", UnsupportedMedia),
        ("truncated", CorruptMedia),
    ],
)
def test_bad_media_gives_a_clear_error_quickly(media, name, error) -> None:
    t0 = time.monotonic()
    with pytest.raises(error) as exc:
        probe(media[name])
    assert time.monotonic() - t0 < 5
    msg = str(exc.value)
    assert media[name].name in msg and msg.endswith(".") and "Traceback" not in msg


def test_missing_file(tmp_path) -> None:
    with pytest.raises(MissingAsset):
        probe(tmp_path / "nope.mp4")


def test_extract_audio_is_cached_16k_mono(media, home, tmp_path) -> None:
    out = extract_audio(media["ok"], tmp_path / "copy.wav")
    with wave.open(out, "rb") as w:
        assert (w.getframerate(), w.getnchannels()) == (16000, 1)
        assert w.getnframes() / 16000 == pytest.approx(2.0, abs=0.1)
    assert (tmp_path / "copy.wav").stat().st_size == Path(out).stat().st_size
    mtime = Path(out).stat().st_mtime_ns
    assert extract_audio(media["ok"]) == out and Path(out).stat().st_mtime_ns == mtime
    assert get_settings().cache_dir in Path(out).parents


def test_extract_audio_without_audio_track(media, home) -> None:
    with pytest.raises(UnsupportedMedia, match="no audio track"):
        extract_audio(media["silent"])


def test_normalize_user_audio_48k_and_corrupt(media, home) -> None:
    out = normalize_user_audio(media["tone"])
    with wave.open(out, "rb") as w:
        assert (w.getframerate(), w.getnchannels()) == (48000, 1)
    with pytest.raises((CorruptMedia, UnsupportedMedia)):
        normalize_user_audio(media["corrupt"])
    with pytest.raises(CorruptMedia):
        normalize_user_audio(media["empty"])
