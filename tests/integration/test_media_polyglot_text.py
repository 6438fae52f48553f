"""Odd bytes in media text (tags, FFmpeg's log) and server paths in what users are shown."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from reelgraph.errors import CorruptMedia, MissingAsset, RenderFailed
from reelgraph.settings import get_settings
from reelgraph.workers.engine.ffmpeg import ffmpeg_binary, run_ffmpeg

pytestmark = pytest.mark.integration

BAD_UTF8 = b"bad \xff\xfe tag \xc3\x28"


@pytest.fixture(scope="module")
def bad_tags(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid MKV whose container and stream tags are not UTF-8 (FFmpeg writes them as is)."""
    out = tmp_path_factory.mktemp("tags") / "bad_tags.mkv"
    src = ["-f", "lavfi", "-i", "testsrc=s=64x48:r=10:d=1", "-f", "lavfi", "-i", "sine=d=1"]
    tags = ["-metadata", b"title=" + BAD_UTF8, "-metadata:s:a:0", b"handler_name=" + BAD_UTF8]
    argv = [ffmpeg_binary(), "-v", "error", "-y", *src, "-shortest", "-c:v", "mpeg4", *tags, out]
    subprocess.run(argv, check=True, timeout=60)
    assert BAD_UTF8 in out.read_bytes()
    return out


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_tags_that_are_not_utf8_neither_fail_probe_nor_decode(bad_tags, home) -> None:
    from reelgraph.workers.engine.audio import extract_audio
    from reelgraph.workers.engine.probe import probe

    info = probe(bad_tags)
    assert info.has_video and info.has_audio and info.demuxer == "matroska"
    assert Path(extract_audio(bad_tags)).stat().st_size > 16000


def test_a_unicode_error_inside_pyav_is_corrupt_media(bad_tags, monkeypatch) -> None:
    import av

    from reelgraph.workers.engine.probe import probe

    def undecodable(*args: object, **kwargs: object) -> None:
        raise UnicodeDecodeError("utf-8", BAD_UTF8, 4, 5, "invalid start byte")

    monkeypatch.setattr(av, "open", undecodable)
    with pytest.raises(CorruptMedia) as err:
        probe(bad_tags)
    assert err.value.code == "corrupt_media" and bad_tags.name in str(err.value)


def test_failed_run_with_undecodable_log_reports_its_last_line_without_paths(
    bad_tags, tmp_path
) -> None:
    """FFmpeg echoes the tags on stderr; the log reader must survive them to the error line."""
    from reelgraph.workers.engine.ffmpeg import input_args

    out = tmp_path / "deep" / "out.mp4"
    args = [*input_args(str(bad_tags), "matroska"), "-f", "no_such_muxer", "-y", str(out)]
    with pytest.raises(RenderFailed) as err:
        run_ffmpeg(args, what="Render")
    msg = str(err.value)
    assert "out.mp4" in msg or "no_such_muxer" in msg
    assert str(tmp_path) not in msg and str(bad_tags.parent) not in msg
    assert "\ufffd" in (err.value.detail or "")  # the tag line was read, bytes replaced


def test_missing_file_message_names_no_directory(tmp_path) -> None:
    from reelgraph.workers.engine.probe import probe

    with pytest.raises(MissingAsset) as err:
        probe(tmp_path / "nope.mp4")
    assert "nope.mp4" in str(err.value) and str(tmp_path) not in str(err.value)


def test_public_spec_names_files_but_no_server_directory(tmp_path) -> None:
    from reelgraph.workers.engine.render import public_spec

    root = tmp_path / "reelgraph-data"
    spec = {
        "duration": 2.0,
        "output": {"width": 1080, "height": 1920, "fps": 30},
        "visuals": [{"kind": "video", "path": f"{root}/uploads/asset_1.mp4", "duration": 2.0}],
        "overlays": [{"kind": "image", "path": f"{root}/in/logo.png", "start": 0, "end": 2}],
        "captions": {"words": [{"text": "hi", "start": 0.1, "end": 0.4}], "font": "anton"},
        "audio": {"narration": f"{root}/cache/n.wav", "music": {"path": f"{root}/m/mu.wav"}},
    }
    served = public_spec(spec)
    text = json.dumps(served)
    assert str(root) not in text and "/" not in text.replace("\\/", "")
    assert served["visuals"][0]["path"] == "asset_1.mp4"
    assert served["captions"]["words"][0]["text"] == "hi" and served["captions"]["font"] == "Anton"
    assert served["audio"]["music"]["path"] == "mu.wav"
    assert served["duration"] == 2.0 and served["output"]["fps"] == 30
