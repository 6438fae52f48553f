"""Which providers count as configured: keys, the keyless switch, and a run that names one."""

from __future__ import annotations

import pytest

from reelgraph.errors import InvalidInput
from reelgraph.settings import get_settings
from reelgraph.workers.engine.visuals.providers import configured_sources, get_source


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    for name in ("PEXELS_API_KEY", "PIXABAY_API_KEY", "REELGRAPH_IMAGE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REELGRAPH_STOCK_KEYLESS", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_defaults_configure_nothing_that_reaches_the_network() -> None:
    assert configured_sources() == []


def test_a_keyless_provider_named_by_the_run_is_used() -> None:
    assert get_source("openverse") is None and get_source("wikimedia") is None
    assert get_source("openverse", asked=True) is not None
    assert get_source("wikimedia", asked=True) is not None
    assert get_source("pexels", asked=True) is None  # a key is still needed


def test_keys_and_the_keyless_switch_configure_providers(monkeypatch) -> None:
    monkeypatch.setenv("PEXELS_API_KEY", "k")
    monkeypatch.setenv("REELGRAPH_STOCK_KEYLESS", "true")
    get_settings.cache_clear()
    assert [s.name for s in configured_sources()] == ["pexels", "openverse", "wikimedia"]


def test_an_unknown_source_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Unknown visual source"):
        get_source("flickr")
