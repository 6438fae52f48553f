"""A data dir and inputs whose names hold filter-graph metacharacters render with real FFmpeg.

The one escaper (``workers.compile.escape_filter_value``) is what production uses: this runs a
whole ``reelgraph create`` (image input, narration, captions burned in with libass from the data
dir) with ``' : , [ ] % ; \\``, spaces and non-ASCII letters in every path.
"""

from __future__ import annotations

import json
from pathlib import Path

import av
import pytest
from PIL import Image

pytestmark = pytest.mark.integration

ODD = "d'a:t,a [x]; 50% \\ Zürich ünï"


def test_create_with_metacharacters_in_every_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reelgraph.app.cli import main
    from reelgraph.settings import get_settings

    home = tmp_path / ODD / "home"
    folder = tmp_path / ODD / "in"
    folder.mkdir(parents=True)
    image = folder / f"pic {ODD}.png"
    Image.new("RGB", (320, 568), (200, 60, 30)).save(image)
    monkeypatch.setenv("REELGRAPH_HOME", str(home))
    get_settings.cache_clear()
    out = folder / f"out {ODD}.mp4"
    try:
        rc = main(
            [
                "create",
                "-q",
                "--transcript",
                "Odd paths render fine.",
                "--images",
                str(image),
                "--size",
                "320x568",
                "--music",
                "none",
                "-o",
                str(out),
            ]
        )
    finally:
        get_settings.cache_clear()
    assert rc == 0
    with av.open(str(out)) as c:
        assert c.streams.video[0].width == 320 and c.streams.audio and c.duration
    spec = json.loads(out.with_name(out.stem + ".spec.json").read_text())
    assert spec["captions"]["words"], "captions were burned from the odd data dir"
    assert out.with_name(out.stem + ".ass").stat().st_size > 0
