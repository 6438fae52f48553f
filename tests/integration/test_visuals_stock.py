"""Stock providers through the picker: a create render showing Pexels items (checked by
pixels), credits, and the fall back to the next provider on 401, 429 and 5xx (stand-in server:
tests/stock_servers)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reelgraph.app.cli import main
from reelgraph.workers.engine.visuals.pick import pick_all
from tests import stock_servers as _stock
from tests.conftest import frame_at
from tests.stock_servers import COLOURS, StockServer

pytestmark = pytest.mark.integration

SCRIPT = (
    "The red sunset over the quiet sea glowed for a long time that evening. "
    "Later the green fern leaves in the garden shone in the light of the moon."
)


media = _stock.media
srv = _stock.srv


def test_create_shows_pexels_items_ranked_by_text_and_credits_them(
    srv: StockServer, tmp_path: Path
) -> None:
    out = tmp_path / "stock.mp4"
    argv = ["create", "--transcript", SCRIPT, "--visuals", "pexels", "--size", "180x320"]
    assert main([*argv, "--quality", "draft", "--music", "none", "-q", "-o", str(out)]) == 0
    report = json.loads(out.with_name("stock.report.json").read_text())
    spec = json.loads(out.with_name("stock.spec.json").read_text())
    visuals = report["visuals"]
    assert [v["source"] for v in visuals] == ["pexels", "pexels"]
    assert visuals[0]["origin"] == "https://www.pexels.com/photo/red-sunset-over-the-sea-1001/"
    assert visuals[1]["origin"] != visuals[0]["origin"]  # never the same item twice
    first = spec["visuals"][0]
    px = frame_at(out, first["duration"] / 2)[40, 25].astype(int)
    assert np.abs(px - COLOURS["red.jpg"]).max() < 40, px
    credits = out.with_name("stock.credits.txt").read_text()
    assert "Ada Lens" in credits and "Pexels License" in credits
    assert "pexels-test-key" not in credits + json.dumps(report)


@pytest.mark.parametrize("statuses", [(401,), (429,) * 4, (503,) * 4], ids=["401", "429", "5xx"])
def test_a_failing_provider_is_skipped_for_the_next(
    srv: StockServer, statuses: tuple[int, ...]
) -> None:
    srv.fail("pexels-photos", *statuses)
    scenes = [
        {"index": 0, "query": "sunset sea", "seconds": 3.0, "motion": False},
        {"index": 1, "query": "door", "seconds": 3.0, "motion": False},
    ]
    out = pick_all(scenes, mode="auto", library=None, width=180, height=320)
    sources = [v["source"] for v in out["visuals"]]
    assert "pexels" not in sources and sources[0] == "pixabay"
    # the first try and its 3 retries (none after a 401), then not asked for the second scene
    assert srv.hits["pexels-photos"] == len(statuses)
    assert any("pexels" in w.lower() for w in out["warnings"])
    assert all(v["license"] for v in out["visuals"])
