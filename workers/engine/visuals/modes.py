"""The ``visuals`` modes: where scenes' pictures come from."""

from __future__ import annotations

from reelgraph.workers.engine.visuals.providers import PROVIDERS

#: auto: the library, then the configured providers, then generation, then cards (per scene);
#: library / a provider name / generate: that source only, cards when nothing fits; cards: cards.
MODES: tuple[str, ...] = ("auto", "library", *PROVIDERS, "cards")

__all__ = ["MODES"]
