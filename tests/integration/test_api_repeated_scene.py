"""A create job whose script repeats a sentence, through the real API, Redis and workers.

Identical narration calls share one media job id; the job must still finish (it used to wait
for about two hours because the wait loop counted results by id).
"""

from __future__ import annotations

import av
import pytest

from tests import conftest_redis as _fx
from tests.conftest_redis import wait_job_done

pytestmark = pytest.mark.integration

api = _fx.api
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker


def test_create_job_with_a_repeated_scene_finishes(api, start_worker, platform) -> None:
    start_worker()
    line = "Drink a glass of water now and every hour of the day."
    other = "Walk outside for ten minutes after lunch to clear your head."
    body = {
        "kind": "create",
        "input": {"prompt": "hydration", "transcript": f"{line} {other} {line}"},
        "options": {"width": 320, "height": 568, "music": "none", "quality": "draft"},
    }
    r = api.post("/v1/jobs", json=body)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]

    view = wait_job_done(api, job_id)
    assert view["status"] == "succeeded", view
    video = api.get(f"/v1/jobs/{job_id}/artifacts/video.mp4")
    assert video.status_code == 200
    srt = api.get(f"/v1/jobs/{job_id}/artifacts/captions.srt").text
    assert srt.lower().count("water") == 2, srt
    path = platform["REELGRAPH_HOME"] + f"/storage/{job_id}/video.mp4"
    with av.open(path) as c:
        assert c.streams.video and c.streams.audio and c.duration
