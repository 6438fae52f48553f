"""The web page's review in a real browser (headless Chromium through Selenium): the review
checkbox, the storyboard cards with their thumbnails and the draft preview, a scene's narration
edited on its card, and the full video rendered from the edited plan."""

from __future__ import annotations

from typing import Any

import httpx

from tests import conftest_redis as _fx
from tests.integration import test_web_page as _page
from tests.integration.test_web_page import RENDER_TIMEOUT_S, _open, _select, _send_prompt, _wait

pytestmark = _page.pytestmark

live_server = _fx.live_server
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker
browser = _page.browser

PROMPT = "Octopuses have three hearts."
EDITED = "Squids glow in the deep dark sea."
CARDS = """
    return [...document.querySelectorAll('.review-card')].map((c) => {
      const img = c.querySelector('img.thumb');
      return {scene: c.dataset.scene, text: c.querySelector('textarea').value,
              duration: c.querySelector('.duration').textContent,
              thumb: !!img && img.complete && img.naturalWidth > 0};
    });
"""
PREVIEW = """
    const v = document.querySelector('video.review-preview');
    return v && v.readyState >= 1 ? [v.videoWidth, v.videoHeight, v.duration] : null;
"""


def _status(driver: Any) -> str:
    return str(driver.execute_script("return document.querySelector('.bubble.job').dataset.status"))


def test_review_on_the_page_edit_a_card_then_render(
    live_server: str, start_worker: Any, browser: Any, platform: dict[str, str]
) -> None:
    from redis import Redis

    from reelgraph.app.jobstore import JobStore

    start_worker()
    _open(browser, live_server)
    _select(browser, "size", "preview")
    browser.find_element("id", "review").click()
    _send_prompt(browser, PROMPT)
    chips = [c.text for c in browser.find_elements("css selector", ".bubble.user .chip")]
    assert "review first" in chips

    def _cards() -> list[dict[str, Any]] | None:
        assert _status(browser) not in ("failed", "succeeded"), browser.find_element(
            "css selector", ".bubble.job"
        ).text
        cards: list[dict[str, Any]] = browser.execute_script(CARDS)
        return cards if cards and all(c["thumb"] for c in cards) else None

    cards = _wait(_cards, RENDER_TIMEOUT_S, "the storyboard cards with thumbnails", 0.5)
    assert cards[0]["text"] == PROMPT and cards[0]["duration"].startswith("Scene 1 · ")
    assert _status(browser) == "awaiting_review"
    job_id = browser.execute_script("return document.querySelector('.bubble.job').dataset.jobId")
    assert JobStore(Redis.from_url(platform["REDIS_URL"])).get(job_id)["options"]["review"] is True
    preview = _wait(lambda: browser.execute_script(PREVIEW), 30, "the draft preview loading")
    assert max(preview[:2]) <= 640 and preview[2] > 0, preview

    card = browser.find_elements("css selector", ".review-card")[0]
    assert card.find_element("css selector", "textarea").get_attribute("readonly") is not None
    card.find_element("css selector", "button.edit").click()
    box = card.find_element("css selector", "textarea")
    box.clear()
    box.send_keys(EDITED)
    browser.find_element("css selector", "button.apply").click()

    def _done() -> bool:
        status = _status(browser)
        assert status not in ("failed", "canceled", "rejected"), status
        ready = "const v = document.querySelector('video.player'); return !!v && v.readyState >= 1"
        return bool(browser.execute_script(ready))

    _wait(_done, RENDER_TIMEOUT_S, "the full video from the edited plan", 0.5)
    assert _status(browser) == "succeeded"
    narrations = [e.text for e in browser.find_elements("css selector", ".storyboard .narration")]
    assert narrations == [EDITED], narrations
    srt = httpx.get(f"{live_server}/v1/jobs/{job_id}/artifacts/captions.srt", timeout=10).text
    assert "Squids glow" in srt
