"""The caption form's filler and retake checkboxes travel as the job's options (real browser)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import conftest_redis as _fx
from tests.fixtures_video import talk_src, video_dir  # noqa: F401  (pytest fixtures)
from tests.integration.test_web_page import _job_id, _open, _select, browser  # noqa: F401

pytestmark = pytest.mark.integration

live_server = _fx.live_server
platform = _fx.platform
redis_url = _fx.redis_url


def test_filler_and_retake_boxes_become_job_options(
    live_server: str,
    platform: dict[str, str],
    browser: Any,
    talk_src: Path,
) -> None:
    from redis import Redis

    from reelgraph.app.jobstore import JobStore

    _open(browser, live_server)
    browser.find_element("id", "tab-caption").click()
    for box in ("remove-fillers", "remove-retakes"):
        browser.find_element("id", box).click()
    _select(browser, "caption-style-edit", "pop")
    browser.find_element("id", "caption-file").send_keys(str(talk_src))
    browser.find_element("id", "caption-send").click()
    store = JobStore(Redis.from_url(platform["REDIS_URL"]))
    options = store.get(_job_id(browser, 0))["options"]
    assert options["remove_fillers"] is True and options["remove_retakes"] is True
    assert options["caption_style"] == "pop" and not options.get("remove_silence")
    chips = [c.text for c in browser.find_elements("css selector", ".bubble.user .chip")]
    assert "fillers removed" in chips and "retakes removed" in chips
