"""Pure helpers behind the stock providers: renditions, licence names, page words, Retry-After,
redaction of API keys, the generator's endpoint and request body."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest

from reelgraph.settings import get_settings
from reelgraph.workers.engine.visuals.generate import ImageGenerator, endpoint
from reelgraph.workers.engine.visuals.http import redact, retry_after
from reelgraph.workers.engine.visuals.util import (
    cc_license,
    interleave,
    pick_rendition,
    plain_text,
    slug_words,
)


def test_pick_rendition_prefers_the_largest_up_to_1920() -> None:
    files = [
        {"url": "4k", "width": 3840, "height": 2160},
        {"url": "hd", "width": 1920, "height": 1080},
        {"url": "sd", "width": 640, "height": 360},
        {"url": "hls", "width": None, "height": None},
        {"url": "", "width": 1280, "height": 720},
    ]
    assert pick_rendition(files) == {"url": "hd", "width": 1920, "height": 1080}
    assert pick_rendition(files[:1]) == {"url": "4k", "width": 3840, "height": 2160}
    assert pick_rendition(files[3:]) is None


@pytest.mark.parametrize(
    ("code", "version", "name"),
    [
        ("by-sa", "4.0", "CC BY-SA 4.0"),
        ("by", "2.0", "CC BY 2.0"),
        ("cc0", "1.0", "CC0 1.0"),
        ("pdm", "1.0", "Public Domain Mark 1.0"),
        ("", "", ""),
    ],
)
def test_cc_license_names(code: str, version: str, name: str) -> None:
    assert cc_license(code, version) == name


def test_words_from_pages_and_html() -> None:
    assert slug_words("https://www.pexels.com/video/a-red-bus-in-london-123456/") == (
        "a red bus in london"
    )
    assert slug_words("https://example.org/") == ""
    artist = '<a href="//commons.wikimedia.org/wiki/User:X">Jo &amp; Al</a>\n<br> (talk)'
    assert plain_text(artist) == "Jo & Al (talk)"
    assert plain_text(None) == ""


def test_interleave_keeps_everything() -> None:
    assert interleave([1, 2, 3], ["a"]) == [1, "a", 2, 3]
    assert interleave([], ["a", "b"]) == ["a", "b"]


def test_retry_after_seconds_and_dates() -> None:
    assert retry_after("3") == 3.0
    assert retry_after(None) is None and retry_after("soon") is None
    assert retry_after(formatdate(0, usegmt=True)) == 0.0  # a date in the past: no wait
    later = retry_after(formatdate(time.time() + 120, usegmt=True))
    assert later is not None and 100 < later <= 120


def test_redact_hides_plain_and_url_encoded_keys(settings_env) -> None:
    settings_env(PIXABAY_API_KEY="k/ey+with=odd&chars", PEXELS_API_KEY="plainkey123")
    encoded = "k%2Fey%2Bwith%3Dodd%26chars"
    text = f"GET /api/?key={encoded}&q=x Authorization: plainkey123 k/ey+with=odd&chars"
    assert redact(text) == "GET /api/?key=***&q=x Authorization: *** ***"
    assert "plainkey123" not in repr(get_settings())


def test_generator_endpoint_and_body() -> None:
    assert endpoint("http://127.0.0.1:9000") == "http://127.0.0.1:9000/v1/images/generations"
    assert endpoint("https://host/v1/") == "https://host/v1/images/generations"
    assert endpoint(None) == "https://api.openai.com/v1/images/generations"
    gen = ImageGenerator("http://h/v1", None, "dall-e-3")
    assert gen.payload("a cat", "1024x1024") == {
        "model": "dall-e-3",
        "prompt": "a cat",
        "size": "1024x1024",
        "n": 1,
        "response_format": "b64_json",
    }
    assert "response_format" not in ImageGenerator("http://h/v1", "k", "gpt-image-1").payload(
        "a", "s"
    )
