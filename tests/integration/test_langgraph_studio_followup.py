"""A follow-up message on the same thread in LangGraph Studio (`langgraph dev` over HTTP): the
plan in the thread's state means "edit", and only what changed is recomputed."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.integration.test_langgraph_studio import studio  # noqa: F401  (the server fixture)

pytestmark = pytest.mark.integration

CONTEXT = {"width": 180, "height": 320, "fps": 15, "music": "none", "quality": "draft"}


def _turn(base: str, thread_id: str, text: str) -> dict:
    r = httpx.post(
        f"{base}/threads/{thread_id}/runs/wait",
        json={
            "assistant_id": "create",
            "input": {"messages": [{"role": "user", "content": text}]},
            "context": CONTEXT,
        },
        timeout=240,
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert "__error__" not in out, out
    return out


def test_a_follow_up_on_the_same_studio_thread_edits_the_video(studio: str) -> None:
    thread_id = httpx.post(f"{studio}/threads", json={}).json()["thread_id"]
    first = _turn(studio, thread_id, "Octopuses have three hearts and blue blood.")
    assert "is ready" in first["messages"][-1]["content"]
    second = _turn(studio, thread_id, "make the captions yellow")
    reply = second["messages"][-1]["content"]
    assert reply.startswith("Version 2 is ready") and "caption colour yellow" in reply
    video = Path(second["artifacts"]["video.mp4"])
    assert video.is_file() and video.parent.name == "v2"  # the first version is kept
    assert Path(first["artifacts"]["video.mp4"]).is_file()
    report = json.loads(Path(second["artifacts"]["report.json"]).read_text())
    assert "narrate_scenes" in report["reused"] and "narrate_scenes" not in report["recomputed"]
    spec = json.loads(Path(second["artifacts"]["spec.json"]).read_text())
    assert spec["captions"]["color"] == "yellow"
    state = httpx.get(f"{studio}/threads/{thread_id}/state").json()["values"]
    assert [v["version"] for v in state["versions"]] == [1, 2]
