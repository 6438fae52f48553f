"""Polyglot media: an MP3 that the system FFmpeg would read as a playlist naming another file.

The file is an ID3v2 tag, then a playlist (HLS, HLS with ``#EXT-X-MAP``, or ffconcat) naming a
"secret" MP3 of another job (a 1000 Hz tone), then real MP3 frames (a 300 Hz tone). PyAV reads
it as MP3; FFmpeg 5.1 skips the tag, sees the playlist and, with only a protocol whitelist,
opens the secret file. Uploads and URL downloads must be refused, and the worker's decode must
never read the secret, whatever the validation said.
"""

from __future__ import annotations

import hashlib
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from reelgraph.errors import CorruptMedia, UnsupportedMedia
from reelgraph.settings import get_settings
from reelgraph.workers.engine.ffmpeg import ffmpeg_binary, ffmpeg_capture

pytestmark = pytest.mark.integration

SECRET_HZ = 1000
CARRIER_HZ = 300
RATE = 16000
VARIANTS = ("hls", "hls_map", "ffconcat")
#: The playlist variants this FFmpeg follows when nothing forces the demuxer.
EXPLOITABLE = ("hls", "hls_map")


def _ff(*args: str) -> None:
    subprocess.run([ffmpeg_binary(), "-v", "error", "-y", *args], check=True, timeout=60)


def _id3(payload: bytes = b"\x00" * 16) -> bytes:
    """An ID3v2.4 tag around ``payload`` (syncsafe size)."""
    n = len(payload)
    size = bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])
    return b"ID3\x04\x00\x00" + size + payload


def _playlist(kind: str, secret: Path) -> bytes:
    hls = ["#EXTM3U", "#EXT-X-TARGETDURATION:10", "#EXTINF:10.0,", str(secret), "#EXT-X-ENDLIST"]
    if kind == "hls":
        lines = hls
    elif kind == "hls_map":  # the secret as the init section too
        lines = [*hls[:2], f'#EXT-X-MAP:URI="{secret}"', *hls[2:]]
    else:
        lines = ["ffconcat version 1.0", f"file '{secret}'"]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def polyglots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("polyglot")
    other_job = d / "uploads"
    other_job.mkdir()
    secret = other_job / ("asset_" + "5" * 32 + ".mp3")
    _ff("-f", "lavfi", "-i", f"sine=f={SECRET_HZ}:d=3", "-ac", "1", "-ar", "44100", str(secret))
    carrier = d / "carrier.mp3"
    tone = ["-f", "lavfi", "-i", f"sine=f={CARRIER_HZ}:d=3", "-ac", "1", "-ar", "44100"]
    _ff(*tone, "-id3v2_version", "0", "-f", "mp3", str(carrier))
    frames = carrier.read_bytes()
    assert frames[:3] != b"ID3"
    out = {"secret": secret, "carrier": carrier}
    for kind in VARIANTS:
        path = d / f"{kind}.mp3"
        path.write_bytes(_id3() + _playlist(kind, secret) + frames)
        out[kind] = path
    return out


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REELGRAPH_FETCH_ALLOWLIST", '["127.0.0.0/8"]')
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _pcm(args: list[str]) -> np.ndarray:
    res = ffmpeg_capture(
        ["-v", "error", *args, "-vn", "-ac", "1", "-ar", str(RATE), "-f", "s16le", "pipe:1"]
    )
    return np.frombuffer(res.stdout, dtype="<i2").astype(np.float64)


def _share(samples: np.ndarray, hz: float) -> float:
    """Fraction of the signal's energy within 40 Hz of ``hz``."""
    if len(samples) < RATE // 10:
        return 0.0
    power = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    return float(power[np.abs(freqs - hz) < 40].sum() / max(power.sum(), 1e-12))


@pytest.mark.parametrize("kind", EXPLOITABLE)
def test_fixture_is_a_working_exploit_for_unguarded_ffmpeg(polyglots, kind) -> None:
    """Without a forced demuxer this FFmpeg plays the secret: the fixture is a real exploit."""
    pcm = _pcm(["-protocol_whitelist", "file,pipe", "-i", str(polyglots[kind])])
    assert _share(pcm, SECRET_HZ) > 0.5


@pytest.mark.parametrize("kind", VARIANTS)
def test_probe_refuses_the_polyglot(polyglots, kind, caplog) -> None:
    from reelgraph.workers.engine.probe import probe

    caplog.set_level("INFO")
    with pytest.raises((UnsupportedMedia, CorruptMedia)) as err:
        probe(polyglots[kind])
    msg = str(err.value)
    assert polyglots[kind].name in msg and msg.endswith(".") and "\n" not in msg
    assert str(polyglots["secret"].parent) not in msg
    if kind in EXPLOITABLE:  # refused by the system FFmpeg's own probe, whose log is kept
        assert "[hls @" in caplog.text
    assert f"Opening '{polyglots['secret']}'" not in caplog.text


@pytest.mark.parametrize("kind", VARIANTS)
def test_upload_of_the_polyglot_is_refused_and_not_stored(polyglots, home, kind) -> None:
    from reelgraph.app.api.assets import finalize

    data = polyglots[kind].read_bytes()
    uploads = get_settings().uploads_dir
    uploads.mkdir(parents=True)
    tmp = uploads / ".upload-test.partial"
    tmp.write_bytes(data)
    with pytest.raises(UnsupportedMedia) as err:
        finalize(tmp, data[:64], hashlib.sha256(data).hexdigest(), len(data))
    assert err.value.code == "unsupported_media" and str(err.value).endswith(".")
    assert not [p for p in uploads.iterdir() if p.name.startswith("asset_")]


class _Serve(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = self.files.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


@pytest.fixture(scope="module")
def server(polyglots) -> Iterator[str]:
    _Serve.files = {f"/{k}.mp3": polyglots[k].read_bytes() for k in VARIANTS}
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Serve)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize("kind", VARIANTS)
def test_polyglot_fetched_by_url_is_refused_before_any_decode(
    polyglots, home, server, kind
) -> None:
    """The caption flow's URL path: guarded fetch, then the worker's audio extraction."""
    from reelgraph.nodes.analyze import resolve_source
    from reelgraph.workers.engine.audio import extract_audio

    path, origin = resolve_source(f"{server}/{kind}.mp3")
    assert origin == "url" and path.read_bytes() == polyglots[kind].read_bytes()
    with pytest.raises((UnsupportedMedia, CorruptMedia)) as err:
        extract_audio(path)
    assert err.value.code in ("unsupported_media", "corrupt_media")
    assert not list(get_settings().cache_dir.rglob("*.wav"))


@pytest.mark.parametrize("kind", VARIANTS)
def test_production_input_args_never_read_the_secret(polyglots, kind) -> None:
    """Even unvalidated, the decode's input options read the file strictly as MP3."""
    from reelgraph.workers.engine.ffmpeg import input_args

    pcm = _pcm(input_args(str(polyglots[kind]), "mp3"))
    assert _share(pcm, CARRIER_HZ) > 0.5
    assert _share(pcm, SECRET_HZ) < 0.01


def test_forbidden_demuxer_cannot_be_forced(polyglots) -> None:
    from reelgraph.workers.engine.ffmpeg import input_args

    res = ffmpeg_capture(
        ["-v", "error", *input_args(str(polyglots["hls"]), "hls"), "-f", "null", "-"]
    )
    assert res.returncode != 0
    assert b"not on whitelist" in res.stderr


def test_whitelist_names_exist_in_this_ffmpeg_and_exclude_playlists() -> None:
    from reelgraph.workers.engine.ffmpeg import FORMAT_WHITELIST

    listing = ffmpeg_capture(["-demuxers"]).stdout.decode("utf-8", "replace")
    known = {
        part
        for line in listing.splitlines()[4:]
        if line.strip()
        for part in line.split()[1].split(",")
    }
    names = FORMAT_WHITELIST.split(",")
    assert names and set(names) <= known
    forbidden = {
        "hls",
        "applehttp",
        "concat",
        "dash",
        "imf",
        "webm_dash_manifest",
        "lavfi",
        "sdp",
        "rtsp",
        "rtp",
        "image2pipe",
        "tee",
        "ffmetadata",
        "data",
    }
    assert not forbidden & set(names)


def test_genuine_mp3_still_decodes(polyglots, home) -> None:
    """The fix refuses the polyglot, not MP3s: the carrier alone extracts to its own tone."""
    from reelgraph.workers.engine.audio import extract_audio

    wav = extract_audio(polyglots["carrier"])
    pcm = _pcm(["-i", wav])
    assert _share(pcm, CARRIER_HZ) > 0.5
