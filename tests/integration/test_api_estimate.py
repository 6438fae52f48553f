"""A create job through the real API, Redis and a real worker carries the time left in its
progress before the render, reports predicted against actual, and the worker's host learns
the costs of what ran."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import conftest_redis as _fx
from tests.conftest_redis import wait_job_done

pytestmark = pytest.mark.integration

api = _fx.api
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker


def _events(api, job_id: str) -> list[dict]:
    out: list[dict] = []
    with api.stream("GET", f"/v1/jobs/{job_id}/events") as r:
        for line in r.iter_lines():
            if line.startswith("data:"):
                out.append(json.loads(line[5:].strip()))
                if out[-1]["type"] == "end":
                    break
    return out


def test_create_job_shows_time_left_before_render_and_records_costs(
    api, start_worker, platform, tmp_path: Path
) -> None:
    from reelgraph.settings import get_settings

    xdg = tmp_path / "xdg"  # this worker's own machine cache: the cost file starts empty
    fonts = str(get_settings().fonts_cache_dir)  # the prepared fonts, not built again
    start_worker(extra_env={"XDG_CACHE_HOME": str(xdg), "REELGRAPH_FONTS_CACHE_DIR": fonts})
    body = {
        "kind": "create",
        "input": {"prompt": "tea", "transcript": "Green tea is picked in spring. It tastes fresh."},
        "options": {"width": 180, "height": 320, "music": "none", "quality": "draft"},
    }
    r = api.post("/v1/jobs", json=body)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    view = wait_job_done(api, job_id)
    assert view["status"] == "succeeded", view

    events = _events(api, job_id)
    render_at = next(
        i for i, e in enumerate(events) if e["type"] == "stage" and e["stage"] == "render"
    )
    before = events[:render_at]
    etas = [e["eta_s"] for e in before if e.get("eta_s") is not None]
    assert etas and all(x >= 0 for x in etas), before
    estimate = [e for e in before if e["type"] == "estimate"][-1]["estimate"]
    assert estimate["stages"]["render"] > 0 and estimate["total_s"] >= estimate["eta_s"]
    assert events[render_at].get("eta_s") is not None  # the render's own start carries it

    assert view["eta_s"] == 0.0 and view["estimate"]["stages"]["render"] > 0
    report = api.get(f"/v1/jobs/{job_id}/artifacts/report.json").json()
    assert report["estimate"]["predicted_s"] > 0
    assert report["estimate"]["predicted_before"] == "plan_script"
    assert report["estimate"]["stages"]["render"]["actual_s"] > 0
    assert report["estimate"]["stages"]["render"]["predicted_s"] > 0

    files = list((xdg / "reelgraph" / "costs").glob("*.json"))
    assert len(files) == 1, files
    stages = json.loads(files[0].read_text())["stages"]
    assert stages["render"]["runs"] == 1 and stages["narrate"]["runs"] == 1
    assert stages["render"]["sy"] == pytest.approx(view["timings"]["render"], abs=0.01)
