"""Jobs through the real API, Redis and a real worker process (graph runner: the test stand-in)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import av
import pytest

from reelgraph.app.callbacks import SIGNATURE_HEADER, verify
from tests import conftest_redis as _fx
from tests.conftest_redis import cmdline, process_tree, wait_for

pytestmark = pytest.mark.integration

# fixtures from the platform fixture module
api = _fx.api
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker

RUNNER = {"REELGRAPH_GRAPH_RUNNER": "tests.integration.test_worker_fakes:run_job"}
SECRET = "test-secret"


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        self.received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def callback_url():
    _Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def _wait_status(api, job_id: str, statuses: set[str], timeout: float = 90) -> dict:
    def _check():
        body = api.get(f"/v1/jobs/{job_id}").json()
        return body if body["status"] in statuses else None

    return wait_for(_check, timeout=timeout, interval=0.2)


def _sse_events(api, job_id: str, last_id: str | None = None) -> list[tuple[str, dict]]:
    headers = {"Last-Event-ID": last_id} if last_id else {}
    events, eid = [], None
    with api.stream("GET", f"/v1/jobs/{job_id}/events", headers=headers) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("id:"):
                eid = line[3:].strip()
            elif line.startswith("data:"):
                events.append((eid, json.loads(line[5:].strip())))
                if events[-1][1]["type"] == "end":
                    break
    return events


def test_create_job_end_to_end(api, start_worker, platform, monkeypatch, callback_url):
    monkeypatch.setenv("REELGRAPH_CALLBACK_SECRET", SECRET)
    from reelgraph.settings import get_settings

    get_settings.cache_clear()
    start_worker(extra_env={**RUNNER, "REELGRAPH_CALLBACK_SECRET": SECRET})
    r = api.post(
        "/v1/jobs",
        json={
            "kind": "create",
            "input": {"prompt": "A test clip."},
            "options": {"duration": 1.5},
            "callback_url": callback_url,
            "metadata": {"resume": "n8n-123"},
        },
    )
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    assert r.json()["links"]["events"] == f"/v1/jobs/{job_id}/events"
    view = _wait_status(api, job_id, {"succeeded", "failed"})
    assert view["status"] == "succeeded", view
    assert view["progress"] == 1.0
    assert set(view["timings"]) == {"plan_script", "render"}
    assert set(view["artifacts"]) == {"video.mp4", "report.json", "captions.srt"}

    events = _sse_events(api, job_id)
    types = [e["type"] for _, e in events]
    assert types[0] == "status" and events[0][1]["status"] == "queued"
    assert "running" in [e.get("status") for _, e in events]
    assert types.index("stage") < types.index("stage_done") < len(types) - 1
    assert events[-1][1] == {**events[-1][1], "type": "end", "status": "succeeded"}
    ids = [tuple(int(x) for x in eid.split("-")) for eid, _ in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    resumed = _sse_events(api, job_id, last_id=events[-3][0])
    assert [e for _, e in resumed] == [e for _, e in events[-2:]]

    with api.websocket_connect(f"/v1/jobs/{job_id}/ws") as ws:
        ws_events = []
        while not ws_events or ws_events[-1]["type"] != "end":
            ws_events.append(ws.receive_json())
    assert [e["type"] for e in ws_events] == types

    result = api.get(f"/v1/jobs/{job_id}/result").json()
    assert result["artifacts"]["video.mp4"].endswith(f"/v1/jobs/{job_id}/artifacts/video.mp4")
    full = api.get(f"/v1/jobs/{job_id}/artifacts/video.mp4")
    assert full.status_code == 200 and full.headers["content-type"] == "video/mp4"
    part = api.get(f"/v1/jobs/{job_id}/artifacts/video.mp4", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 0-99/{len(full.content)}"
    assert part.content == full.content[:100]
    video = Path(platform["REELGRAPH_HOME"]) / "storage" / job_id / "video.mp4"
    with av.open(str(video)) as c:
        assert c.streams.video and c.streams.audio
        assert abs(float(c.duration / 1e6) - 1.5) < 0.3
    assert api.get(f"/v1/jobs/{job_id}/artifacts/..%2Fsecret").status_code == 404

    hits = wait_for(lambda: _Receiver.received, timeout=20)
    headers, body = hits[0]
    payload = json.loads(body)
    assert payload["status"] == "succeeded" and payload["metadata"] == {"resume": "n8n-123"}
    assert payload["artifacts"]["video.mp4"].endswith("/artifacts/video.mp4")
    sig = {k.lower(): v for k, v in headers.items()}[SIGNATURE_HEADER.lower()]
    assert verify(body, sig, SECRET)
    attempts = wait_for(
        lambda: (api.get(f"/v1/jobs/{job_id}").json()["callback"] or {}).get("attempts")
    )
    assert attempts[0]["status"] == 200

    metrics = api.get("/metrics").text
    assert 'reelgraph_jobs{status="succeeded"} 1.0' in metrics
    assert 'reelgraph_stage_seconds_count{stage="render"} 1.0' in metrics
    assert 'reelgraph_queue_depth{queue="graph"} 0.0' in metrics


def test_permanent_failure_is_reported_with_its_code(api, start_worker):
    start_worker(extra_env=RUNNER)
    r = api.post(
        "/v1/jobs",
        json={"kind": "create", "input": {"prompt": "x"}, "options": {"voice": "invalid"}},
    )
    view = _wait_status(api, r.json()["id"], {"succeeded", "failed"})
    assert view["status"] == "failed"
    assert view["error"] == {
        "code": "invalid_input",
        "message": "The prompt cannot be planned (test); change the prompt.",
    }
    assert api.get(f"/v1/jobs/{view['id']}/artifacts/video.mp4").status_code == 409


def test_cancel_running_job_stops_ffmpeg_within_two_seconds(api, start_worker, platform):
    worker = start_worker(extra_env=RUNNER)
    r = api.post(
        "/v1/jobs", json={"kind": "create", "input": {"prompt": "x"}, "options": {"voice": "slow"}}
    )
    job_id = r.json()["id"]

    def _ffmpeg() -> list[int]:
        return [p for p in process_tree(worker.pid) if "testsrc" in cmdline(p)]

    wait_for(_ffmpeg, timeout=60)
    t0 = time.monotonic()
    assert api.post(f"/v1/jobs/{job_id}/cancel").status_code == 202
    wait_for(lambda: not _ffmpeg(), timeout=5, interval=0.05)
    assert time.monotonic() - t0 < 2.0
    view = _wait_status(api, job_id, {"canceled", "failed", "succeeded"}, timeout=20)
    assert view["status"] == "canceled"
    assert not (Path(platform["REELGRAPH_HOME"]) / "storage" / job_id).exists()
    assert _sse_events(api, job_id)[-1][1]["status"] == "canceled"
    assert api.post(f"/v1/jobs/{job_id}/cancel").status_code == 409
