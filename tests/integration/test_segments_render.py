"""Segmented rendering (embedded mode) against the single pass, with real FFmpeg.

A 7 s spec of three stills (Ken Burns moves, crossfades, karaoke captions, narration) and a
caption-flow spec (one source video with cuts, zoom, a face track, a logo, captions) are rendered
in one pass and in 2.5 s segments: the same frame count, frames at every seam within a small PSNR
of the single pass, sound and picture the same length within a frame; re-rendering is all cache
hits, and changing one scene's picture renders only the segments that show that scene.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.segment_media import FPS, frames_gray, psnr, stills_spec, stream_seconds, video_spec

pytestmark = pytest.mark.integration

SEGMENT_S = 2.5
#: Frames at a seam match the single pass at least this well (both are lossy encodes of the
#: same frames; a frame off by one in a move or a caption measures 22-33 dB here).
SEAM_PSNR_DB = 35.0


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from reelgraph.settings import get_settings

    path = tmp_path_factory.mktemp("seghome")
    old = os.environ.get("REELGRAPH_HOME")
    os.environ["REELGRAPH_HOME"] = str(path)
    get_settings.cache_clear()
    yield path
    if old is None:
        os.environ.pop("REELGRAPH_HOME", None)
    else:
        os.environ["REELGRAPH_HOME"] = old
    get_settings.cache_clear()


def _both(spec: dict[str, Any], folder: Path) -> tuple[Path, Path, dict[str, Any]]:
    from reelgraph.workers.engine.render import render_spec
    from reelgraph.workers.jobs.segments import render_segmented

    single, seg = folder / "single.mp4", folder / "segmented.mp4"
    render_spec(spec, str(single))
    result = render_segmented(spec, str(seg), SEGMENT_S)
    return single, seg, result


def _check_against_single(single: Path, seg: Path, result: dict[str, Any], total: int) -> None:
    rows = result["segments"]
    assert len(rows) >= 3 and all(r["cache"] == "miss" for r in rows)
    a, b = frames_gray(single), frames_gray(seg)
    assert len(a) == len(b) == total
    seams = [round(r["start"] * FPS) for r in rows[1:]]
    for f in seams:
        for k in (f - 2, f - 1, f, f + 1):
            assert psnr(a[k], b[k]) >= SEAM_PSNR_DB, (f, k, psnr(a[k], b[k]))
    worst = min(psnr(a[k], b[k]) for k in range(total))
    assert worst >= SEAM_PSNR_DB - 3, worst
    lengths = stream_seconds(seg)
    assert abs(lengths["video"] - lengths["audio"]) <= 1 / FPS, lengths
    assert abs(lengths["video"] - total / FPS) <= 1 / FPS, lengths


@pytest.fixture(scope="module")
def stills(home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("stills")
    spec = stills_spec(folder)
    spec["output"]["quality"] = "high"
    single, seg, result = _both(spec, folder)
    return {"spec": spec, "single": single, "seg": seg, "result": result, "folder": folder}


def test_stills_segments_match_the_single_pass(stills: dict[str, Any]) -> None:
    result = stills["result"]
    assert [(r["start"], r["end"]) for r in result["segments"]] == [
        (0.0, 2.0),
        (2.0, 4.0),
        (4.0, 5.5),
        (5.5, 7.0),
    ]
    row = result["segments"][0]
    assert set(row) == {"index", "start", "end", "worker", "seconds", "cache"}
    assert row["worker"].startswith("inline@") and row["seconds"] > 0
    _check_against_single(stills["single"], stills["seg"], result, 210)


def test_caption_flow_segments_match_the_single_pass(
    home: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("talk")
    spec = video_spec(folder)
    spec["output"]["quality"] = "high"
    single, seg, result = _both(spec, folder)
    _check_against_single(single, seg, result, 213)


def test_rerender_is_all_hits_and_one_scene_edit_renders_its_segments(
    stills: dict[str, Any],
) -> None:
    from reelgraph.workers.engine.segments import plan_segments, still_pieces
    from reelgraph.workers.engine.spec import RenderSpec
    from reelgraph.workers.jobs.segments import render_segmented
    from tests.segment_media import still

    folder, spec = stills["folder"], stills["spec"]
    again = render_segmented(spec, str(folder / "again.mp4"), SEGMENT_S)
    assert [r["cache"] for r in again["segments"]] == ["hit"] * 4
    assert again["cache_hit"] and again["key"] == stills["result"]["key"]
    assert (folder / "again.mp4").read_bytes() == stills["seg"].read_bytes()

    edited = {**spec, "visuals": [dict(v) for v in spec["visuals"]]}
    edited["visuals"][1]["path"] = still(folder / "scene1-new.png", "pal100bars")
    rs = RenderSpec.model_validate(edited)
    shows = {  # frames where scene 1 is on screen: its own pieces and the fade out of it
        f
        for p in still_pieces(rs)
        if p.visual == 1 or (p.kind == "x" and p.visual == 2)
        for f in range(p.start, p.start + p.count)
    }
    want = [
        "miss" if any(s.start <= f < s.end for f in shows) else "hit"
        for s in plan_segments(rs, SEGMENT_S)
    ]
    assert want == ["hit", "miss", "miss", "hit"]
    result = render_segmented(edited, str(folder / "edited.mp4"), SEGMENT_S)
    assert [r["cache"] for r in result["segments"]] == want
    assert len(frames_gray(folder / "edited.mp4")) == 210
