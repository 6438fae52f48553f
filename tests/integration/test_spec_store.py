"""A spec names its media by their place in the shared media store, not by a host path.

A worker on another machine mounts the same store somewhere else: the spec made here renders
there, with nothing read from this machine's paths.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import av
import pytest

pytestmark = pytest.mark.integration


def test_a_spec_renders_from_the_store_mounted_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from reelgraph.app.cli import main
    from reelgraph.settings import get_settings

    here, there = tmp_path / "machine-a" / "home", tmp_path / "machine-b" / "mnt" / "store"
    out = tmp_path / "v.mp4"
    monkeypatch.setenv("REELGRAPH_HOME", str(here))
    get_settings.cache_clear()
    args = ["create", "-q", "--transcript", "A store, two machines.", "--size", "320x568"]
    assert main([*args, "--music", "none", "-o", str(out)]) == 0
    spec = json.loads(out.with_name("v.spec.json").read_text())
    refs = [spec["audio"]["narration"], *(v["path"] for v in spec["visuals"])]
    assert all(not r.startswith("/") and (here / r).is_file() for r in refs), refs

    there.parent.mkdir(parents=True)
    shutil.copytree(here, there)  # the same store, mounted at another path
    shutil.rmtree(here)
    monkeypatch.setenv("REELGRAPH_HOME", str(there))
    get_settings.cache_clear()
    try:
        rc = main(["render", str(out.with_name("v.spec.json")), "-o", str(tmp_path / "b.mp4")])
    finally:
        get_settings.cache_clear()
    assert rc == 0
    assert "from the render cache" in capsys.readouterr().out, "same content, same key"
    with av.open(str(tmp_path / "b.mp4")) as c:
        assert c.streams.video[0].width == 320 and c.duration
