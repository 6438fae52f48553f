"""caption and analyze from a page URL: the CLI (embedded) and an API job run by a real worker.

The page is a loopback HTML page embedding the real talk video in a ``<video>`` tag, allowed
through REELGRAPH_FETCH_ALLOWLIST; the results carry the page's title and address.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from reelgraph.settings import get_settings
from tests import conftest_redis as _fx
from tests.conftest_redis import wait_job_done
from tests.fixtures_video import TALK_TEXT, talk_src, video_dir  # noqa: F401  (pytest fixtures)
from tests.page_site import PageSite, serve_site

pytestmark = pytest.mark.integration

api = _fx.api
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker

TITLE = "Lakeside talk"


@pytest.fixture(scope="module")
def site(talk_src: Path) -> Iterator[PageSite]:
    with serve_site() as s:
        s.add("/media/talk.mp4", talk_src.read_bytes(), "video/mp4")
        s.video_page("/watch/lakeside.html", TITLE, "/media/talk.mp4")
        s.page("/watch/empty.html", "Nothing to see", "<p>Only words here.</p>")
        yield s


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REELGRAPH_FETCH_ALLOWLIST", '["127.0.0.1"]')
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _words(text: str) -> set[str]:
    return set(re.sub(r"[^a-z ]", "", text.lower()).split())


def _check_page(source: dict, url: str) -> None:
    assert source["origin"] == "page"
    assert source["page"]["url"] == url and source["page"]["title"].startswith(TITLE)


def test_caption_cli_from_a_page(site, home) -> None:
    from reelgraph.app.cli import main

    url = site.base + "/watch/lakeside.html"
    out = home / "talk.mp4"
    assert main(["caption", url, "-o", str(out), "-q", "--size", "320x180"]) == 0
    report = json.loads(out.with_name("talk.report.json").read_text())
    _check_page(report["source"], url)
    assert report["duration_out"] > 2 and out.stat().st_size > 10_000
    srt = out.with_suffix(".srt").read_text().lower()
    assert len(_words(srt) & _words(TALK_TEXT)) >= 5


def test_analyze_cli_from_a_page_and_a_clear_refusal(site, home, monkeypatch, capsys) -> None:
    from reelgraph.app.cli import main

    url = site.base + "/watch/lakeside.html"
    out = home / "a.json"
    assert main(["analyze", url, "-o", str(out), "--every", "60", "-q"]) == 0
    doc = json.loads(out.read_text())
    _check_page(doc["source"], url)
    assert doc["metadata"]["has_video"] and doc["metadata"]["has_audio"]
    assert len(_words(doc["transcript"]["text"]) & _words(TALK_TEXT)) >= 5
    capsys.readouterr()
    assert main(["analyze", site.base + "/watch/empty.html", "-q"]) == 1
    assert "error: No video was found on http://127.0.0.1:" in capsys.readouterr().err
    monkeypatch.delenv("REELGRAPH_FETCH_ALLOWLIST")
    get_settings.cache_clear()
    other = site.base + "/watch/lakeside.html?again=1"  # not in the download cache
    assert main(["analyze", other, "-q"]) == 1
    err = capsys.readouterr().err
    assert "127.0.0.1, a loopback address" in err and "Traceback" not in err


def test_process_route_analyzes_a_page_in_the_worker(api, start_worker, platform, site) -> None:
    start_worker()
    url = site.base + "/watch/lakeside.html"
    r = api.post("/process", json={"url": url})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    view = wait_job_done(api, job_id)
    assert view["status"] == "succeeded", view
    result = api.get(f"/result/{job_id}").json()
    _check_page(result["result"]["source"], url)
    doc = api.get(f"/v1/jobs/{job_id}/artifacts/analysis.json").json()
    _check_page(doc["source"], url)
    assert len(_words(doc["transcript"]["text"]) & _words(TALK_TEXT)) >= 5

    r = api.post(
        "/v1/jobs", json={"kind": "analyze", "input": {"video": site.base + "/watch/empty.html"}}
    )
    assert r.status_code == 202, r.text
    view = wait_job_done(api, r.json()["id"])
    assert view["status"] == "failed"
    assert view["error"]["code"] == "no_video_found"
    assert view["error"]["message"].startswith("No video was found on http://127.0.0.1:")
