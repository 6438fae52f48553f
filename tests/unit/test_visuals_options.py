"""The visuals and library options, the pick_visuals node, the report and credits.txt."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from reelgraph.app.api.options import OPTIONS
from reelgraph.errors import InvalidInput
from reelgraph.graph.context import Context
from reelgraph.nodes.credits import credits_file, report_visuals
from reelgraph.nodes.visuals import pick_visuals, scene_asks


def test_library_must_be_a_readable_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        Context.from_options({"library": str(tmp_path / "missing")}, flags=True)
    assert Context.from_options({"library": str(tmp_path), "visuals": "library"}).library


def test_visuals_library_needs_a_folder_and_modes_are_checked(
    settings_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REELGRAPH_LIBRARY_DIR", raising=False)
    settings_env()
    with pytest.raises(InvalidInput, match="needs a library folder"):
        Context.from_options({"visuals": "library"})
    with pytest.raises(InvalidInput, match="unknown; use one of"):
        Context.from_options({"visuals": "flickr"})
    assert Context.from_options({"visuals": "cards"}).visuals == "cards"


def test_the_api_takes_visuals_but_no_library_path() -> None:
    fields = OPTIONS["create"].model_fields
    assert "visuals" in fields and "library" not in fields


def test_scene_asks_use_the_plan_query_else_one_from_the_narration() -> None:
    plan = {
        "scenes": [
            {"narration": "Foxes hunt mice in deep snow.", "query": "red fox snow"},
            {"narration": "The Danube flows through Vienna.", "pacing": "slow"},
        ]
    }
    asks = scene_asks(plan)
    assert asks[0]["query"] == "red fox snow" and asks[0]["motion"]
    assert "Danube" in asks[1]["query"] and not asks[1]["motion"]
    assert asks[0]["seconds"] > 0


def _runtime(**ctx: object) -> SimpleNamespace:
    return SimpleNamespace(context=Context.from_options(ctx))


def test_pick_visuals_node_matches_a_library_folder_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reelgraph.workers.engine.visuals import pick

    monkeypatch.setattr(pick, "text_share", lambda img: 0.0)  # OCR is tested on its own
    lib = tmp_path / "lib"
    lib.mkdir()
    Image.new("RGB", (90, 160), (255, 0, 0)).save(lib / "fox.png")
    Image.new("RGB", (90, 160), (0, 0, 255)).save(lib / "whale.png")
    plan = {
        "scenes": [
            {"narration": "A whale sings.", "query": "whale"},
            {"narration": "A fox hunts.", "query": "fox"},
            {"narration": "The sky is wide.", "query": "sky"},
        ]
    }
    out = pick_visuals({"plan": plan}, _runtime(library=str(lib), visuals="library"))
    got = [(v["source"], v.get("id")) for v in out["visuals"]]
    assert got == [("library", "whale.png"), ("library", "fox.png"), ("cards", "")]
    assert pick_visuals({"plan": plan, "images": ["x.png"]}, _runtime())["visuals"] == []


def test_report_and_credits_list_every_scene(tmp_path: Path) -> None:
    visuals = [
        {
            "scene": 0,
            "source": "pexels",
            "id": "123",
            "origin": "https://www.pexels.com/photo/123/",
            "license": "Pexels License",
            "license_url": "https://www.pexels.com/license/",
            "attribution": "pexels 123 by Ann (Pexels License), https://www.pexels.com/photo/123/",
            "path": "/srv/cache/x.jpg",
        },
        {"scene": 1, "source": "cards", "id": "", "origin": "card", "license": ""},
    ]
    report = report_visuals({"visuals": visuals})
    assert report[0] == {
        "scene": 0,
        "source": "pexels",
        "origin": "https://www.pexels.com/photo/123/",
        "license": "Pexels License",
        "attribution": visuals[0]["attribution"],
    }
    assert report[1]["source"] == "cards" and "card" in report[1]["attribution"]
    path = credits_file({"visuals": visuals, "plan": {"title": "Foxes"}}, tmp_path)["credits.txt"]
    text = Path(path).read_text()
    assert "Scene 1: pexels 123 by Ann" in text and "https://www.pexels.com/license/" in text
    assert "Scene 2: a card drawn by reelgraph" in text
    assert "/srv/cache" not in text
    assert credits_file({"visuals": []}, tmp_path) == {}


def test_the_run_cache_key_follows_the_library_files(tmp_path: Path) -> None:
    from reelgraph.app.commands.runcache import run_key

    lib = tmp_path / "lib"
    lib.mkdir()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(lib / "fox.png")
    inputs, options = {"prompt": "A fox."}, {"library": str(lib)}
    first = run_key("create", inputs, options)
    assert run_key("create", inputs, options) == first
    Image.new("RGB", (16, 16), (9, 9, 9)).save(lib / "owl.png")
    assert run_key("create", inputs, options) != first
