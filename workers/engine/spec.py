"""The RenderSpec: the versioned contract between planning (graph nodes) and rendering (workers).

Nodes produce it, workers consume it; it is the whole video. Every path in it is a local file
already resolved and validated by the ingest step (user-given URLs never reach the renderer);
the caption file and the fonts are not in it: the render job writes the .ass from ``captions``
and resolves the bundled fonts where it runs.

Its JSON Schema is committed as docs/renderspec.schema.json; regenerate it with
``python -m reelgraph.workers.engine.spec --schema docs/renderspec.schema.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from reelgraph.workers.engine.captions_look import (
    BUNDLED_FAMILIES,
    COLOUR_PATTERN,
    canonical_family,
    css_colour,
)

SPEC_VERSION = 2
SCHEMA_PATH = "docs/renderspec.schema.json"

Aspect = Literal["9:16", "16:9", "1:1"]
ASPECT_SIZES: dict[str, tuple[int, int]] = {
    "9:16": (1080, 1920),
    "16:9": (1920, 1080),
    "1:1": (1080, 1080),
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


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
    """crossfade: the clips dissolve into each other; fade: through black; none: a hard cut."""
    duration: float = Field(0.5, ge=0.0, le=3.0)


class Enhance(_Model):
    """Frame enhancement of a visual smaller than the output (or noisy), done as it is scaled.

    The scale to the output uses lanczos with accurate rounding; ``denoise`` runs at the
    source's size before it, ``sharpen`` at the output's size after it.
    """

    denoise: float = Field(0.0, ge=0.0, le=20.0)
    """Noise to remove, in grey levels (nlmeans on a still, hqdn3d on a video); 0 = none."""
    sharpen: float = Field(0.0, ge=0.0, le=2.0)
    """Amount of the luma unsharp mask after the upscale; 0 = no sharpening."""


class Visual(_Model):
    kind: Literal["image", "video", "card", "clip"]
    """image, card: a still with Ken Burns motion; video: the source video of the caption and
    edit flows (cuts, reframe, its own sound); clip: a video clip filling one scene of a made
    video (from ``start``, slowed by ``speed`` or looped when short, muted, fill-cropped)."""
    path: str
    """Local file (an image, a pre-drawn card PNG, a source video or a clip)."""
    duration: float = Field(gt=0.0, le=3600.0)
    start: float = Field(0.0, ge=0.0)
    """For video and clip: the source time the clip starts at."""
    speed: float = Field(1.0, ge=0.25, le=4.0)
    """For clip: source seconds played per output second (under 1 slows a short clip down)."""
    loop: bool = False
    """For clip: play the clip again from its start until the visual's duration is filled."""
    motion: Motion | None = None
    transition: Transition = Field(default_factory=Transition)
    """Transition into the next visual."""
    crop: tuple[float, float, float, float] | None = None
    """For video: x, y, w, h as fractions of the source frame (reframe); None = fill-crop."""
    focus_track: list[tuple[float, float, float]] | None = None
    """For video: (time, x, y) focus points in 0..1 for a face-following reframe/zoom."""
    enhance: Enhance | None = None
    """Upscale with lanczos, sharpen and (when noisy) denoise; None = plain scaling."""


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
    frames: int = Field(1, ge=1, le=120)
    """An animation strip (image only): the image holds this many pictures of equal height,
    stacked top to bottom, shown in turn at ``frame_rate`` from ``start``; the last is held."""
    frame_rate: float = Field(25.0, gt=0.0, le=120.0)


class Cut(_Model):
    start: float = Field(ge=0.0)
    end: float = Field(gt=0.0)


class Word(_Model):
    text: str = Field(min_length=1, max_length=200)
    start: float = Field(ge=0.0)
    end: float = Field(ge=0.0)
    emphasis: bool = False


Colour = Annotated[
    str,
    AfterValidator(css_colour),
    WithJsonSchema(
        {"type": "string", "pattern": COLOUR_PATTERN, "description": "CSS colour name or #RRGGBB"}
    ),
]
FontFamily = Annotated[
    str,
    AfterValidator(canonical_family),
    WithJsonSchema({"type": "string", "enum": list(BUNDLED_FAMILIES)}),
]


class SafeArea(_Model):
    """The part of the frame captions stay inside: the margins kept clear, as fractions of the
    frame's height (top, bottom) and width (left, right); see ``caption_layout.SAFE_ZONES``."""

    top: float = Field(ge=0.0, le=0.45)
    bottom: float = Field(ge=0.0, le=0.45)
    left: float = Field(ge=0.0, le=0.45)
    right: float = Field(ge=0.0, le=0.45)


class Region(_Model):
    """A part of the frame captions keep clear of (a face) during [start, end] of the output."""

    start: float = Field(ge=0.0)
    end: float = Field(ge=0.0)
    x: float = Field(ge=0.0, le=1.0)
    y: float = Field(ge=0.0, le=1.0)
    w: float = Field(gt=0.0, le=1.0)
    h: float = Field(gt=0.0, le=1.0)


class Captions(_Model):
    """Word captions burned into the video: the render job writes the .ass file from these.

    ``style`` names a preset; every other look field overrides it (None = the preset's). Sizes
    are pixels on a 1080x1920 frame (or any frame of that area, such as 1920x1080), scaled by
    sqrt(width * height / (1080 * 1920)) on other frames.
    """

    words: list[Word] = Field(default_factory=list)
    style: Literal["karaoke", "pop", "clean", "bold"] = "karaoke"
    """The preset: karaoke (spoken word highlighted), pop (words pop in), clean, bold."""
    font: FontFamily | None = None
    """A bundled font family."""
    size: int | None = Field(None, ge=12, le=400)
    """Font size in px at 1080x1920 (see above)."""
    color: Colour | None = None
    """Text colour."""
    highlight_color: Colour | None = None
    """Colour of the word being spoken (karaoke; pop's word popping in)."""
    outline_color: Colour | None = None
    """Outline colour (the box colour for the bold preset)."""
    outline_width: float | None = Field(None, ge=0.0, le=40.0)
    """Outline width in px at 1080x1920; 0 = no outline."""
    position: Literal["top", "middle", "bottom"] | None = None
    """Where the caption block sits; top and bottom stay inside the platform safe area."""
    lines: int | None = Field(None, ge=1, le=3)
    """At most this many lines per caption."""
    animation: Literal["karaoke", "pop", "none"] | None = None
    """How the spoken word is shown: highlighted, popped in, or not at all."""
    safe_area: SafeArea | None = None
    """Margins the caption block keeps clear (a platform's UI); None = the built-in margins."""
    avoid: list[Region] = Field(default_factory=list, max_length=20_000)
    """Regions (faces) a caption moves away from: to the position that overlaps them least."""
    emoji: bool = False
    """A colour emoji beside each caption line whose words name one (the render draws them)."""

    def overrides(self) -> dict[str, Any]:
        """The look fields that are set, as keyword arguments of ``captions_look.look``."""
        fields = self.model_dump(exclude={"words", "style", "avoid"}, exclude_none=True)
        if self.safe_area is not None:
            a = self.safe_area
            fields["safe_area"] = (a.top, a.bottom, a.left, a.right)
        return dict(fields)


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
    """The whole video: output, visuals, overlays, cuts, captions and audio."""

    version: int = SPEC_VERSION
    """The spec format; this renderer reads version 2 only."""
    duration: float = Field(gt=0.0, le=3600.0)
    output: Output = Field(default_factory=Output)
    visuals: list[Visual] = Field(min_length=1)
    overlays: list[Overlay] = Field(default_factory=list)
    cuts: list[Cut] = Field(default_factory=list)
    captions: Captions | None = None
    audio: Audio = Field(default_factory=Audio)

    @model_validator(mode="before")
    @classmethod
    def _version_first(cls, data: Any) -> Any:
        """An other version fails with one clear message, not with a list of unknown fields."""
        version = data.get("version", SPEC_VERSION) if isinstance(data, dict) else SPEC_VERSION
        if version != SPEC_VERSION:
            raise ValueError(
                f"RenderSpec version {version!r} is not supported; this renderer reads version "
                f"{SPEC_VERSION} (captions are words and a look, not an .ass file): "
                "write the spec again with the current reelgraph"
            )
        return data

    @model_validator(mode="after")
    def _check(self) -> RenderSpec:
        for ov in self.overlays:
            if ov.end <= ov.start:
                raise ValueError("overlay end must be after its start")
        for cut in self.cuts:
            if cut.end <= cut.start:
                raise ValueError("cut end must be after its start")
        return self

    def canonical_json(self) -> str:
        """Key-sorted, compact JSON: the basis of the render cache key."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def json_schema() -> str:
    """The RenderSpec's JSON Schema, as committed in docs/renderspec.schema.json."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **RenderSpec.model_json_schema(),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m reelgraph.workers.engine.spec --schema [PATH]``: print or write the schema."""
    p = argparse.ArgumentParser(prog="python -m reelgraph.workers.engine.spec")
    p.add_argument("--schema", nargs="?", const="-", metavar="PATH", help="JSON Schema to PATH")
    args = p.parse_args(argv)
    if args.schema is None:
        p.print_help()
        return 2
    if args.schema == "-":
        sys.stdout.write(json_schema())
    else:
        with open(args.schema, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(json_schema())
    return 0


if __name__ == "__main__":
    sys.exit(main())
