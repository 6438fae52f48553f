"""Review before the full render, through the real API, Redis and a real worker process.

A create job with ``review: true`` stops at ``awaiting_review`` with a storyboard and a draft
preview (at most 640 px on the long side); approving renders the full video, an edited plan's
narration reaches the captions, a rejection ends the job without a render, and a job answered
once (or not awaiting review) answers 409.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import conftest_redis as _fx
from tests.conftest import ffprobe_json
from tests.conftest_redis import wait_for, wait_job_done

pytestmark = pytest.mark.integration

api = _fx.api
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker

#: Larger than a preview (the preview is 360x640), small enough to render fast.
OPTIONS = {"width": 720, "height": 1280, "fps": 15, "music": "none", "quality": "draft"}
SCRIPT = "Octopuses have three hearts. Their blood is blue."
FINAL = {"succeeded", "failed", "canceled", "rejected"}


def _submit(api: Any, **extra: Any) -> str:
    body = {
        "kind": "create",
        "input": {"prompt": SCRIPT},
        "options": {**OPTIONS, "review": True, **extra},
    }
    r = api.post("/v1/jobs", json=body)
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def _wait_review(api: Any, job_id: str) -> dict[str, Any]:
    def _check() -> dict[str, Any] | None:
        view: dict[str, Any] = api.get(f"/v1/jobs/{job_id}").json()
        assert view["status"] not in FINAL, view
        return view if view["status"] == "awaiting_review" else None

    result: dict[str, Any] = wait_for(_check, timeout=240, interval=0.3, what="the review")
    return result


def _local(url: str) -> str:
    return url[url.index("/v1/") :]


def _video_stream(path: Path) -> dict[str, Any]:
    info = ffprobe_json(path)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    return {**video, "duration": float(info["format"]["duration"])}


def test_review_stops_then_approve_renders_the_full_video(
    api: Any, start_worker: Any, tmp_path: Path
) -> None:
    start_worker()
    job_id = _submit(api)
    view = _wait_review(api, job_id)
    review = view["review"]
    assert review["status"] == "pending" and review["round"] == 1
    assert view["stage"] == "review_plan" and view["eta_s"] is None  # it waits on a person
    board = review["storyboard"]
    assert board and board[0]["scene"] == 1 and board[0]["narration"].startswith("Octopuses")
    assert all(item["duration"] > 0 for item in board)
    assert sum(item["duration"] for item in board) == pytest.approx(review["duration"], abs=0.05)
    thumb = api.get(_local(board[0]["thumbnail_url"]))
    assert thumb.status_code == 200 and thumb.content[:2] == b"\xff\xd8"  # a JPEG
    preview = api.get(_local(review["preview_url"]))
    assert preview.status_code == 200
    (tmp_path / "preview.mp4").write_bytes(preview.content)
    stream = _video_stream(tmp_path / "preview.mp4")
    assert max(stream["width"], stream["height"]) <= 640
    assert (stream["width"], stream["height"]) == (360, 640)
    assert stream["duration"] > 0
    assert review["plan"]["scenes"][0]["narration"] == board[0]["narration"]
    assert api.get(f"/v1/jobs/{job_id}/artifacts/video.mp4").status_code == 404

    r = api.post(f"/v1/jobs/{job_id}/review", json={"action": "approve"})
    assert r.status_code == 202, r.text
    again = api.post(f"/v1/jobs/{job_id}/review", json={"action": "approve"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_awaiting_review"
    done = wait_job_done(api, job_id)
    assert done["status"] == "succeeded", done
    assert "preview_plan" in done["timings"] and "render" in done["timings"]
    full = api.get(f"/v1/jobs/{job_id}/artifacts/video.mp4")
    assert full.status_code == 200
    (tmp_path / "video.mp4").write_bytes(full.content)
    final = _video_stream(tmp_path / "video.mp4")
    assert (final["width"], final["height"]) == (720, 1280)
    assert final["duration"] == pytest.approx(stream["duration"], abs=0.2)


def test_edited_plan_is_rendered_and_reject_renders_nothing(api: Any, start_worker: Any) -> None:
    start_worker()
    edited_id, rejected_id = _submit(api), _submit(api)
    plan = _wait_review(api, edited_id)["review"]["plan"]
    bad = {**plan, "scenes": []}
    r = api.post(f"/v1/jobs/{edited_id}/review", json={"action": "edit", "plan": bad})
    assert r.status_code == 422 and "scenes" in r.json()["error"]["message"]
    r = api.post(f"/v1/jobs/{edited_id}/review", json={"action": "edit"})
    assert r.status_code == 422
    plan["scenes"][0]["narration"] = "Squids glow in the deep dark sea."
    r = api.post(f"/v1/jobs/{edited_id}/review", json={"action": "edit", "plan": plan})
    assert r.status_code == 202, r.text

    _wait_review(api, rejected_id)
    ask = {"action": "edit", "message": "Each arm can taste."}
    assert api.post(f"/v1/jobs/{rejected_id}/review", json=ask).status_code == 202
    wait_for(lambda: api.get(f"/v1/jobs/{rejected_id}").json()["status"] != "awaiting_review")
    second = _wait_review(api, rejected_id)["review"]  # planned again with the message, asked again
    assert second["round"] == 2 and second["preview_url"].endswith("?round=2")
    assert "Each arm can taste." in " ".join(i["narration"] for i in second["storyboard"])
    r = api.post(f"/v1/jobs/{rejected_id}/review", json={"action": "reject"})
    assert r.status_code == 202, r.text
    rejected = wait_job_done(api, rejected_id)
    assert rejected["status"] == "rejected", rejected
    assert "render" not in rejected["timings"] and rejected["artifacts"] == []
    result = api.get(f"/v1/jobs/{rejected_id}/result").json()
    assert result["status"] == "rejected" and result["artifacts"] == {}

    done = wait_job_done(api, edited_id)
    assert done["status"] == "succeeded", done
    srt = api.get(f"/v1/jobs/{edited_id}/artifacts/captions.srt").text
    assert "Squids glow" in srt and "Octopuses" not in srt
    assert api.post(f"/v1/jobs/{edited_id}/review", json={"action": "reject"}).status_code == 409
