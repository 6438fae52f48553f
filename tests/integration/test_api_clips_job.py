"""A clips job through the real API, Redis, a real worker process and the real clips graph."""

from __future__ import annotations

import json
from pathlib import Path

import av
import pytest

from tests import conftest_redis as _fx
from tests.conftest_redis import wait_job_done
from tests.fixtures_talk import long_talk, talk_dir  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.integration

api = _fx.api
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker


def test_clips_job_makes_vertical_clips_and_their_list(
    api, start_worker, platform, long_talk: Path
) -> None:
    # transcribing the long talk keeps both cores busy: the platform's 3 s death grace (made
    # for the kill tests) can lapse while the worker is starved, so this worker gets 30 s
    start_worker(extra_env={"REELGRAPH_WORKER_DEATH_GRACE_S": "30"})
    r = api.post("/v1/uploads", files={"file": ("talk.mp4", long_talk.read_bytes(), "video/mp4")})
    assert r.status_code == 201, r.text
    body = {
        "kind": "clips",
        "input": {"video": r.json()["id"]},
        "options": {
            "count": 2,
            "min_seconds": 6,
            "max_seconds": 16,
            "width": 180,
            "height": 320,
            "style": "pop",
            "quality": "draft",
        },
    }
    r = api.post("/v1/jobs", json=body)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]

    view = wait_job_done(api, job_id)
    assert view["status"] == "succeeded", view
    assert view["kind"] == "clips"
    names = {"clip-01.mp4", "clip-01.srt", "clip-02.mp4", "clip-02.srt", "clips.json"}
    assert names <= set(view["artifacts"])
    doc = api.get(f"/v1/jobs/{job_id}/artifacts/clips.json").json()
    assert [c["file"] for c in doc["clips"]] == ["clip-01.mp4", "clip-02.mp4"]
    result = api.get(f"/v1/jobs/{job_id}/result").json()
    assert result["report"]["clips"] == doc["clips"] and "clip-02.mp4" in result["artifacts"]
    for clip in doc["clips"]:
        data = api.get(f"/v1/jobs/{job_id}/artifacts/{clip['file']}").content
        path = Path(platform["REELGRAPH_HOME"]) / clip["file"]
        path.write_bytes(data)
        with av.open(str(path)) as c:
            stream = c.streams.video[0]
            assert (stream.width, stream.height) == (180, 320)
            seconds = float(c.duration or 0) / av.time_base
        assert seconds == pytest.approx(clip["end"] - clip["start"], abs=0.1)
        assert 6 <= clip["end"] - clip["start"] <= 16
    assert "-->" in api.get(f"/v1/jobs/{job_id}/artifacts/clip-01.srt").text
    kinds = []
    with api.stream("GET", f"/v1/jobs/{job_id}/events") as r:
        for line in r.iter_lines():
            if line.startswith("data:"):
                kinds.append(json.loads(line[5:].strip())["type"])
                if kinds[-1] == "end":
                    break
    assert kinds.count("clip") == kinds.count("clip_done") == 2  # progress per clip
