"""The REST API under hostile or broken input: callbacks, a hung Redis, bad values, body sizes,
auth failures, multipart parts, Range errors and music choices (real Redis, ASGI or uvicorn)."""

from __future__ import annotations

import base64
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from redis import Redis
from rq import Queue

from reelgraph.app.jobstore import JobStore
from reelgraph.app.server import create_app
from reelgraph.settings import get_settings
from tests import conftest_redis as _fx

pytestmark = pytest.mark.integration

api = _fx.api
platform = _fx.platform
redis_url = _fx.redis_url
live_server = _fx.live_server
start_worker = _fx.start_worker

OWLS = {"kind": "create", "input": {"prompt": "Three facts about owls."}}


def _png(size: tuple[int, int] = (32, 24)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _error(r: httpx.Response, status: int, code: str) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    return str(body["error"]["message"])


def _fresh(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()


def _fresh_window(seconds: int) -> None:
    """Wait for a new fixed rate-limit window when this one ends within 5 s: no luck needed."""
    left = seconds - time.time() % seconds
    if left < 5:
        time.sleep(left + 0.05)


def _record(platform: dict[str, str], job_id: str) -> dict[str, Any]:
    rec = JobStore(Redis.from_url(platform["REDIS_URL"])).get(job_id)
    assert rec is not None
    return rec


# -- A. callback_url: refused at submission, a refusal at delivery is final, off the graph job --


class _Hook(BaseHTTPRequestHandler):
    status: ClassVar[int] = 200
    hits: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        self.hits.append(self.rfile.read(int(self.headers.get("content-length", "0"))))
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[str]:
    _Hook.status, _Hook.hits = 200, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9/hook", "loopback"),
        ("http://[::1]/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.0.10/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "cloud-metadata"),
        ("http://169.254.10.1/", "link-local"),
        ("ftp://example.com/hook", "http(s) URL"),
        ("http://example.com/a b", "space"),
    ],
)
def test_callback_url_to_a_refused_address_is_a_422_at_submission(
    platform, monkeypatch, url, reason
):
    _fresh(monkeypatch, REELGRAPH_FETCH_ALLOWLIST="[]")
    with TestClient(create_app()) as c:
        msg = _error(c.post("/v1/jobs", json={**OWLS, "callback_url": url}), 422, "invalid_input")
        assert "callback" in msg.lower() and reason in msg, msg
        seed = c.post("/generate", json={"prompt": "Owls", "callback_url": url})
        assert reason in _error(seed, 422, "invalid_input")
    assert Redis.from_url(platform["REDIS_URL"]).llen("rq:queue:graph") == 0


def test_allowlisted_local_callback_receiver_is_accepted(api, hook):
    r = api.post("/v1/jobs", json={**OWLS, "callback_url": hook})
    assert r.status_code == 202, r.text


def test_refused_callback_address_at_delivery_is_not_retried(api, platform, monkeypatch, hook):
    from reelgraph.app.callbacks import deliver

    job_id = api.post("/v1/jobs", json={**OWLS, "callback_url": hook}).json()["id"]
    # the address became refused after submission (allowlist changed, DNS now says private)
    _fresh(monkeypatch, REELGRAPH_FETCH_ALLOWLIST="[]", REELGRAPH_CALLBACK_ATTEMPTS="5")
    store = JobStore(Redis.from_url(platform["REDIS_URL"]))
    t0 = time.monotonic()
    assert deliver(store, job_id) is False  # returns: RQ does not retry it
    assert time.monotonic() - t0 < 1.0
    attempts = _record(platform, job_id)["callback"]["attempts"]
    assert len(attempts) == 1 and attempts[0]["refused"] is True
    assert "loopback" in attempts[0]["error"] and not _Hook.hits


def test_graph_job_queues_its_callback_and_never_waits_for_the_receiver(
    api, platform, monkeypatch, hook
):
    from reelgraph.app.api import tasks
    from reelgraph.app.callbacks import CallbackNotDelivered

    _Hook.status = 503  # a receiver that keeps failing: retried with backoff
    _fresh(monkeypatch, REELGRAPH_CALLBACK_ATTEMPTS="5", REELGRAPH_CALLBACK_BACKOFF_S="1")
    monkeypatch.setattr(tasks, "_run", lambda rec, out_dir, sink, resume: {"artifacts": {}})
    job_id = api.post("/v1/jobs", json={**OWLS, "callback_url": hook}).json()["id"]
    t0 = time.monotonic()
    assert tasks.run_graph_job(job_id) == {"status": "succeeded"}
    assert time.monotonic() - t0 < 2.0
    assert not _Hook.hits
    [queued] = Queue("cpu", connection=Redis.from_url(platform["REDIS_URL"])).jobs
    assert (queued.func_name, queued.kwargs) == (
        "reelgraph.app.api.tasks.deliver_callback",
        {"job_id": job_id},
    )
    assert (queued.retries_left, queued.retry_intervals) == (4, [1, 2, 4, 8])
    t0 = time.monotonic()
    with pytest.raises(CallbackNotDelivered, match="attempt 1 of 5"):
        tasks.deliver_callback(job_id)  # one attempt, no sleeping: RQ schedules the next
    assert time.monotonic() - t0 < 1.0 and len(_Hook.hits) == 1
    _Hook.status = 200
    assert tasks.deliver_callback(job_id) is True
    assert json.loads(_Hook.hits[-1])["status"] == "succeeded"
    assert [a["status"] for a in _record(platform, job_id)["callback"]["attempts"]] == [503, 200]


def test_a_worker_retries_a_failing_callback_through_the_scheduler(
    api, platform, hook, start_worker
):
    from reelgraph.app.callbacks import enqueue_delivery

    _Hook.status = 503
    job_id = api.post("/v1/jobs", json={**OWLS, "callback_url": hook}).json()["id"]
    start_worker(queues="cpu")
    enqueue_delivery(Redis.from_url(platform["REDIS_URL"]), job_id)
    _fx.wait_for(lambda: len(_Hook.hits) >= 2, timeout=30, what="a retried delivery")
    _Hook.status = 200

    def delivered() -> Any:
        return (_record(platform, job_id)["callback"] or {}).get("delivered")

    _fx.wait_for(delivered, timeout=30, what="the delivery")
    statuses = [a["status"] for a in _record(platform, job_id)["callback"]["attempts"]]
    assert statuses[-1] == 200 and set(statuses[:-1]) == {503} and len(statuses) >= 3


# -- B. a Redis that accepts connections and never answers ------------------------------------


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """A TCP server on loopback that accepts every connection and never sends a byte."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(128)
    srv.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{srv.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    srv.close()


def test_hung_redis_gives_a_503_within_seconds(platform, monkeypatch, hung_redis):
    _fresh(monkeypatch, REDIS_URL=hung_redis, REELGRAPH_RATE_LIMIT_PER_MINUTE="600")
    with TestClient(create_app()) as c:
        for method, path, body in [
            ("GET", "/v1/jobs", None),
            ("POST", "/v1/jobs", OWLS),
            ("GET", "/v1/jobs/job_0123", None),
        ]:
            t0 = time.monotonic()
            r = c.request(method, path, json=body)
            took = time.monotonic() - t0
            _error(r, 503, "service_unavailable")
            assert took < 4.0, f"{method} {path} took {took:.1f} s"
        t0 = time.monotonic()
        assert c.get("/ready").status_code == 503
        assert time.monotonic() - t0 < 4.0


# -- C. values refused at submission ------------------------------------------------------------


def _post_raw(client: TestClient, text: str, path: str = "/v1/jobs") -> httpx.Response:
    return client.post(path, content=text, headers={"content-type": "application/json"})


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"kind":"create","input":{"prompt":"x"},"metadata":{"a":NaN}}', "NaN"),
        ('{"kind":"create","input":{"prompt":"x"},"metadata":{"a":[1,-Infinity]}}', "Infinity"),
        ('{"kind":"create","input":{"prompt":"x"},"options":{"duration":Infinity}}', "finite"),
        ('{"kind":"create","input":{"prompt":"x"},"options":{"speed":NaN}}', "finite"),
        ('{"kind":"create","input":{"prompt":"a\\u0000b"}}', "U+0000"),
        ('{"kind":"create","input":{"transcript":"bell \\u0007 rings"}}', "U+0007"),
        ('{"kind":"create","input":{"prompt":"x \\ud800 y"}}', "surrogate"),
        ('{"kind":"create","input":{"prompt":"x"},"metadata":{"k":"a\\u001bb"}}', "U+001B"),
        ('{"kind":"create","input":{"prompt":"x"},"metadata":{"a\\nb":"v"}}', "U+000A"),
        ('{"kind":"create","input":{"prompt":"x"},"options":{"model":"m\\u0000"}}', "U+0000"),
        ('{"kind":"create","input":{"prompt":"x","images":["https://a.b/\\u0000"]}}', "U+0000"),
    ],
)
def test_nan_infinity_and_control_characters_are_refused(api, text, fragment):
    msg = _error(_post_raw(api, text), 422, "invalid_input")
    assert fragment in msg, msg


def test_newlines_and_tabs_are_fine_in_prompt_and_metadata(api, platform):
    body = {
        "kind": "create",
        "input": {"prompt": "Line one.\n\tLine two.\r\n"},
        "metadata": {"note": "a\nb", "n": [1, 2.5, None, True]},
    }
    r = api.post("/v1/jobs", json=body)
    assert r.status_code == 202, r.text
    view = api.get(f"/v1/jobs/{r.json()['id']}").json()
    assert view["metadata"] == body["metadata"]


def test_words_wider_than_a_caption_line_are_refused(api):
    # 9:16 karaoke (the defaults): 17 characters a line, shrunk to a third at most -> 51
    long = "x" * 52
    msg = _error(
        api.post("/v1/jobs", json={"kind": "create", "input": {"transcript": long}}),
        422,
        "invalid_input",
    )
    assert "input.transcript" in msg and "52-character word" in msg and "51" in msg
    body = {"kind": "create", "input": {"prompt": f"Say {long} now."}}
    assert "input.prompt" in _error(api.post("/v1/jobs", json=body), 422, "invalid_input")
    ok = {"kind": "create", "input": {"transcript": "x" * 51}}
    assert api.post("/v1/jobs", json=ok).status_code == 202
    wide = {**ok, "input": {"transcript": long}, "options": {"aspect": "16:9"}}
    assert api.post("/v1/jobs", json=wide).status_code == 202  # 29 a line at 1920x1080


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"width": 1081, "height": 1920}, "even"),
        ({"width": 720, "height": 1279}, "even"),
        ({"width": 8, "height": 16}, "options.width"),
        ({"width": 4000, "height": 2000}, "above the limit"),
    ],
)
def test_odd_or_out_of_range_sizes_are_refused(api, options, fragment):
    body = {**OWLS, "options": options}
    assert fragment in _error(api.post("/v1/jobs", json=body), 422, "invalid_input")


def test_seed_generate_refuses_odd_resolution_without_pydantic_prefix(api):
    msg = _error(
        api.post("/generate", json={"prompt": "x", "resolution": "721x1280"}), 422, "invalid_input"
    )
    assert "even" in msg and "Value error" not in msg
    msg = _error(
        api.post("/generate", json={"prompt": "x", "images": ["/etc/passwd"]}), 422, "invalid_input"
    )
    assert msg.startswith("images: images[0] must be an http(s) URL"), msg


def test_inline_images_over_the_size_limit_are_refused(api, monkeypatch):
    from reelgraph.app.api import checks

    data = "data:image/png;base64," + base64.b64encode(_png((64, 64))).decode()
    monkeypatch.setattr(checks, "MAX_REF_CHARS", len(data) - 1)
    body = {"kind": "create", "input": {"prompt": "x", "images": [data]}}
    msg = _error(api.post("/v1/jobs", json=body), 422, "invalid_input")
    assert "images[0] is too large to send inline" in msg
    audio = {"kind": "create", "input": {"prompt": "x", "audio": data}}
    assert "too large" in _error(api.post("/v1/jobs", json=audio), 422, "invalid_input")


@pytest.mark.parametrize("ref", ["data:image/png;base64", "data:image/png,iVBORw0KGgo="])
def test_malformed_inline_media_is_a_422_not_a_500(api, ref):
    body = {"kind": "create", "input": {"prompt": "x", "images": [ref]}}
    msg = _error(api.post("/v1/jobs", json=body), 422, "invalid_input")
    assert "data:<mime>;base64,<data>" in msg


def test_json_bodies_over_the_limit_get_413_before_parsing(platform, monkeypatch):
    _fresh(monkeypatch, REELGRAPH_MAX_JSON_BODY_BYTES="2000")
    big = json.dumps({**OWLS, "metadata": {"pad": "x" * 3000}})
    with TestClient(create_app()) as c:
        msg = _error(_post_raw(c, big), 413, "too_large")
        assert "2000 bytes" in msg

        def chunks() -> Iterator[bytes]:  # no Content-Length: chunked
            for i in range(0, len(big), 500):
                yield big[i : i + 500].encode()

        r = c.post("/v1/jobs", content=chunks(), headers={"content-type": "application/json"})
        _error(r, 413, "too_large")
        assert _post_raw(c, "{" * 1500, "/generate").status_code == 422  # parsed: under cap
        assert c.post("/v1/jobs", json=OWLS).status_code == 202


@pytest.mark.parametrize("path", ["/v1/jobs", "/v1/uploads"])
def test_absurd_content_length_is_a_413_not_a_500(api, path):
    headers = {"content-length": "9" * 5000, "content-type": "application/json"}
    _error(api.post(path, content=b"{}", headers=headers), 413, "too_large")


@pytest.fixture
def small_body_server(platform, monkeypatch, request) -> str:
    _fresh(monkeypatch, REELGRAPH_MAX_JSON_BODY_BYTES="2000")
    return str(request.getfixturevalue("live_server"))


def test_uvicorn_answers_413_to_a_large_chunked_body(small_body_server):
    def chunks() -> Iterator[bytes]:
        yield b'{"kind":"create","input":{"prompt":"'
        for _ in range(200):
            yield b"x" * 1000
        yield b'"}}'

    r = httpx.post(
        small_body_server + "/v1/jobs",
        content=chunks(),
        timeout=10,
        headers={"content-type": "application/json"},
    )
    _error(r, 413, "too_large")
    ok = httpx.post(small_body_server + "/v1/jobs", json=OWLS, timeout=10)
    assert ok.status_code == 202, ok.text


# -- D. failed authentication is rate-limited per client address ------------------------------


def test_repeated_wrong_keys_lock_the_address_out(platform, monkeypatch):
    _fresh(
        monkeypatch,
        REELGRAPH_API_KEYS='["right-key"]',
        REELGRAPH_AUTH_FAIL_LIMIT="3",
        REELGRAPH_AUTH_FAIL_WINDOW_S="300",
    )
    with TestClient(create_app()) as c:
        _fresh_window(300)
        wrong = {"Authorization": "Bearer wrong"}
        right = {"Authorization": "Bearer right-key"}
        assert c.get("/v1/jobs", headers=right).status_code == 200
        assert c.get("/v1/jobs").status_code == 401  # no key at all: not a guess
        codes = [c.get("/v1/jobs", headers=wrong).status_code for _ in range(3)]
        assert codes == [401, 401, 401]
        r = c.get("/v1/jobs", headers=wrong)
        assert "failed authentications" in _error(r, 429, "rate_limited")
        assert 0 < int(r.headers["Retry-After"]) <= 300
        # locked out: even the right key learns nothing until the window ends
        _error(c.get("/v1/jobs", headers=right), 429, "rate_limited")
        with (
            pytest.raises(Exception) as closed,
            c.websocket_connect("/v1/jobs/job_x/ws?token=right-key") as ws,
        ):
            ws.receive_json()
        assert getattr(closed.value, "code", None) == 4429
        assert c.get("/health").status_code == 200


def test_per_minute_rate_limit_says_when_to_retry(platform, monkeypatch):
    _fresh(monkeypatch, REELGRAPH_RATE_LIMIT_PER_MINUTE="2")
    with TestClient(create_app()) as c:
        _fresh_window(60)
        codes = [c.get("/v1/jobs").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        r = c.get("/v1/jobs")
        assert 0 < int(r.headers["Retry-After"]) <= 60
        assert f"retry in {r.headers['Retry-After']} s" in r.json()["error"]["message"]


# -- E. the upload takes the part named file ------------------------------------------------------


def test_upload_takes_the_part_named_file_not_the_first(api):
    png = _png()
    r = api.post(
        "/v1/uploads", data={"note": "not the file"}, files={"file": ("owl.png", png, "image/png")}
    )
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "image" and r.json()["size"] == len(png)


def test_upload_without_a_file_part_is_a_422(api):
    r = api.post("/v1/uploads", files={"picture": ("owl.png", _png(), "image/png")})
    assert "'file'" in _error(r, 422, "invalid_input")
    r = api.post("/v1/uploads", files={"file": ("empty.png", b"", "image/png")})
    assert "empty" in _error(r, 422, "invalid_input")
    for boundary, says in (("xyz", "'file'"), ("b" * 300, "malformed")):  # ends mid-part; too long
        broken = api.post(
            "/v1/uploads",
            content=b"--xyz\r\nnonsense",
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
        assert says in _error(broken, 422, "invalid_input")


# -- F. Range errors in the JSON error shape ------------------------------------------------------


@pytest.fixture
def finished_job(api, platform) -> str:
    job_id = api.post("/v1/jobs", json=OWLS).json()["id"]
    out = Path(platform["REELGRAPH_HOME"]) / "storage" / job_id
    out.mkdir(parents=True)
    (out / "video.mp4").write_bytes(bytes(range(100)))
    store = JobStore(Redis.from_url(platform["REDIS_URL"]))
    store.set_status(job_id, "succeeded", artifacts={"video.mp4": "video.mp4"})
    return job_id


def test_range_errors_use_the_json_error_shape(api, finished_job):
    url = f"/v1/jobs/{finished_job}/artifacts/video.mp4"
    ok = api.get(url, headers={"Range": "bytes=10-19"})
    assert ok.status_code == 206 and ok.content == bytes(range(10, 20))
    r = api.get(url, headers={"Range": "bytes=500-600"})
    assert "past the end" in _error(r, 416, "range_not_satisfiable")
    assert r.headers["content-range"] == "bytes */100"
    for bad in ("bytes=abc", "items=0-1", "bytes=50-10", "nonsense"):
        _error(api.get(url, headers={"Range": bad}), 400, "bad_range")
    seed = api.get("/get_video", params={"job_id": finished_job}, headers={"Range": "bytes=100-"})
    _error(seed, 416, "range_not_satisfiable")


# -- G. options.music: a mood, none, an upload or a URL; never a path ---------------------------


@pytest.mark.parametrize(
    "music",
    [
        "../../etc/passwd",
        "/tmp/song.mp3",
        "song.mp3",
        "sad",
        "~/music",
        "file:///etc/passwd",
        "C:\\music\\a.mp3",
    ],
)
def test_music_option_refuses_paths_and_lists_the_moods(api, music):
    body = {**OWLS, "options": {"music": music}}
    msg = _error(api.post("/v1/jobs", json=body), 422, "invalid_input")
    assert msg.startswith("options.music:") and "calm" in msg and "energetic" in msg, msg


def test_music_option_takes_moods_uploads_and_urls(api, platform):
    def stored(music: str) -> dict[str, Any]:
        r = api.post("/v1/jobs", json={**OWLS, "options": {"music": music}})
        assert r.status_code == 202, r.text
        return _record(platform, r.json()["id"])

    assert stored("Calm")["options"]["music"] == "calm"
    assert stored("none")["options"]["music"] == "none"
    asset = "asset_" + "a" * 32
    rec = stored(asset)
    assert rec["input"]["music"] == asset and "music" not in rec["options"]
    rec = stored("https://example.com/song.mp3")
    assert rec["input"]["music"] == "https://example.com/song.mp3"
    both = {
        **OWLS,
        "input": {"prompt": "x", "music": asset},
        "options": {"music": "https://example.com/b.mp3"},
    }
    assert "once" in _error(api.post("/v1/jobs", json=both), 422, "invalid_input")


# -- found by probing: a Last-Event-ID Redis refuses broke the event stream mid-response ----------


@pytest.mark.parametrize("last", ["1-2-3", "99999999999999999999999-0", "-", "0-", "abc"])
def test_unusable_last_event_id_replays_from_the_start(api, last):
    job_id = api.post("/v1/jobs", json=OWLS).json()["id"]
    api.post(f"/v1/jobs/{job_id}/cancel")  # ends the stream
    with api.stream("GET", f"/v1/jobs/{job_id}/events", headers={"Last-Event-ID": last}) as r:
        assert r.status_code == 200
        events = [json.loads(line[5:]) for line in r.iter_lines() if line.startswith("data:")]
    assert [e["type"] for e in events] == ["status", "end"]
