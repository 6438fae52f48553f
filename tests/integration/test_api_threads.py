"""The threads API over real HTTP (uvicorn) with a real worker process and the real graph:
two messages make two playable versions, the follow-up reuses the narration, the thread's SSE
stream carries message, stage and version events."""

from __future__ import annotations

import io
import json
import subprocess
import threading

import httpx
import pytest
from PIL import Image

from tests import conftest_redis as _fx
from tests.conftest_redis import wait_job_done

pytestmark = pytest.mark.integration

platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker
live_server = _fx.live_server

OPTIONS = {"width": 180, "height": 320, "fps": 15, "quality": "draft", "music": "none"}
SCRIPT = (
    "Octopuses are strange and clever animals that live in every ocean of the world. "
    "They have three hearts and their blood is blue because of copper."
)


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (90, 160), (20, 200, 40)).save(buf, format="PNG")
    return buf.getvalue()


def _path(url: str) -> str:
    """An artifact URL (on REELGRAPH_PUBLIC_BASE_URL) as a path on the live server."""
    return httpx.URL(url).path


def _collect_events(base: str, thread_id: str, out: list[dict], versions: int) -> None:
    with httpx.stream("GET", f"{base}/v1/threads/{thread_id}/events", timeout=60) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("data:"):
                out.append(json.loads(line[5:]))
                if sum(e["type"] == "version" for e in out) >= versions:
                    return


def test_two_messages_make_two_versions_over_http(live_server, start_worker, tmp_path) -> None:
    start_worker()
    api = httpx.Client(base_url=live_server, timeout=30)
    r = api.post("/v1/threads", json={"options": OPTIONS})
    assert r.status_code == 201, r.text
    thread_id = r.json()["id"]
    events: list[dict] = []
    reader = threading.Thread(
        target=_collect_events, args=(live_server, thread_id, events, 2), daemon=True
    )
    reader.start()
    picture = api.post("/v1/uploads", files={"file": ("p.png", _png(), "image/png")}).json()["id"]
    first = api.post(f"/v1/threads/{thread_id}/messages", json={"text": SCRIPT})
    assert first.status_code == 202, first.text
    second = api.post(  # queued at once: it runs after the first one
        f"/v1/threads/{thread_id}/messages",
        json={
            "text": "make the captions yellow and use this picture for scene 1",
            "attachments": [picture],
        },
    )
    assert second.status_code == 202, second.text
    for sent in (first, second):
        view = wait_job_done(api, sent.json()["job_id"], timeout=400)
        assert view["status"] == "succeeded", view
    reader.join(timeout=60)

    thread = api.get(f"/v1/threads/{thread_id}").json()
    assert [v["version"] for v in thread["versions"]] == [1, 2]
    assert thread["versions"][1]["changed"] == [
        "caption colour yellow",
        "scene 1 shows your picture",
    ]
    assert [m["role"] for m in thread["messages"]] == ["user", "user", "assistant", "assistant"]
    assert thread["messages"][3]["text"].endswith(thread["versions"][1]["video_url"])
    scenes = thread["plan"]["scenes"]
    assert len(scenes) >= 2 and scenes[0]["image"] == f"{picture}.png"  # a name, not a path
    for version in thread["versions"]:
        assert version["status"] == "succeeded"
        video = tmp_path / f"v{version['version']}.mp4"
        video.write_bytes(api.get(_path(version["video_url"])).content)
        probe = subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
                str(video),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert float(probe.stdout) > 0
    report = api.get(_path(thread["versions"][1]["report_url"])).json()
    assert "narrate_scenes" in report["reused"] and "render" in report["recomputed"]
    spec = api.get(_path(thread["versions"][1]["spec_url"])).json()
    assert spec["captions"]["color"] == "yellow" and spec["visuals"][0]["kind"] == "image"

    kinds = {e["type"] for e in events}
    assert {"message", "stage", "stage_done", "version"} <= kinds
    assert [e["version"] for e in events if e["type"] == "version"] == [1, 2]


def test_thread_requests_are_checked(live_server) -> None:
    api = httpx.Client(base_url=live_server, timeout=30)
    bad = api.post("/v1/threads", json={"options": {"caption_color": "not-a-colour"}})
    assert bad.status_code == 422 and "colour" in bad.json()["error"]["message"]
    thread_id = api.post("/v1/threads", json={}).json()["id"]
    empty = api.post(f"/v1/threads/{thread_id}/messages", json={"text": "   "})
    assert empty.status_code == 422
    path = api.post(
        f"/v1/threads/{thread_id}/messages", json={"text": "hi", "attachments": ["/etc/passwd"]}
    )
    assert path.status_code == 422
    assert api.get("/v1/threads/thr_doesnotexist").status_code == 404
