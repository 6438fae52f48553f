"""Settings from the environment: lists as people write them, and bad values as messages."""

from __future__ import annotations

import pytest

from reelgraph.errors import InvalidInput
from reelgraph.settings import get_settings


@pytest.fixture(autouse=True)
def _fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "raw",
    [
        "127.0.0.1,10.0.0.0/8",
        "127.0.0.1 10.0.0.0/8",
        " 127.0.0.1, 10.0.0.0/8 ",
        '["127.0.0.1", "10.0.0.0/8"]',
    ],
)
def test_allowlist_is_read_comma_space_or_json(monkeypatch, raw: str) -> None:
    monkeypatch.setenv("REELGRAPH_FETCH_ALLOWLIST", raw)
    assert get_settings().fetch_allowlist == ["127.0.0.1", "10.0.0.0/8"]


def test_api_keys_split_on_commas(monkeypatch) -> None:
    monkeypatch.setenv("REELGRAPH_API_KEYS", "alpha,beta")
    assert get_settings().api_keys == ["alpha", "beta"]


@pytest.mark.parametrize(
    ("name", "raw"),
    [("REELGRAPH_FETCH_ALLOWLIST", "[1,"), ("REELGRAPH_CRF", "twenty")],
)
def test_a_bad_value_names_its_variable(monkeypatch, name: str, raw: str) -> None:
    monkeypatch.setenv(name, raw)
    with pytest.raises(InvalidInput, match=name):
        get_settings()
