"""Every option is documented (README's flags, docs/api.md's options) and the web page offers
the models' choices."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reelgraph.app.api.options import OPTIONS
from reelgraph.app.cli import build_parser
from reelgraph.graph.context import CONTEXTS, Context
from reelgraph.workers.engine.caption_layout import SAFE_ZONE_CHOICES
from reelgraph.workers.engine.captions_look import BUNDLED_FAMILIES, CAPTION_STYLES, POSITIONS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", ["create", "caption", "analyze", "clips"])
def test_readme_documents_every_flag(command: str) -> None:
    readme = (ROOT / "README.md").read_text()
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]  # type: ignore[union-attr]
    flags = {s for a in sub._actions for s in a.option_strings if s.startswith("--")}
    quoted = set(re.findall(r"`[^`\n]*?(--[a-z][a-z-]*)", readme))  # `--flag ...`, `-o, --output`
    missing = sorted(flags - {"--help"} - quoted)
    assert missing == [], f"README.md lacks {command} flags {missing}"


def test_api_docs_document_every_option_and_alias() -> None:
    doc = (ROOT / "docs" / "api.md").read_text()
    for kind, model in OPTIONS.items():
        flow = CONTEXTS[kind]
        for name in model.model_fields:
            assert f"`{name}`" in doc, f"docs/api.md lacks the {kind} option {name}"
            for alias in flow.aliases(name, "api") if name in flow.model_fields else []:
                assert f"`{alias}`" in doc, f"docs/api.md lacks the alias {alias} of {name}"


def _options(html: str, element_id: str) -> list[str]:
    block = re.search(rf'<select id="{element_id}"[^>]*>(.*?)</select>', html, re.S)
    assert block, element_id
    return [v for v in re.findall(r'<option value="([^"]*)"', block.group(1)) if v]


def test_web_page_offers_the_models_choices() -> None:
    html = (ROOT / "app" / "web" / "index.html").read_text()
    for suffix in ("", "-edit"):
        assert _options(html, f"caption-style{suffix}") == list(CAPTION_STYLES)
        assert _options(html, f"caption-font{suffix}") == list(BUNDLED_FAMILIES)
        assert _options(html, f"caption-position{suffix}") == list(POSITIONS)
        # "" is auto, the default
        assert _options(html, f"safe-zone{suffix}") == [z for z in SAFE_ZONE_CHOICES if z != "auto"]
    assert _options(html, "aspect") == list(
        Context.model_json_schema()["properties"]["aspect"]["enum"]
    )
    looks = set(re.findall(r'data-look="([a-z_]+)"', html))
    look_fields = {f for f in Context.model_fields if f.startswith(("caption_", "highlight_"))}
    look_fields |= {"safe_zone", "emoji"}
    assert looks == look_fields - {"caption_style"}  # the style has its own select
    size = re.search(r'id="caption-size"[^>]*min="(\d+)" max="(\d+)"', html)
    bounds = Context.model_json_schema()["properties"]["caption_size"]["anyOf"][0]
    assert size and (int(size[1]), int(size[2])) == (bounds["minimum"], bounds["maximum"])
