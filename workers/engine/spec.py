"""The RenderSpec: the versioned contract between planning (graph nodes) and rendering (workers).

Nodes produce it, workers consume it. Every path in it is a local file already resolved and
validated by the ingest step; user-given URLs never reach the renderer.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SPEC_VERSION = 1

Aspect = Literal["9:16", "16:9", "1:1"]
ASPECT_SIZES: dict[str, tuple[int, int]] = {
    "9:16": (1080, 1920),
    "16:9": (1920, 1080),
    "1:1": (1080, 1080),
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Output(_Model):
    width: int = Field(1080, ge=16, le=7680, multiple_of=2)
    height: int = Field(1920, ge=16, le=7680, multiple_of=2)
    fps: int = Field(30, ge=1, le=120)
    quality: Literal["draft", "standard", "high"] = "standard"
    encoder: str = "auto"
    """Preferred video encoder: auto (trial-encode), libx264 or h264_nvenc."""


class Motion(_Model):
    """Ken Burns: scale and focus point move linearly from ``from`` to ``to`` across the clip."""

    zoom_from: float = Field(1.0, ge=1.0, le=4.0)
    zoom_to: float = Field(1.15, ge=1.0, le=4.0)
    x_from: float = Field(0.5, ge=0.0, le=1.0)
    y_from: float = Field(0.5, ge=0.0, le=1.0)
    x_to: float = Field(0.5, ge=0.0, le=1.0)
    y_to: float = Field(0.5, ge=0.0, le=1.0)
    periodic_zoom: float = Field(0.0, ge=0.0, le=0.5)
    """Amplitude of an extra in/out zoom cycle (caption/edit flows); 0 disables it."""
    period_s: float = Field(6.0, gt=0.5, le=120)


class Transition(_Model):
    kind: Literal["none", "fade", "crossfade"] = "crossfade"
    duration: float = Field(0.5, ge=0.0, le=3.0)


class Visual(_Model):
    kind: Literal["image", "video", "card"]
    path: str
    """Local file (an image, a pre-drawn card PNG, or a source video)."""
    duration: float = Field(gt=0.0, le=3600.0)
    start: float = Field(0.0, ge=0.0)
    """For video: the source time the clip starts at."""
    motion: Motion | None = None
    transition: Transition = Field(default_factory=Transition)
    """Transition into the next visual."""
    crop: tuple[float, float, float, float] | None = None
    """For video: x, y, w, h as fractions of the source frame (reframe); None = fill-crop."""
    focus_track: list[tuple[float, float, float]] | None = None
    """For video: (time, x, y) focus points in 0..1 for a face-following reframe/zoom."""


class Overlay(_Model):
    kind: Literal["image", "video"]
    path: str
    start: float = Field(ge=0.0)
    end: float = Field(gt=0.0)
    x: float = Field(0.5, ge=0.0, le=1.0)
    y: float = Field(0.5, ge=0.0, le=1.0)
    width: float = Field(0.25, gt=0.0, le=1.0)
    """Width as a fraction of the output width."""
    fullscreen: bool = False
    opacity: float = Field(1.0, ge=0.0, le=1.0)


class Cut(_Model):
    start: float = Field(ge=0.0)
    end: float = Field(gt=0.0)


class Word(_Model):
    text: str = Field(min_length=1, max_length=200)
    start: float = Field(ge=0.0)
    end: float = Field(ge=0.0)
    emphasis: bool = False


class Captions(_Model):
    words: list[Word] = Field(default_factory=list)
    style: str = "karaoke"
    ass_path: str | None = None
    """The compiled .ass file; the renderer burns it with libass."""
    fonts_dir: str | None = None


class Music(_Model):
    path: str
    volume_db: float = Field(-12.0, ge=-60.0, le=6.0)
    loop: bool = True
    fade_in: float = Field(1.0, ge=0.0, le=30.0)
    fade_out: float = Field(2.0, ge=0.0, le=30.0)
    duck: bool = True


class Audio(_Model):
    narration: str | None = None
    """Narration audio file (WAV); for caption flows, the source video's own audio is used."""
    source_audio: bool = False
    """Use the audio track of the first video visual (caption/edit flows)."""
    music: Music | None = None
    loudness_lufs: float = Field(-14.0, ge=-40.0, le=-5.0)


class RenderSpec(_Model):
    version: int = SPEC_VERSION
    duration: float = Field(gt=0.0, le=3600.0)
    output: Output = Field(default_factory=Output)
    visuals: list[Visual] = Field(min_length=1)
    overlays: list[Overlay] = Field(default_factory=list)
    cuts: list[Cut] = Field(default_factory=list)
    captions: Captions | None = None
    audio: Audio = Field(default_factory=Audio)

    @model_validator(mode="after")
    def _check(self) -> RenderSpec:
        if self.version != SPEC_VERSION:
            raise ValueError(f"RenderSpec version {self.version} is not supported")
        for ov in self.overlays:
            if ov.end <= ov.start:
                raise ValueError("overlay end must be after its start")
        for cut in self.cuts:
            if cut.end <= cut.start:
                raise ValueError("cut end must be after its start")
        return self

    def canonical_json(self) -> str:
        """Key-sorted, compact JSON: the basis of the render cache key."""
        import json

        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
