"""Bad media gets a clear error code and one sentence: never a hang, a traceback or a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelgraph.errors import ReelgraphError
from tests.fixtures_video import bad_src, bomb_png, talk_src, video_dir  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

CASES = [
    ("truncated", "corrupt_media"),
    ("empty", "corrupt_media"),
    ("no_audio", "unsupported_media"),
    ("not_media", "unsupported_media"),
]


@pytest.mark.parametrize(("name", "code"), CASES)
def test_caption_bad_media_error_codes(
    bad_src: dict[str, Path],
    name: str,
    code: str,
    tmp_path: Path,
) -> None:
    from reelgraph.graph.caption import run_caption

    with pytest.raises(ReelgraphError) as err:
        run_caption({"source": str(bad_src[name])}, {}, out_dir=tmp_path)
    assert err.value.code == code
    assert err.value.message.endswith(".") and "\n" not in err.value.message
    assert not (tmp_path / "video.mp4").exists()


def test_analyze_truncated_and_missing(bad_src: dict[str, Path], tmp_path: Path) -> None:
    from reelgraph.graph.analyze import run_analyze

    with pytest.raises(ReelgraphError) as err:
        run_analyze({"source": str(bad_src["truncated"])}, {}, out_dir=tmp_path)
    assert err.value.code == "corrupt_media"
    with pytest.raises(ReelgraphError) as err:
        run_analyze({"source": str(tmp_path / "nope.mp4")}, {}, out_dir=tmp_path)
    assert err.value.code == "missing_asset"


@pytest.mark.parametrize("name", ["truncated", "no_audio"])
def test_cli_caption_prints_one_sentence_and_writes_nothing(
    bad_src: dict[str, Path],
    name: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from reelgraph.app.cli import main

    out = tmp_path / "out.mp4"
    rc = main(["caption", str(bad_src[name]), "-o", str(out), "-q"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and lines[0].endswith(".")
    assert list(tmp_path.iterdir()) == []


def test_cli_caption_refuses_a_bomb_logo(
    talk_src: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from reelgraph.app.cli import main

    logo = bomb_png(tmp_path / "logo.png")
    out = tmp_path / "out.mp4"
    rc = main(
        ["caption", str(talk_src), "-o", str(out), "--logo", str(logo), "-q", "--size", "180x320"]
    )
    err = capsys.readouterr().err
    assert rc == 1 and "logo" in err and "Traceback" not in err
    assert not out.exists()
