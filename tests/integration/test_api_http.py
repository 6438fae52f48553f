"""The HTTP surface against real Redis, without workers: validation, auth, uploads, outages."""

from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from rq import Queue

from reelgraph.app.server import create_app
from reelgraph.settings import get_settings
from tests import conftest_redis as _fx
from tests.conftest_redis import free_port

pytestmark = pytest.mark.integration

# fixtures from the platform fixture module
api = _fx.api
platform = _fx.platform
redis_url = _fx.redis_url


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _create(api, **extra) -> dict:
    body = {"kind": "create", "input": {"prompt": "Three facts about owls."}, **extra}
    r = api.post("/v1/jobs", json=body)
    assert r.status_code == 202, r.text
    return r.json()


def test_submit_is_stored_and_queued_and_listed_newest_first(api, redis_url):
    ids = [_create(api)["id"] for _ in range(3)]
    from redis import Redis

    assert Queue("graph", connection=Redis.from_url(redis_url)).job_ids == ids
    page = api.get("/v1/jobs", params={"limit": 2}).json()
    assert page["total"] == 3 and [j["id"] for j in page["items"]] == ids[::-1][:2]
    rest = api.get("/v1/jobs", params={"limit": 2, "offset": 2}).json()
    assert [j["id"] for j in rest["items"]] == [ids[0]]
    view = api.get(f"/v1/jobs/{ids[0]}").json()
    assert view["status"] == "queued" and view["progress"] == 0.0
    assert api.get("/v1/jobs/job_doesnotexist").json()["error"]["code"] == "not_found"
    assert api.get(f"/v1/jobs/{ids[0]}/result").status_code == 409


def test_cancel_of_a_queued_job_ends_it_at_once(api, redis_url):
    job_id = _create(api)["id"]
    r = api.post(f"/v1/jobs/{job_id}/cancel")
    assert r.status_code == 202 and r.json()["status"] == "canceled"
    from redis import Redis

    assert job_id not in Queue("graph", connection=Redis.from_url(redis_url)).job_ids
    assert 'reelgraph_jobs{status="canceled"} 1.0' in api.get("/metrics").text


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"kind": "create", "input": {}}, "needs input.prompt"),
        ({"kind": "create", "input": {"prompt": "x"}, "options": {"fps": 1000}}, "fps 1000"),
        (
            {"kind": "create", "input": {"prompt": "x"}, "options": {"width": 99999, "height": 10}},
            "options.height",
        ),
        (
            {"kind": "create", "input": {"prompt": "x", "images": ["/etc/passwd"]}},
            "input.images: Value error, images[0] must be an http(s) URL",
        ),
        ({"kind": "caption", "input": {}}, "needs input.video"),
        (
            {"kind": "create", "input": {"prompt": "x"}, "options": {"voice": "../../x.onnx"}},
            "options.voice",
        ),
        (
            {"kind": "create", "input": {"prompt": "x"}, "options": {"colour": "red"}},
            "options.colour: Extra inputs are not permitted",
        ),
        ({"kind": "render", "input": {"prompt": "x"}}, "kind: Input should be"),
        (
            {"kind": "create", "input": {"prompt": "x"}, "callback_url": "file:///etc/passwd"},
            "callback_url",
        ),
    ],
)
def test_bad_requests_get_422_with_a_readable_message(api, body, fragment):
    r = api.post("/v1/jobs", json=body)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_input"
    assert fragment.replace("Value error, ", "") in err["message"]


def test_uploads_are_sniffed_sized_and_content_addressed(api, platform, monkeypatch):
    png = _png()
    r = api.post("/v1/uploads", files={"file": ("../../evil name.txt", png, "text/plain")})
    assert r.status_code == 201, r.text
    asset = r.json()
    assert asset["kind"] == "image" and asset["mime"] == "image/png"
    assert asset["id"].startswith("asset_") and len(asset["id"]) == 38
    again = api.post("/v1/uploads", files={"file": ("other.png", png, "image/png")}).json()
    assert again["id"] == asset["id"]
    uploads = get_settings().uploads_dir
    assert sorted(p.name for p in uploads.iterdir()) == [
        f"{asset['id']}.json",
        f"{asset['id']}.png",
    ]

    r = api.post(
        "/v1/uploads", files={"file": ("a.png", b"hello, not an image at all", "image/png")}
    )
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media"
    fake = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    assert api.post("/v1/uploads", files={"file": ("a.png", fake)}).status_code == 415

    monkeypatch.setenv("REELGRAPH_MAX_UPLOAD_BYTES", "1000")
    get_settings.cache_clear()
    big = api.post("/v1/uploads", files={"file": ("big.png", png + b"\x00" * 5000)})
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    assert not [p for p in uploads.iterdir() if p.name.endswith(".partial")]

    job = _create(api, input={"prompt": "x", "images": [asset["id"]]})
    assert api.get(f"/v1/jobs/{job['id']}").status_code == 200


def test_inline_base64_becomes_an_asset(api, platform):
    import base64

    data = "data:image/png;base64," + base64.b64encode(_png()).decode()
    job = _create(api, input={"prompt": "x", "images": [data]})
    from redis import Redis

    from reelgraph.app.jobstore import JobStore

    rec = JobStore(Redis.from_url(platform["REDIS_URL"])).get(job["id"])
    assert rec["input"]["images"][0].startswith("asset_")
    broken = {"prompt": "x", "images": ["data:image/png;base64,!!"]}
    bad = api.post("/v1/jobs", json={"kind": "create", "input": broken})
    assert bad.status_code == 422


def test_api_keys_and_rate_limit(platform, monkeypatch):
    monkeypatch.setenv("REELGRAPH_API_KEYS", json.dumps(["k-one", "k-two"]))
    monkeypatch.setenv("REELGRAPH_RATE_LIMIT_PER_MINUTE", "5")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        body = {"kind": "create", "input": {"prompt": "x"}}
        assert c.post("/v1/jobs", json=body).json()["error"]["code"] == "unauthorized"
        bad = c.post("/v1/jobs", json=body, headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        one = {"Authorization": "Bearer k-one"}
        job = c.post("/v1/jobs", json=body, headers=one)
        assert job.status_code == 202
        job_id = job.json()["id"]
        two = {"Authorization": "Bearer k-two"}
        assert c.get(f"/v1/jobs/{job_id}", headers=two).status_code == 404
        assert c.get("/v1/jobs", headers=two).json()["total"] == 0
        codes = [c.get(f"/v1/jobs/{job_id}", headers=one).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 200, 429]
        assert c.get("/health").status_code == 200


def test_redis_down_gives_503_and_ready_says_why(platform, monkeypatch):
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        r = c.post("/v1/jobs", json={"kind": "create", "input": {"prompt": "x"}})
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "service_unavailable"
        assert "nothing was accepted" in r.json()["error"]["message"]
        ready = c.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"redis": "failed", "ffmpeg": "ok", "storage": "ok"}
        assert "unreachable" in ready.json()["reasons"][0]
        assert c.get("/health").json() == {"status": "ok"}


def test_ready_and_openapi(api):
    r = api.get("/ready")
    assert r.status_code == 200 and r.json()["ready"] is True
    spec = api.get("/openapi.json").json()
    for path in (
        "/v1/jobs",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}/events",
        "/v1/uploads",
        "/v1/jobs/{job_id}/artifacts/{name}",
        "/process",
        "/generate",
        "/get_video",
    ):
        assert path in spec["paths"], path
    assert "JobCreate" in spec["components"]["schemas"]


def test_seed_routes_map_onto_jobs(api, platform):
    r = api.post(
        "/generate",
        json={
            "prompt": "Owls",
            "resolution": "720x1280",
            "fps": 24,
            "duration": 12,
            "style": "pop",
        },
    )
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    from redis import Redis

    from reelgraph.app.jobstore import JobStore

    rec = JobStore(Redis.from_url(platform["REDIS_URL"])).get(job_id)
    assert rec["options"] == {
        "width": 720,
        "height": 1280,
        "fps": 24,
        "duration": 12.0,
        "caption_style": "pop",
    }
    assert api.get(f"/status/{job_id}").json()["status"] == "queued"
    assert api.get(f"/result/{job_id}").status_code == 409
    assert api.get("/get_video", params={"job_id": job_id}).status_code == 409
    p = api.post("/process", json={"url": "https://example.com/v.mp4"})
    assert p.status_code == 202
    bad = api.post("/generate", json={"prompt": "x", "resolution": "huge"})
    assert bad.status_code == 422 and "resolution" in bad.json()["error"]["message"]
    bad = api.post("/process", json={"url": "/etc/passwd"})
    assert bad.status_code == 422
