"""Review in the conversation page, in a real browser (headless Chromium through Selenium): the
"Review before render" box, the storyboard cards with their thumbnails and the draft preview,
a scene's narration edited on its card, and version 1 rendered from the edited plan."""

from __future__ import annotations

from typing import Any

import httpx
from selenium.webdriver.common.keys import Keys

from tests import conftest_redis as _fx
from tests.integration import test_web_page as _page
from tests.integration.test_web_conversation import _cards, _send_by_keyboard, _viewport
from tests.integration.test_web_page import RENDER_TIMEOUT_S, _open, _select, _wait

pytestmark = _page.pytestmark

live_server = _fx.live_server
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker
browser = _page.browser

PROMPT = "Octopuses have three hearts."
EDITED = "Squids glow in the deep dark sea."
STORYBOARD = """
    return [...document.querySelectorAll('.review-card')].map((c) => {
      const img = c.querySelector('img.thumb');
      return {text: c.querySelector('textarea').value,
              thumb: !!img && img.complete && img.naturalWidth > 0};
    });
"""
PREVIEW = """
    const v = document.querySelector('video.review-preview');
    return v && v.readyState >= 1 ? [v.videoWidth, v.videoHeight, v.duration] : null;
"""


def test_the_storyboard_is_edited_on_its_card_then_rendered(
    live_server: str, start_worker: Any, browser: Any
) -> None:
    start_worker()
    _viewport(browser, 1280, 800, mobile=False)
    _open(browser, live_server)
    _page._options(browser)
    _select(browser, "size", "tiny")
    _select(browser, "music", "none")
    browser.find_element("id", "review").click()
    _send_by_keyboard(browser, PROMPT)

    def storyboard() -> list[dict[str, Any]] | None:
        status = browser.execute_script(
            "const j = document.querySelector('#log .bubble.job'); return j && j.dataset.status"
        )
        assert status not in ("failed", "canceled", "succeeded"), status
        cards: list[dict[str, Any]] = browser.execute_script(STORYBOARD)
        return cards if cards and all(c["thumb"] for c in cards) else None

    cards = _wait(storyboard, RENDER_TIMEOUT_S, "the storyboard cards with thumbnails", 0.5)
    assert cards[0]["text"] == PROMPT, cards
    preview = _wait(lambda: browser.execute_script(PREVIEW), 30, "the draft preview loading")
    assert max(preview[:2]) <= 640 and preview[2] > 0, preview

    card = browser.find_elements("css selector", ".review-card")[0]
    edit = card.find_element("css selector", "button.edit")
    edit.send_keys(Keys.ENTER)
    box = card.find_element("css selector", "textarea")
    box.clear()
    box.send_keys(EDITED)
    apply = browser.find_element("css selector", "button.apply")
    apply.send_keys(Keys.ENTER)  # by keyboard, as the page must allow

    versions = _wait(lambda: _cards(browser, 1), RENDER_TIMEOUT_S, "version 1 playing", 0.5)
    assert [v["version"] for v in versions] == [1], versions
    job_id = browser.execute_script(
        "return document.querySelector('#log .bubble.job').dataset.jobId"
    )
    srt = httpx.get(f"{live_server}/v1/jobs/{job_id}/artifacts/captions.srt", timeout=10).text
    assert "Squids glow" in srt and "hearts" not in srt
