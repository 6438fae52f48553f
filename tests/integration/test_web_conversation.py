"""The conversation on the web page in a real browser (headless Chromium through Selenium), with a
live uvicorn server and a real worker: a prompt typed and sent with the keyboard only, then
"make the captions yellow"; both versions play, side by side on a desktop and stacked at phone
width (screenshots of both saved), and a reload shows the same conversation."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import conftest_redis as _fx
from tests.integration import test_web_page as _page
from tests.integration.test_web_page import RENDER_TIMEOUT_S, _open, _select, _wait

pytestmark = _page.pytestmark

live_server = _fx.live_server
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker
browser = _page.browser

DESKTOP_SHOT = Path("/tmp/web_conversation_desktop.png")
PHONE_SHOT = Path("/tmp/web_conversation_phone.png")
PHONE_CHAT_SHOT = Path("/tmp/web_conversation_phone_chat.png")
PROMPT = "Octopuses have three hearts. Their blood is blue."
FOLLOW_UP = "make the captions yellow"
#: Records every time left the first job card showed (the estimate, issue 12).
WATCH_TIME_LEFT = """
    window.__timeLeft = [];
    new MutationObserver(() => {
      const eta = document.querySelector('#log .bubble.job .job-eta');
      const text = eta ? eta.textContent : '';
      if (text && window.__timeLeft[window.__timeLeft.length - 1] !== text) {
        window.__timeLeft.push(text);
      }
    }).observe(document.body, {childList: true, subtree: true, characterData: true});
"""
VERSIONS = """
    return [...document.querySelectorAll('#version-grid .version')].map((card) => {
      const v = card.querySelector('video.player'), r = card.getBoundingClientRect();
      return {version: Number(card.dataset.version), status: card.dataset.status,
              badge: card.querySelector('.version-badge').textContent,
              changed: card.querySelector('.changed').textContent,
              src: v ? v.currentSrc : '', ready: !!v && v.readyState >= 1,
              duration: v ? v.duration : 0, size: v ? [v.videoWidth, v.videoHeight] : [],
              downloads: [...card.querySelectorAll('a.download')].map((a) => a.dataset.kind),
              box: [r.left, r.top, r.right, r.bottom]};
    });
"""


def _cards(driver: Any, count: int) -> list[dict[str, Any]] | None:
    """The version cards once ``count`` of them play (duration known); fails on a failed turn."""
    failed = driver.execute_script(
        "return [...document.querySelectorAll('.bubble.job')]"
        ".filter((j) => ['failed', 'canceled'].includes(j.dataset.status))"
        ".map((j) => j.textContent)"
    )
    assert not failed, failed
    cards: list[dict[str, Any]] = driver.execute_script(VERSIONS)
    playing = [c for c in cards if c["ready"] and c["duration"] > 0]
    return cards if len(playing) >= count else None


def _tab_until(driver: Any, selector: str, limit: int = 40, start: bool = True) -> int:
    """Press Tab (from the top of the page when ``start``) until the focused element matches
    the CSS ``selector``; the presses. The focus must be visible on the way."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    if start:
        driver.execute_script("document.activeElement && document.activeElement.blur()")
    for presses in range(1, limit + 1):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.execute_script("return document.activeElement.matches(arguments[0])", selector):
            return presses
    pytest.fail(f"{selector} was not reached with {limit} presses of Tab")


def _tab_to(driver: Any, element_id: str) -> int:
    return _tab_until(driver, f"#{element_id}")


def _focus_is_visible(driver: Any) -> bool:
    """The focused element draws an outline (or, for the composer, its panel a ring)."""
    return bool(
        driver.execute_script(
            "const e = document.activeElement, s = getComputedStyle(e);"
            "const p = e.closest('.panel');"
            "return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)"
            " || (!!p && getComputedStyle(p).boxShadow !== 'none');"
        )
    )


def _type_and_enter(driver: Any, text: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(driver).send_keys(text).perform()
    ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    value = driver.execute_script("return document.getElementById('prompt').value")
    assert value == text + "\n", "Shift+Enter must start a new line, not send"
    ActionChains(driver).send_keys(Keys.BACKSPACE).send_keys(Keys.ENTER).perform()


def _viewport(driver: Any, width: int, height: int, mobile: bool) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    size = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    assert size == [width, height], size


def _screenshot(driver: Any, path: Path, element_id: str = "versions") -> None:
    driver.execute_script("document.getElementById(arguments[0]).scrollIntoView()", element_id)
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000


def _send_by_keyboard(driver: Any, text: str) -> None:
    _tab_to(driver, "prompt")
    assert _focus_is_visible(driver)
    _type_and_enter(driver, text)
    bubbles = _wait(
        lambda: [
            b.text
            for b in driver.find_elements("css selector", "#log .bubble.user .message-text")
            if b.text == text
        ],
        10,
        f"the message {text!r} appearing",
    )
    assert bubbles == [text]
    assert driver.execute_script("return document.getElementById('prompt').value") == ""


def test_a_prompt_then_yellow_captions_gives_two_versions_that_play(
    live_server: str, start_worker: Any, browser: Any
) -> None:
    start_worker()
    _viewport(browser, 1280, 800, mobile=False)
    _open(browser, live_server)
    _page._options(browser)
    _select(browser, "aspect", "9:16")
    _select(browser, "size", "tiny")
    _select(browser, "caption-style", "clean")
    _select(browser, "music", "none")
    browser.execute_script(WATCH_TIME_LEFT)

    _send_by_keyboard(browser, PROMPT)
    thread = _wait(
        lambda: browser.execute_script("return document.body.dataset.thread"),
        15,
        "the thread being made",
    )
    assert browser.current_url.endswith(f"#thread={thread}")
    assert browser.find_element("id", "thread-options").get_attribute("disabled") is not None
    assert browser.find_element("id", "options-box").get_attribute("open") is None  # folded
    first = _wait(lambda: _cards(browser, 1), RENDER_TIMEOUT_S, "version 1 playing", 0.5)
    assert [c["version"] for c in first] == [1] and first[0]["size"] == [180, 320], first
    stages = {
        li.get_attribute("data-stage")
        for li in browser.find_elements("css selector", "#log .bubble.job .stages .stage")
    }
    assert {"plan_script", "render"} <= stages, stages
    shown = browser.execute_script("return window.__timeLeft")
    assert shown, "the page never showed the time left while the job ran"
    assert all(re.fullmatch(r"about \d+( min \d+)? s left", t) for t in shown), shown
    eta = browser.find_element("css selector", "#log .bubble.job .job-eta")
    assert eta.text == "", "the time left is cleared when the job ends"

    _send_by_keyboard(browser, FOLLOW_UP)
    cards = _wait(lambda: _cards(browser, 2), RENDER_TIMEOUT_S, "version 2 playing", 0.5)
    latest, previous = cards
    assert (latest["version"], previous["version"]) == (2, 1), cards
    assert (latest["badge"], previous["badge"]) == ("Latest", "Previous")
    assert "yellow" in latest["changed"], latest
    assert latest["src"] != previous["src"]
    for card in cards:
        assert card["duration"] > 0 and card["status"] == "succeeded", card
        assert card["downloads"] == ["mp4", "srt", "report", "spec"], card
    # side by side: the latest on the left, the previous one level with it on the right
    assert latest["box"][2] <= previous["box"][0] and latest["box"][1] == previous["box"][1]
    plan = [e.text for e in browser.find_elements("css selector", "#plan-box .narration")]
    assert plan and plan[0].startswith("Octopuses"), plan  # the current plan's scenes
    replies = [e.text for e in browser.find_elements("css selector", "#log .bubble.reply")]
    assert len(replies) == 2 and "Version 2" in replies[1], replies
    # the versions come after the composer in the Tab order: players and downloads
    _tab_until(browser, "#version-2 a.download[data-kind='mp4']", start=False)
    assert _focus_is_visible(browser)
    srt = browser.find_element("css selector", "#version-2 a.download[data-kind='srt']")
    answer = httpx.get(srt.get_attribute("href"), timeout=10)
    assert answer.status_code == 200 and "-->" in answer.text
    _screenshot(browser, DESKTOP_SHOT)

    _viewport(browser, 390, 844, mobile=True)
    browser.refresh()  # the hash names the thread: the same conversation comes back
    _wait(
        lambda: browser.execute_script("return document.body.dataset.ready === '1'"),
        10,
        "the page script starting",
    )
    cards = _wait(lambda: _cards(browser, 2), 30, "both versions playing after a reload", 0.5)
    latest, previous = cards
    assert previous["box"][1] >= latest["box"][3], "stacked at phone width"
    assert latest["box"][2] <= 390 and previous["box"][2] <= 390, cards
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth > window.innerWidth"
    )
    assert not overflow, "nothing may scroll sideways at phone width"
    texts = [
        e.text for e in browser.find_elements("css selector", "#log .bubble.user .message-text")
    ]
    assert texts == [PROMPT, FOLLOW_UP]
    _screenshot(browser, PHONE_SHOT)
    _screenshot(browser, PHONE_CHAT_SHOT, "tab-chat")


def test_a_new_conversation_is_made_by_its_first_message(
    live_server: str, platform: dict[str, str], browser: Any, tmp_path: Path
) -> None:
    """No worker: the message is queued; its thread carries the options chosen on the page and
    the picture attached; a thread the server does not know is forgotten, saying so."""
    from PIL import Image
    from redis import Redis

    from reelgraph.app.jobstore import JobStore

    browser.get(live_server + "/#thread=thr_nosuchthread")
    _wait(
        lambda: [e.text for e in browser.find_elements("css selector", "#log .error") if e.text],
        10,
        "the unknown thread being explained",
    )
    assert browser.execute_script("return document.body.dataset.thread") == ""
    assert "#thread=" not in browser.current_url

    picture = tmp_path / "red.png"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(picture)
    _open(browser, live_server)
    _page._options(browser)
    _select(browser, "caption-style", "bold")
    _select(browser, "caption-font", "Bebas Neue")
    browser.find_element("id", "attach").send_keys(str(picture))
    assert browser.find_element("id", "attach-names").text == "red.png"
    _send_by_keyboard(browser, PROMPT)
    job_id = _page._job_id(browser, 0)
    rec = JobStore(Redis.from_url(platform["REDIS_URL"])).get(job_id)
    thread = browser.execute_script("return document.body.dataset.thread")
    assert rec["input"]["thread"] == thread and rec["input"]["text"] == PROMPT
    digest = hashlib.sha256(picture.read_bytes()).hexdigest()
    assert rec["input"]["attachments"] == ["asset_" + digest[:32]]  # the upload of that file
    assert (rec["options"]["caption_style"], rec["options"]["caption_font"]) == (
        "bold",
        "Bebas Neue",
    )
    chips = [c.text for c in browser.find_elements("css selector", ".bubble.user .chip")]
    assert "font Bebas Neue" in chips

    browser.find_element("id", "new-thread").click()
    assert browser.execute_script("return document.body.dataset.thread") == ""
    assert browser.find_elements("css selector", "#log .bubble") == []
    assert browser.switch_to.active_element.get_attribute("id") == "prompt"
    assert browser.find_element("id", "options-box").get_attribute("open") is not None
    assert browser.find_element("id", "thread-options").get_attribute("disabled") is None
