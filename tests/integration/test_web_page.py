"""The web page in a real browser: Debian's Chromium driven by Selenium via the system chromedriver.

A live uvicorn server and a real worker render a small video submitted through the page; the
test waits for the player, the storyboard and the caption links, and checks that the time left
was shown while the job ran. A second test checks that a
prompt carrying HTML is shown as text and never runs.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import conftest_redis as _fx
from tests.conftest_redis import wait_for

pytestmark = pytest.mark.integration

# fixtures from the platform fixture module
live_server = _fx.live_server
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker

SCREENSHOT = Path("/tmp/web_page.png")
PROMPT = "Octopuses have three hearts. Their blood is blue."
XSS = '<img src=x onerror="window.__pwned=1"> hello'
RENDER_TIMEOUT_S = 240
CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--window-size=1100,1400",
)


#: Records every text the job's time-left element shows (a MutationObserver installed before
#: the job is sent, so no update is missed however fast the job runs).
WATCH_TIME_LEFT = """
    window.__timeLeft = [];
    new MutationObserver(() => {
      const eta = document.querySelector('.bubble.job .job-eta');
      const text = eta ? eta.textContent : '';
      if (text && window.__timeLeft[window.__timeLeft.length - 1] !== text) {
        window.__timeLeft.push(text);
      }
    }).observe(document.body, {childList: true, subtree: true, characterData: true});
"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Headless Chromium through the system chromedriver (Selenium Manager never downloads)."""
    pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[dev]')")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chrome, driver_path = _chromium(), shutil.which("chromedriver")
    if not chrome or not driver_path:
        pytest.skip("chromium or chromedriver is missing: apt-get install chromium chromium-driver")
    monkeypatch.setenv("SE_OFFLINE", "true")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chrome
    for arg in CHROME_ARGS:
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(fn: Callable[[], Any], timeout: float, what: str, interval: float = 0.25) -> Any:
    return wait_for(fn, timeout=timeout, interval=interval, what=what)


def _open(driver: Any, base: str) -> None:
    driver.get(base + "/")
    _wait(
        lambda: driver.execute_script("return document.body.dataset.ready === '1'"),
        10,
        "the page script starting",
    )


def _select(driver: Any, element_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", element_id)).select_by_value(value)


def _send_prompt(driver: Any, text: str) -> None:
    box = driver.find_element("id", "prompt")
    box.clear()
    box.send_keys(text)
    driver.find_element("id", "send").click()


def test_page_is_served_with_a_strict_csp(live_server: str) -> None:
    r = httpx.get(live_server + "/", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert '<script src="/web/app.js"' in r.text and "<script>" not in r.text
    js = httpx.get(live_server + "/web/app.js", timeout=10)
    assert js.status_code == 200
    assert not re.search(r"\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write", js.text)
    assert httpx.get(live_server + "/web/app.css", timeout=10).status_code == 200
    assert "/" not in httpx.get(live_server + "/openapi.json", timeout=10).json()["paths"]


def test_create_video_from_the_page(live_server: str, start_worker: Any, browser: Any) -> None:
    start_worker()
    _open(browser, live_server)
    _select(browser, "aspect", "16:9")
    _select(browser, "size", "preview")
    browser.execute_script(WATCH_TIME_LEFT)
    _send_prompt(browser, PROMPT)

    user = _wait(
        lambda: browser.find_elements("css selector", ".bubble.user"),
        10,
        "the user message appearing",
    )
    assert user[0].find_element("css selector", ".message-text").text == PROMPT
    job_id = _wait(
        lambda: browser.execute_script(
            "const j = document.querySelector('.bubble.job'); return j && j.dataset.jobId"
        ),
        15,
        "the job being accepted",
    )
    assert job_id.startswith("job")

    seen_stages: set[str] = set()
    poll = """
        const j = document.querySelector('.bubble.job'), v = document.querySelector('video.player');
        return {status: j.dataset.status || '', stage: j.querySelector('.job-stage').textContent,
                bar: !!j.querySelector('progress.job-progress'),
                ready: !!v && v.readyState >= 1 && v.duration > 1};
    """

    def _player_ready() -> bool:
        now = browser.execute_script(poll)
        if now["status"] == "running" and now["bar"] and now["stage"]:
            seen_stages.add(now["stage"])
        if now["status"] in ("failed", "canceled"):
            text = browser.find_element("css selector", ".bubble.job").text
            pytest.fail(f"the job ended {now['status']}: {text}")
        return bool(now["ready"])

    _wait(_player_ready, RENDER_TIMEOUT_S, "the rendered video loading in the player", 0.5)
    stages = [
        li.get_attribute("data-stage")
        for li in browser.find_elements("css selector", ".stages .stage")
    ]
    assert seen_stages, "the progress UI never showed a stage name"
    assert "plan_script" in stages and "render" in stages, stages
    size = browser.execute_script(
        "const v = document.querySelector('video.player');"
        "return [v.videoWidth, v.videoHeight, v.duration]"
    )
    assert size[:2] == [640, 360], size
    assert 1.0 < size[2] < 60.0, size

    scenes = _wait(
        lambda: browser.find_elements("css selector", ".storyboard .scene"),
        15,
        "the storyboard listing scenes",
    )
    assert scenes[0].find_element("css selector", ".narration").text.strip()
    links = {
        a.get_attribute("data-name"): a.get_attribute("href")
        for a in browser.find_elements("css selector", "a.download")
    }
    assert {"captions.srt", "captions.vtt", "video.mp4"} <= set(links), links
    srt = httpx.get(links["captions.srt"], timeout=10)
    assert srt.status_code == 200 and "-->" in srt.text
    assert links["captions.srt"].startswith(live_server), "links must point at this server"
    status = browser.find_element("css selector", ".bubble.job .status-pill").text.lower()
    assert status == "succeeded"
    shown = browser.execute_script("return window.__timeLeft")
    assert shown, "the page never showed the time left while the job ran"
    assert all(re.fullmatch(r"about \d+( min \d+)? s left", t) for t in shown), shown
    eta = browser.find_element("css selector", ".bubble.job .job-eta")
    assert eta.text == "", "the time left is cleared when the job ends"

    browser.execute_script("document.querySelector('video.player').scrollIntoView()")
    browser.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000


def test_html_in_a_prompt_is_shown_as_text_and_never_runs(live_server: str, browser: Any) -> None:
    _open(browser, live_server)
    _send_prompt(browser, XSS)
    bubble = _wait(
        lambda: browser.find_elements("css selector", ".bubble.user .message-text"),
        10,
        "the user message appearing",
    )
    _wait(
        lambda: browser.execute_script(
            "const j = document.querySelector('.bubble.job'); return j && j.dataset.jobId"
        ),
        15,
        "the job being accepted",
    )
    time.sleep(0.5)  # give a broken image's onerror a chance to fire
    assert bubble[0].text == XSS
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    assert browser.find_elements("css selector", "#log img") == []


def _type(driver: Any, element_id: str, text: str) -> None:
    box = driver.find_element("id", element_id)
    box.clear()
    box.send_keys(text)


def _job_id(driver: Any, index: int) -> str:
    return _wait(
        lambda: driver.execute_script(
            "const j = document.querySelectorAll('.bubble.job')[arguments[0]];"
            "return j && j.dataset.jobId",
            index,
        ),
        15,
        "the job being accepted",
    )


def test_caption_look_controls_travel_as_job_options(
    live_server: str, platform: dict[str, str], browser: Any
) -> None:
    from redis import Redis

    from reelgraph.app.jobstore import JobStore

    _open(browser, live_server)
    _select(browser, "caption-style", "bold")
    _select(browser, "caption-font", "Bebas Neue")
    _select(browser, "caption-position", "top")
    _type(browser, "caption-color", "DeepSkyBlue")
    _type(browser, "caption-size", "64")
    browser.execute_script(  # the colour picker fills the text box beside it
        "const s = document.querySelector('.swatch[data-for=\"highlight-color\"]');"
        "s.value = '#ff8800'; s.dispatchEvent(new Event('input'));"
    )
    assert browser.find_element("id", "highlight-color").get_attribute("value") == "#FF8800"
    _send_prompt(browser, PROMPT)
    store = JobStore(Redis.from_url(platform["REDIS_URL"]))
    options = store.get(_job_id(browser, 0))["options"]
    assert {k: options.get(k) for k in ("caption_style", "caption_font", "caption_position")} == {
        "caption_style": "bold",
        "caption_font": "Bebas Neue",
        "caption_position": "top",
    }
    assert (options["caption_color"], options["highlight_color"]) == ("deepskyblue", "#FF8800")
    assert options["caption_size"] == 64
    chips = browser.find_elements("css selector", ".bubble.user .chip")
    assert "font Bebas Neue" in [c.text for c in chips]

    _type(browser, "caption-color", "blurple")  # refused by the API; the card says why
    _send_prompt(browser, PROMPT)
    error = _wait(
        lambda: [
            e.text
            for e in browser.find_elements("css selector", ".bubble.job .error")
            if "not a colour" in e.text
        ],
        15,
        "the refused colour being explained",
    )
    assert "caption_color" in error[0] and "#RRGGBB" in error[0]
