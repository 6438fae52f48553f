"""Review inside a conversation, over real HTTP with a real worker: a thread made with
``review: true`` stops its first turn at ``awaiting_review`` with a storyboard and a preview,
the thread asks for an answer, and the next message ("looks good") approves that turn's review
instead of starting a new turn; the approved turn renders version 1."""

from __future__ import annotations

import httpx
import pytest

from tests import conftest_redis as _fx
from tests.conftest import ffprobe_json
from tests.conftest_redis import wait_for, wait_job_done

pytestmark = pytest.mark.integration

platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker
live_server = _fx.live_server

OPTIONS = {
    "width": 180,
    "height": 320,
    "fps": 15,
    "quality": "draft",
    "music": "none",
    "review": True,
}
SCRIPT = "Octopuses have three hearts. Their blood is blue."


def _awaiting(api: httpx.Client, job_id: str) -> dict | None:
    view = api.get(f"/v1/jobs/{job_id}").json()
    assert view["status"] not in ("failed", "canceled"), view
    return view if view["status"] == "awaiting_review" else None


def test_looks_good_approves_the_review_of_a_thread(live_server, start_worker, tmp_path) -> None:
    start_worker()
    api = httpx.Client(base_url=live_server, timeout=30)
    thread_id = api.post("/v1/threads", json={"options": OPTIONS}).json()["id"]
    first = api.post(f"/v1/threads/{thread_id}/messages", json={"text": SCRIPT}).json()
    view = wait_for(lambda: _awaiting(api, first["job_id"]), timeout=300, interval=0.5)
    review = view["review"]
    assert review["storyboard"] and all(s["narration"] for s in review["storyboard"])
    preview = api.get(httpx.URL(review["preview_url"]).path)
    assert preview.status_code == 200
    (tmp_path / "preview.mp4").write_bytes(preview.content)
    stream = ffprobe_json(tmp_path / "preview.mp4")["streams"][0]
    assert max(int(stream["width"]), int(stream["height"])) <= 640
    thread = api.get(f"/v1/threads/{thread_id}").json()
    assert thread["messages"][-1]["role"] == "assistant"
    assert "review" in thread["messages"][-1]["text"] and thread["versions"] == []

    answer = api.post(f"/v1/threads/{thread_id}/messages", json={"text": "looks good"})
    assert answer.status_code == 202, answer.text
    assert answer.json()["job_id"] == first["job_id"]  # the review's job goes on
    done = wait_job_done(api, first["job_id"], timeout=300)
    assert done["status"] == "succeeded", done
    thread = api.get(f"/v1/threads/{thread_id}").json()
    assert [v["version"] for v in thread["versions"]] == [1]
    video = api.get(httpx.URL(thread["versions"][0]["video_url"]).path)
    (tmp_path / "v1.mp4").write_bytes(video.content)
    assert float(ffprobe_json(tmp_path / "v1.mp4")["format"]["duration"]) > 0
    roles = [m["role"] for m in thread["messages"]]
    assert roles == ["user", "assistant", "user", "assistant"], thread["messages"]
