"""What a visual source offers for one scene, and the interface every source implements.

A source (the local library, a stock provider, an image generator) answers a scene's search
query with ``Candidate`` items; the picker ranks them, fetches the chosen one through the
guarded fetcher (or reads it from the library) and records its credit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

Kind = Literal["image", "video"]
Orientation = Literal["landscape", "portrait", "square"]


@dataclass(frozen=True)
class Candidate:
    """One item a source offers: where it is, what it shows, and whose it is."""

    source: str
    """The source's name: ``library``, ``pexels``, ``pixabay``, ``openverse``, ``wikimedia``,
    ``generate``."""
    id: str
    """The item's id at its source (a path relative to the library for library items)."""
    kind: Kind
    url: str = ""
    """Where the media bytes are (fetched through the guarded fetcher); empty for library items."""
    path: str = ""
    """A local file (library items, generated images already written)."""
    text: str = ""
    """The item's own words: alt text, title, tags, description or file name, for ranking."""
    width: int = 0
    height: int = 0
    duration: float = 0.0
    """Seconds, for video clips."""
    page_url: str = ""
    """The item's page at its source (shown in the credits)."""
    license: str = ""
    """Licence name, e.g. ``Pexels License``, ``CC BY-SA 4.0``."""
    license_url: str = ""
    author: str = ""
    author_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def attribution(self) -> str:
        """One line for credits: '"title" by author (licence), source page'."""
        who = f" by {self.author}" if self.author else ""
        lic = f" ({self.license})" if self.license else ""
        where = f", {self.page_url}" if self.page_url else ""
        return f"{self.source} {self.id}{who}{lic}{where}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Source(Protocol):
    """A visual source. ``search`` raises ``reelgraph.errors`` on failure, never returns None."""

    name: str

    def search(
        self, query: str, *, kind: Kind | None, orientation: Orientation, limit: int
    ) -> list[Candidate]:
        """Items matching ``query`` (best first, as the source ranks them)."""
        ...


__all__ = ["Candidate", "Kind", "Orientation", "Source"]
