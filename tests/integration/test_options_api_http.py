"""Caption look and the other options over real HTTP and Redis: stored by their names, checked
at submission (a 422 naming the option and its values), and taken by the seed route too."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from reelgraph.app.jobstore import JobStore
from tests import conftest_redis as _fx

pytestmark = pytest.mark.integration

api = _fx.api
platform = _fx.platform
redis_url = _fx.redis_url

LOOK = {
    "caption_color": "Yellow",
    "highlight_color": "#ff3366",
    "caption_font": "Bebas Neue",
    "caption_size": 90,
    "caption_position": "top",
}


def _stored(platform: dict[str, str], job_id: str) -> dict[str, Any]:
    rec = JobStore(Redis.from_url(platform["REDIS_URL"])).get(job_id)
    assert rec is not None
    return rec


def test_caption_look_is_accepted_and_stored_by_name(api: Any, platform: dict[str, str]) -> None:
    body = {"kind": "create", "input": {"prompt": "Owls."}, "options": {"style": "pop", **LOOK}}
    r = api.post("/v1/jobs", json=body)
    assert r.status_code == 202, r.text
    assert _stored(platform, r.json()["id"])["options"] == {
        "caption_style": "pop",
        "caption_color": "yellow",
        "highlight_color": "#FF3366",
        "caption_font": "Bebas Neue",
        "caption_size": 90,
        "caption_position": "top",
    }
    caption = {"kind": "caption", "input": {"video": "https://example.com/v.mp4"}}
    r = api.post("/v1/jobs", json={**caption, "options": {"model": "gpt-x", **LOOK}})
    assert r.status_code == 202, r.text
    assert _stored(platform, r.json()["id"])["options"]["llm_model"] == "gpt-x"


@pytest.mark.parametrize(
    ("options", "needles"),
    [
        ({"caption_color": "blurple"}, ["options.caption_color", "deepskyblue", "#RRGGBB"]),
        ({"caption_font": "Papyrus"}, ["options.caption_font", "'Montserrat'", "'Papyrus'"]),
        ({"caption_position": "side"}, ["options.caption_position", "'bottom'"]),
        ({"caption_size": 1000}, ["options.caption_size", "200"]),
        ({"every": 3}, ["every is an option of analyze jobs"]),
    ],
)
def test_bad_look_is_a_422_naming_the_option(
    api: Any, options: dict[str, Any], needles: list[str]
) -> None:
    r = api.post("/v1/jobs", json={"kind": "create", "input": {"prompt": "x"}, "options": options})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_input"
    assert all(n in err["message"] for n in needles), err["message"]


def test_generate_takes_create_options_by_name_or_alias(api: Any, platform: dict[str, str]) -> None:
    body = {"prompt": "Owls", "style": "clean", "caption_color": "white", "model": "gpt-z"}
    r = api.post("/generate", json={**body, "unrelated": 1})  # unknown fields: ignored
    assert r.status_code == 202, r.text
    assert _stored(platform, r.json()["job_id"])["options"] == {
        "caption_style": "clean",
        "caption_color": "white",
        "llm_model": "gpt-z",
    }
    bad = api.post("/generate", json={"prompt": "x", "highlight_color": "nope"})
    assert bad.status_code == 422
    msg = bad.json()["error"]["message"]
    assert msg.startswith("highlight_color: ") and "#RRGGBB" in msg, msg


def test_openapi_lists_the_options_of_each_kind(api: Any) -> None:
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    for name in ("CreateOptions", "CaptionOptions", "AnalyzeOptions"):
        assert name in schemas
    create = schemas["CreateOptions"]["properties"]
    assert create["caption_font"]["anyOf"][0]["enum"] == ["Anton", "Bebas Neue", "Montserrat"]
    assert "zoom" not in create and "zoom" in schemas["CaptionOptions"]["properties"]
