"""A caption job through the real API, Redis, a real worker and the real caption graph.

Every edit switch travels through the REST options (with the seed-style alias names), and the
logo and b-roll arrive as uploads: the job's report shows each edit took effect.
"""

from __future__ import annotations

import io
from pathlib import Path

import av
import pytest
from PIL import Image

from tests import conftest_redis as _fx
from tests.conftest_redis import wait_job_done
from tests.fixtures_video import talk_src, video_dir  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.integration

api = _fx.api
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (64, 36)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def _upload(api, name: str, data: bytes, mime: str) -> str:
    r = api.post("/v1/uploads", files={"file": (name, data, mime)})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_caption_job_with_edit_switches_logo_and_broll(
    api, start_worker, platform, talk_src: Path
) -> None:
    start_worker()
    video = _upload(api, "talk.mp4", talk_src.read_bytes(), "video/mp4")
    logo = _upload(api, "../../etc/passwd.png", _png((230, 0, 0), (40, 20)), "image/png")
    fox = _upload(api, "x.png", _png((0, 200, 0)), "image/png")
    body = {
        "kind": "caption",
        "input": {"video": video, "logo": logo, "broll": [{"source": fox, "keywords": ["fox"]}]},
        "options": {
            "style": "pop",
            "reframe": True,
            "width": 360,
            "height": 640,
            "cut_silences": True,
            "min_silence": 0.3,
            "padding": 0.1,
            "zoom": True,
        },
    }
    r = api.post("/v1/jobs", json=body)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]

    view = wait_job_done(api, job_id)
    assert view["status"] == "succeeded", view
    result = api.get(f"/v1/jobs/{job_id}/result").json()
    report = result["report"]
    assert report["edits"]["reframe"] is True and report["edits"]["overlays"] == 2
    assert report["duration_out"] < report["duration_in"]  # silences were cut
    assert "fox" in api.get(f"/v1/jobs/{job_id}/artifacts/captions.srt").text.lower()
    spec = api.get(f"/v1/jobs/{job_id}/artifacts/spec.json").json()
    assert spec["captions"]["style"] == "pop" and spec["visuals"][0]["motion"]["periodic_zoom"] > 0
    video_path = Path(platform["REELGRAPH_HOME"]) / "storage" / job_id / "video.mp4"
    with av.open(str(video_path)) as c:
        assert (c.streams.video[0].width, c.streams.video[0].height) == (360, 640)


def test_caption_options_are_checked_at_submit(api, platform) -> None:
    ok = {"kind": "caption", "input": {"video": "https://example.com/v.mp4"}}
    bad = [
        ({**ok, "options": {"asr_model": "/etc/model"}}, "asr_model"),
        ({**ok, "options": {"caption_style": "comic"}}, "caption_style"),
        ({**ok, "options": {"threshold": 3}}, "threshold"),
        (
            {
                **ok,
                "input": {**ok["input"], "broll": [{"source": "/tmp/x.mp4", "keywords": ["a"]}]},
            },
            "broll",
        ),
        ({"kind": "create", "input": {"prompt": "hi"}, "options": {"aspect": "source"}}, "source"),
        (
            {"kind": "create", "input": {"prompt": "hi", "logo": "https://example.com/l.png"}},
            "caption jobs",
        ),
    ]
    for body, word in bad:
        r = api.post("/v1/jobs", json=body)
        assert r.status_code == 422, (body, r.text)
        assert word in r.text, r.text
