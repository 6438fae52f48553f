"""Stock providers and the image generator, by name; the picker asks only this module.

A provider is configured when it can be used: Pexels and Pixabay with their key
(``PEXELS_API_KEY``, ``PIXABAY_API_KEY``), Openverse and Wikimedia Commons always (they need no
key) unless ``Settings.stock_keyless`` is off, the generator when ``Settings.image_base_url``
or ``Settings.image_api_key`` is set. Searches raise ``reelgraph.errors`` (``ProviderError``,
``ProviderAuthError``, ``FetchRefused``...) after their retries; the caller skips to the next
source and reports the message, which never holds a key.
"""

from __future__ import annotations

from pathlib import Path

from reelgraph.errors import InvalidInput, MissingAsset
from reelgraph.settings import get_settings
from reelgraph.workers.engine.visuals import store
from reelgraph.workers.engine.visuals.candidate import Candidate, Source
from reelgraph.workers.engine.visuals.generate import ImageGenerator
from reelgraph.workers.engine.visuals.openverse import Openverse
from reelgraph.workers.engine.visuals.pexels import Pexels
from reelgraph.workers.engine.visuals.pixabay import Pixabay
from reelgraph.workers.engine.visuals.wikimedia import Wikimedia

#: Every provider name, in the order ``auto`` tries them.
PROVIDERS: tuple[str, ...] = ("pexels", "pixabay", "openverse", "wikimedia", "generate")
#: Display names, for messages and credits.
TITLES = {
    "pexels": "Pexels",
    "pixabay": "Pixabay",
    "openverse": "Openverse",
    "wikimedia": "Wikimedia Commons",
    "generate": "The image generator",
}


def get_source(name: str, *, asked: bool = False) -> Source | None:
    """The provider called ``name`` when it is configured (its key set), else None.

    Openverse and Wikimedia Commons need no key: they count as configured when the run names
    them (``asked``, e.g. ``--visuals openverse``) or ``Settings.stock_keyless`` is on.
    """
    if name not in PROVIDERS:
        raise InvalidInput(f"Unknown visual source '{name}'; use one of {', '.join(PROVIDERS)}.")
    s = get_settings()
    if name == "pexels" and s.pexels_api_key and s.pexels_api_key.get_secret_value():
        return Pexels(s.pexels_url, s.pexels_api_key.get_secret_value())
    if name == "pixabay" and s.pixabay_api_key and s.pixabay_api_key.get_secret_value():
        return Pixabay(s.pixabay_url, s.pixabay_api_key.get_secret_value())
    if name == "openverse" and (s.stock_keyless or asked):
        return Openverse(s.openverse_url)
    if name == "wikimedia" and (s.stock_keyless or asked):
        return Wikimedia(s.wikimedia_url)
    if name == "generate" and s.image_configured:
        key = s.image_api_key.get_secret_value() if s.image_api_key else None
        return ImageGenerator(s.image_base_url, key, s.image_model)
    return None


def configured_sources() -> list[Source]:
    """The configured providers, in ``PROVIDERS`` order."""
    return [s for s in (get_source(n) for n in PROVIDERS) if s is not None]


def download(item: Candidate) -> Path:
    """The item's media as a local file: fetched through the guarded fetcher, checked (type
    sniffed and decoded, size limits as for user media) and cached by URL and validator.

    Items that already are local files (generated images, library items) are returned as is.
    """
    if item.path:
        path = Path(item.path)
        if not path.is_file():
            raise MissingAsset(f"The {item.source} item {item.id} is no longer on disk.")
        return path
    if not item.url:
        raise InvalidInput(f"The {item.source} item {item.id} has neither a URL nor a file.")
    title = TITLES.get(item.source, item.source)
    return store.fetch_file(item.url, kind=item.kind, provider=title)


__all__ = ["PROVIDERS", "TITLES", "configured_sources", "download", "get_source"]
