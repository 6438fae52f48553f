"""Per-run knobs (the graph's context schema): LangGraph Studio can save these as presets."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from reelgraph.errors import InvalidInput
from reelgraph.settings import get_settings
from reelgraph.workers.engine.spec import ASPECT_SIZES


@dataclass
class Context:
    """How one video is made; everything here has a sane default."""

    voice: str = "joe"
    """Piper voice name or path to a piper .onnx voice."""
    caption_style: str = "karaoke"
    """Caption preset: karaoke, pop, clean (see `reelgraph doctor`)."""
    aspect: str = "9:16"
    """9:16 (1080x1920), 16:9 (1920x1080) or 1:1 (1080x1080)."""
    width: int | None = None
    """Explicit output width (overrides the aspect's default size)."""
    height: int | None = None
    """Explicit output height."""
    fps: int = 30
    """Output frames per second."""
    duration: float | None = None
    """Target length in seconds; scenes stretch to fill it (speech is never cut)."""
    music: str = "auto"
    """auto (by the plan's mood), a mood name, or none (a track of your own is an input)."""
    model: str | None = None
    """Chat model name for planning (defaults to settings.llm_model)."""
    quality: str = "standard"
    """draft, standard or high."""
    speed: float = 1.0
    """Narration speed factor."""

    def size(self) -> tuple[int, int]:
        if self.width and self.height:
            return self.width, self.height
        return ASPECT_SIZES[self.aspect]

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> Context:
        known = {f.name for f in fields(cls)}
        ctx = cls(**{k: v for k, v in options.items() if k in known and v is not None})
        ctx.check()
        return ctx

    def check(self) -> None:
        """Raise InvalidInput with an actionable sentence for any absurd value."""
        s = get_settings()
        if self.aspect not in ASPECT_SIZES:
            raise InvalidInput(f"Unknown aspect '{self.aspect}'; use 9:16, 16:9 or 1:1.")
        w, h = self.size()
        if not (16 <= w <= s.max_width and 16 <= h <= s.max_height):
            raise InvalidInput(
                f"Resolution {w}x{h} is out of range; use 16..{s.max_width} x 16..{s.max_height}."
            )
        if w % 2 or h % 2:
            raise InvalidInput(f"Resolution {w}x{h} must have even width and height.")
        if not 1 <= self.fps <= s.max_fps:
            raise InvalidInput(f"fps {self.fps} is out of range; use 1..{s.max_fps}.")
        if self.duration is not None and not 1.0 <= self.duration <= s.max_duration_s:
            raise InvalidInput(
                f"Duration {self.duration:g}s is out of range; use 1..{s.max_duration_s:g} seconds."
            )
        if self.quality not in ("draft", "standard", "high"):
            raise InvalidInput(f"Unknown quality '{self.quality}'; use draft, standard or high.")
        if not 0.5 <= self.speed <= 2.0:
            raise InvalidInput(f"Speed {self.speed:g} is out of range; use 0.5..2.0.")
