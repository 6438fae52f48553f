"""The graphs as LangGraph Studio runs them: `langgraph dev` (the Studio server) over real HTTP.

Studio sends chat messages as input and the per-run knobs as context, with no out_dir: the run
must still finish, answer in `messages`, and leave its artifacts under storage/studio/<thread>.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest_redis import REPO, free_port, kill_tree, wait_http
from tests.fixtures_video import BURNED_TEXT, talk_src, video_dir  # noqa: F401  (fixtures)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    cli = Path(sys.executable).with_name("langgraph")
    if not cli.exists() and shutil.which("langgraph") is None:
        pytest.skip("langgraph-cli[inmem] is not installed (pip install -e '.[dev]')")
    port = free_port()
    log = (tmp_path_factory.mktemp("studio") / "langgraph.log").open("wb")
    env = {**os.environ, "LANGSMITH_TRACING": "false", "LANGGRAPH_CLI_NO_ANALYTICS": "1"}
    proc = subprocess.Popen(
        [
            str(cli if cli.exists() else shutil.which("langgraph")),
            "dev",
            "--no-browser",
            "--no-reload",
            "--port",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/ok", proc, 90, "langgraph dev", Path(log.name))
    yield base
    kill_tree(proc.pid)
    proc.wait(timeout=10)


def _run(base: str, graph: str, body: dict) -> dict:
    r = httpx.post(f"{base}/runs/wait", json={"assistant_id": graph, **body}, timeout=240)
    assert r.status_code == 200, r.text
    out = r.json()
    assert "__error__" not in out, out
    return out


def test_studio_runs_the_create_graph_from_a_chat_message(studio: str) -> None:
    assert {a["graph_id"] for a in httpx.post(f"{studio}/assistants/search", json={}).json()} == {
        "create",
        "caption",
        "analyze",
        "clips",
    }
    out = _run(
        studio,
        "create",
        {
            "input": {"messages": [{"role": "user", "content": "Octopuses have three hearts."}]},
            "context": {
                "width": 320,
                "height": 568,
                "fps": 15,
                "music": "none",
                "quality": "draft",
            },
        },
    )
    assert out["messages"][-1]["type"] == "ai" and "is ready" in out["messages"][-1]["content"]
    video = Path(out["artifacts"]["video.mp4"])
    assert video.is_file() and video.parent.parent.name == "studio"
    import av

    with av.open(str(video)) as c:
        assert (c.streams.video[0].width, c.streams.video[0].height) == (320, 568)


def test_studio_runs_the_analyze_graph(studio: str, talk_src: Path) -> None:
    out = _run(
        studio, "analyze", {"input": {"source": str(talk_src)}, "context": {"every_n_frames": 60}}
    )
    assert out["analysis"]["transcript"]["words"]
    assert any(BURNED_TEXT.split()[0] in t["text"] for t in out["analysis"]["on_screen_text"])
    assert Path(out["artifacts"]["analysis.json"]).is_file()


def test_studio_runs_the_clips_graph(studio: str, talk_src: Path) -> None:
    context = {"min_seconds": 2, "max_seconds": 8, "width": 180, "height": 320}
    out = _run(studio, "clips", {"input": {"source": str(talk_src)}, "context": context})
    assert out["messages"][-1]["type"] == "ai" and "clip-01.mp4" in out["messages"][-1]["content"]
    clips = json.loads(Path(out["artifacts"]["clips.json"]).read_text())["clips"]
    assert len(clips) == 1 and Path(out["artifacts"]["clip-01.mp4"]).is_file()


def test_studio_review_interrupt_is_a_human_interrupt_resumed_with_accept(studio: str) -> None:
    """The review stop as Studio and Agent Chat UI see it: the thread is interrupted with a
    HumanInterrupt; {type: accept} (as those clients send it) renders the video."""
    context = {"width": 320, "height": 568, "fps": 15, "music": "none", "review": True}
    thread = httpx.post(f"{studio}/threads", json={}, timeout=30).json()["thread_id"]
    url = f"{studio}/threads/{thread}/runs/wait"
    message = {"role": "user", "content": "Octopuses have three hearts."}
    body = {"assistant_id": "create", "input": {"messages": [message]}, "context": context}
    stopped = httpx.post(url, json=body, timeout=240).json()
    assert "artifacts" not in stopped and stopped["review"]["status"] == "pending", stopped
    state = httpx.get(f"{studio}/threads/{thread}/state", timeout=30).json()
    assert state["next"] == ["review_plan"], state["next"]
    value = state["interrupts"][0]["value"]
    assert stopped["__interrupt__"][0]["value"] == value
    request = value[0]
    assert request["action_request"]["action"] == "review_plan"
    assert request["config"] == {
        "allow_accept": True,
        "allow_edit": True,
        "allow_respond": True,
        "allow_ignore": True,
    }
    assert request["action_request"]["args"]["plan"]["scenes"][0]["narration"].startswith("Octo")
    preview = Path(request["action_request"]["args"]["preview"])
    assert preview.is_file() and "Draft preview" in request["description"]
    resume = {"resume": [{"type": "accept", "args": None}]}
    done = httpx.post(
        url, json={"assistant_id": "create", "command": resume, "context": context}, timeout=240
    ).json()
    assert "__error__" not in done, done
    video = Path(done["artifacts"]["video.mp4"])
    assert video.is_file() and video.parent == preview.parent.parent
    assert done["review"]["status"] == "approved"
