"""Stock providers and the image generator, by name.

The provider modules (Pexels, Pixabay, Openverse, Wikimedia Commons, an OpenAI-compatible
image endpoint) register here; the picker asks only this module. Until they land nothing is
configured, and the picker falls back to the library and cards.
"""

from __future__ import annotations

from pathlib import Path

from reelgraph.errors import InvalidInput
from reelgraph.workers.engine.visuals.candidate import Candidate, Source

#: Every provider name, in the order ``auto`` tries them.
PROVIDERS: tuple[str, ...] = ("pexels", "pixabay", "openverse", "wikimedia", "generate")


def get_source(name: str) -> Source | None:
    """The provider called ``name`` when it is configured (its key set), else None."""
    if name not in PROVIDERS:
        raise InvalidInput(f"Unknown visual source '{name}'; use one of {', '.join(PROVIDERS)}.")
    return None


def configured_sources() -> list[Source]:
    """The configured providers, in ``PROVIDERS`` order."""
    return [s for s in (get_source(n) for n in PROVIDERS) if s is not None]


def download(item: Candidate) -> Path:
    """The item's media as a local file (fetched through the guarded fetcher, cached)."""
    raise InvalidInput(f"No provider can fetch '{item.source}' items yet.")


__all__ = ["PROVIDERS", "configured_sources", "download", "get_source"]
