"""The committed JSON Schema of the RenderSpec is the one the model generates, and it validates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reelgraph.workers.engine.spec import SCHEMA_PATH, SPEC_VERSION, RenderSpec, json_schema

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = f"{sys.executable} -m reelgraph.workers.engine.spec --schema {SCHEMA_PATH}"


def test_committed_schema_is_current() -> None:
    committed = (ROOT / SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == json_schema(), (
        f"{SCHEMA_PATH} is stale: the RenderSpec model changed. Regenerate it with\n"
        f"    {REGENERATE}\nand commit the result."
    )


def test_schema_entry_point_prints_the_schema(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    cmd = [sys.executable, "-m", "reelgraph.workers.engine.spec", "--schema", str(out)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    assert out.read_text(encoding="utf-8") == json_schema()
    printed = subprocess.run(cmd[:-1], check=True, capture_output=True, text=True, timeout=60)
    assert json.loads(printed.stdout)["title"] == "RenderSpec"


def test_schema_describes_the_caption_look() -> None:
    schema = json.loads(json_schema())
    caps = schema["$defs"]["Captions"]["properties"]
    assert {"words", "style", "font", "size", "color", "highlight_color", "position"} <= set(caps)
    assert "ass_path" not in caps and "fonts_dir" not in caps
    font = next(s for s in caps["font"]["anyOf"] if s.get("enum"))
    assert font["enum"] == ["Anton", "Bebas Neue", "Montserrat"]
    assert schema["properties"]["version"]["default"] == SPEC_VERSION == 2
    assert caps["size"]["description"]  # the field docstrings become descriptions


def test_a_served_example_spec_validates_against_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema comes with the dev extras")
    spec = RenderSpec.model_validate(
        {
            "duration": 2.0,
            "visuals": [{"kind": "card", "path": "cache/c.png", "duration": 2.0}],
            "captions": {
                "words": [{"text": "hi", "start": 0.1, "end": 0.5, "emphasis": True}],
                "style": "pop",
                "color": "yellow",
                "highlight_color": "#FF0000",
                "font": "bebas neue",
                "position": "top",
            },
        }
    )
    jsonschema.validate(spec.model_dump(mode="json"), json.loads(json_schema()))
