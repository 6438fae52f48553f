"""edit_plan's agent through the real langchain-openai client over real HTTP: a local stand-in
for an OpenAI-compatible server plans the video, then answers a follow-up with edit tool calls;
the edits are validated, applied and rendered, re-narrating only the scene whose text changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import StandInChatServer

pytestmark = pytest.mark.integration

PLAN = {
    "title": "Octopus facts",
    "scenes": [
        {
            "narration": "Octopuses have three hearts.",
            "visual": "an octopus",
            "keywords": ["octopus"],
            "emphasis": ["three"],
            "pacing": "normal",
        },
        {
            "narration": "Their blood is blue.",
            "visual": "blue blood",
            "keywords": ["blood"],
            "emphasis": ["blue"],
            "pacing": "normal",
        },
    ],
    "mood": "calm",
    "hashtags": ["octopus"],
}
SCRIPT = [
    {
        "tool_calls": [
            ("set_options", {"caption_color": "yellow"}),
            ("set_scene_text", {"scene": 2, "text": "Their blood is bright blue."}),
            ("remove_scene", {"scene": 5}),  # refused: the agent is told why
        ]
    },
    {"content": "Yellow captions, and scene 2 now says the blood is bright blue."},
]


@pytest.fixture
def chat(settings_env) -> Any:
    with StandInChatServer(PLAN, lambda _code, text: text, SCRIPT) as server:
        settings_env(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-test")
        yield server


def test_the_agent_edits_the_plan_with_tools_over_http(tmp_path: Path, chat: Any) -> None:
    from reelgraph.graph.checkpoint import get_checkpointer
    from reelgraph.graph.threads import run_turn

    options = {
        "width": 180,
        "height": 320,
        "fps": 15,
        "quality": "draft",
        "music": "none",
        "llm_model": "standin",
    }
    with get_checkpointer() as cp:
        first = run_turn(
            "llm-1",
            "Octopus facts",
            turn_id="t1",
            out_dir=tmp_path / "1",
            checkpointer=cp,
            options=options,
        )
        second = run_turn(
            "llm-1",
            "punch it up a bit",
            turn_id="t2",
            out_dir=tmp_path / "2",
            checkpointer=cp,
            options=options,
        )
    assert first["version"] == 1 and second["version"] == 2
    assert second["reply"].endswith("scene 2 now says the blood is bright blue.")
    assert second["changed"] == [
        "caption colour yellow",
        "scene 2 now says “Their blood is bright blue.”",
    ]
    report = second["report"]
    assert report["cache"]["narration"] == "1/2 scenes cached"
    spec = json.loads(Path(second["artifacts"]["spec.json"]).read_text())
    assert spec["captions"]["color"] == "yellow"
    edit_requests = [
        b for b in chat.seen if b.get("tools") and b["tools"][0]["function"]["name"] != "Plan"
    ]
    assert len(edit_requests) == 2
    names = {t["function"]["name"] for t in edit_requests[0]["tools"]}
    assert {"set_options", "set_scene_text", "remove_scene", "undo"} <= names
    tool_results = [m["content"] for m in edit_requests[1]["messages"] if m["role"] == "tool"]
    assert tool_results[0] == "done: caption colour yellow"
    assert tool_results[2].startswith("refused: There is no scene 5")
