"""Request models of the REST API (with ``app.api.views``, they are the OpenAPI schema).

Media references in ``input`` are an ``http(s)://`` URL, an upload's asset id (``asset_...``) or
base64 data (``data:<mime>;base64,...``); never a server path. Limits come from Settings.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from reelgraph.app.api.checks import (
    ASSET_RE,
    NAME_RE,
    URL_RE,
    caption_word_limit,
    check_caption_words,
    check_json,
    check_media_ref,
    check_music,
    check_text,
    check_url,
)
from reelgraph.settings import get_settings

Kind = Literal["create", "caption", "analyze"]
Status = Literal["queued", "running", "succeeded", "failed", "canceled"]

MAX_METADATA_CHARS = 16 * 1024


class BrollItem(BaseModel):
    """One b-roll clip or image, shown full screen when one of its keywords is spoken."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(..., description="URL or asset id of a video clip or an image.")
    keywords: list[str] = Field(
        ..., min_length=1, max_length=8, description="Spoken words it illustrates (e.g. city)."
    )

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        if v.startswith("data:"):
            raise ValueError("b-roll must be a URL or an asset id (upload it first).")
        return check_media_ref(v, "broll.source")

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, v: list[str]) -> list[str]:
        out = [re.sub(r"[^a-z0-9]+", "", k.lower())[:32] for k in v]
        if not all(len(k) >= 3 for k in out):
            raise ValueError("each keyword needs at least 3 letters or digits.")
        return out


class JobInput(BaseModel):
    """What to make the video from (mirrors the CLI's inputs)."""

    model_config = ConfigDict(extra="forbid")

    prompt: str | None = Field(None, description="What the video is about (or a full script).")
    transcript: str | None = Field(None, description="Exact narration text.")
    images: list[str] = Field(default_factory=list, description="Image URLs, asset ids or data.")
    audio: str | None = Field(None, description="Narration audio: URL, asset id or data.")
    music: str | None = Field(None, description="Music track: URL, asset id or data.")
    video: str | None = Field(None, description="Source video (caption/analyze): URL or asset id.")
    logo: str | None = Field(None, description="caption: image shown top-right (URL, asset, data).")
    broll: list[BrollItem] = Field(
        default_factory=list, max_length=50, description="caption: b-roll matched to spoken words."
    )

    @field_validator("prompt", "transcript")
    @classmethod
    def _text_limit(cls, v: str | None) -> str | None:
        limit = get_settings().max_prompt_chars
        if v is not None and len(v) > limit:
            raise ValueError(f"is {len(v)} characters; the limit is {limit}.")
        return None if v is None else check_text(v)

    @field_validator("images")
    @classmethod
    def _images(cls, v: list[str]) -> list[str]:
        limit = get_settings().max_images
        if len(v) > limit:
            raise ValueError(f"has {len(v)} images; the limit is {limit}.")
        return [check_media_ref(x, f"images[{i}]") for i, x in enumerate(v)]

    @field_validator("audio", "music", "video", "logo")
    @classmethod
    def _ref(cls, v: str | None) -> str | None:
        return None if v is None else check_media_ref(v, "the reference")


def _alias(*names: str) -> Any:
    return AliasChoices(*names)


class JobOptions(BaseModel):
    """How to make it: the flags of `reelgraph create`, `caption` and `analyze`.

    Each option applies to the kinds named in its description; the others ignore it.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)

    aspect: Literal["9:16", "16:9", "1:1", "source"] | None = Field(
        None, description="create/caption: output shape; caption also takes source (default)."
    )
    width: int | None = Field(None, ge=16, description="create/caption: explicit output width.")
    height: int | None = Field(None, ge=16, description="create/caption: explicit output height.")
    fps: int | None = Field(None, ge=1, description="create/caption: frames per second (30).")
    duration: float | None = Field(None, ge=1.0, description="create: target length in seconds.")
    voice: str | None = Field(None, description="create: piper voice name (no paths).")
    caption_style: str | None = Field(
        None,
        validation_alias=_alias("caption_style", "style"),
        description="create/caption: karaoke, pop, clean or bold.",
    )
    music: str | None = Field(
        None,
        max_length=4096,
        description="create: auto, none, a mood, or a track: an asset id or an http(s) URL.",
    )
    quality: Literal["draft", "standard", "high"] | None = Field(None, description="all renders.")
    speed: float | None = Field(None, ge=0.5, le=2.0, description="create: narration speed.")
    model: str | None = Field(
        None, max_length=100, description="create: chat model; caption: model for --correct."
    )
    remove_silence: bool | None = Field(
        None,
        validation_alias=_alias("remove_silence", "cut_silences"),
        description="caption: cut pauses longer than min_silence.",
    )
    silence_threshold_db: float | None = Field(
        None,
        ge=-90,
        le=-5,
        validation_alias=_alias("silence_threshold_db", "threshold"),
        description="caption: level (dBFS) under which audio is silence (-35).",
    )
    min_silence: float | None = Field(None, ge=0.1, le=30, description="caption: seconds (0.5).")
    silence_padding: float | None = Field(
        None,
        ge=0,
        le=15,
        validation_alias=_alias("silence_padding", "padding"),
        description="caption: seconds of each pause kept beside speech (0.15).",
    )
    zoom: bool | None = Field(None, description="caption: periodic zoom with a push to the face.")
    reframe: bool | None = Field(
        None, description="caption: reframe to 9:16 following faces (same as aspect=9:16)."
    )
    correct: bool | None = Field(
        None,
        validation_alias=_alias("correct", "correct_transcript"),
        description="caption: fix recognition errors with the configured chat model.",
    )
    asr_model: str | None = Field(
        None, description="caption/analyze: tiny.en (default) or base; no paths."
    )
    language: str | None = Field(None, max_length=16, description="caption/analyze: e.g. en.")
    every_n_frames: int | None = Field(
        None,
        ge=1,
        le=100_000,
        validation_alias=_alias("every_n_frames", "every"),
        description="analyze: read on-screen text on every Nth frame (30).",
    )
    ocr_engine: Literal["auto", "rapidocr", "tesseract"] | None = Field(
        None, description="analyze: auto (rapidocr, else tesseract when installed)."
    )

    @field_validator("voice", "caption_style", "asr_model")
    @classmethod
    def _names(cls, v: str | None) -> str | None:
        if v is not None and not NAME_RE.match(v):
            raise ValueError("must be a short name (letters, digits, _ . -), not a path or URL.")
        return v

    @field_validator("model", "language")
    @classmethod
    def _line(cls, v: str | None) -> str | None:
        return None if v is None else check_text(v, multiline=False)

    @field_validator("music")
    @classmethod
    def _music(cls, v: str | None) -> str | None:
        return None if v is None else check_music(v)

    @model_validator(mode="after")
    def _limits(self) -> JobOptions:
        s = get_settings()
        if self.width is not None and self.width > s.max_width:
            raise ValueError(f"width {self.width} is above the limit {s.max_width}.")
        if self.height is not None and self.height > s.max_height:
            raise ValueError(f"height {self.height} is above the limit {s.max_height}.")
        if (self.width is None) != (self.height is None):
            raise ValueError("give both width and height, or neither.")
        if self.width is not None and self.height is not None and (self.width | self.height) & 1:
            raise ValueError(
                f"width and height must be even (H.264 video needs even sizes); "
                f"got {self.width}x{self.height}."
            )
        if self.fps is not None and self.fps > s.max_fps:
            raise ValueError(f"fps {self.fps} is above the limit {s.max_fps}.")
        if self.duration is not None and self.duration > s.max_duration_s:
            raise ValueError(
                f"duration {self.duration:g}s is above the limit {s.max_duration_s:g}s."
            )
        if self.reframe and self.aspect is None:
            self.aspect = "9:16"
        return self


class JobCreate(BaseModel):
    """A job submission."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind
    input: JobInput = Field(default_factory=JobInput)
    options: JobOptions = Field(default_factory=JobOptions)
    callback_url: str | None = Field(None, max_length=2048, description="POSTed on completion.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Echoed in callbacks.")

    @field_validator("callback_url")
    @classmethod
    def _cb(cls, v: str | None) -> str | None:
        return None if v is None else check_url(v, "the callback URL")

    @field_validator("metadata")
    @classmethod
    def _meta(cls, v: dict[str, Any]) -> dict[str, Any]:
        import json

        check_json(v)
        if len(json.dumps(v, default=str)) > MAX_METADATA_CHARS:
            raise ValueError(f"is larger than {MAX_METADATA_CHARS} bytes as JSON.")
        return v

    @model_validator(mode="after")
    def _needs(self) -> JobCreate:
        i = self.input
        if self.kind == "create" and not ((i.prompt or "").strip() or i.transcript or i.audio):
            raise ValueError("a create job needs input.prompt, input.transcript or input.audio.")
        if self.kind in ("caption", "analyze") and not i.video:
            raise ValueError(f"a {self.kind} job needs input.video (a URL or an asset id).")
        if self.kind == "create" and self.options.aspect == "source":
            raise ValueError("aspect 'source' is for caption jobs; use 9:16, 16:9 or 1:1.")
        if self.kind != "caption" and (i.logo or i.broll):
            raise ValueError("input.logo and input.broll are for caption jobs.")
        if self.options.caption_style is not None:
            from reelgraph.workers.engine.captions import PRESETS

            if self.options.caption_style not in PRESETS:
                raise ValueError(f"caption_style must be one of {', '.join(PRESETS)}.")
        if self.kind == "create":
            self._music_track()
            self._script_words()
        return self

    def _music_track(self) -> None:
        """A track named in options.music is media like input.music: move it there."""
        track = self.options.music
        if track is None or not (ASSET_RE.match(track) or URL_RE.match(track)):
            return
        if self.input.music:
            raise ValueError("give the music track once: in input.music or in options.music.")
        self.input.music, self.options.music = track, None

    def _script_words(self) -> None:
        """Words of the spoken text must fit the captions at the job's style and size."""
        from reelgraph.graph.context import Context

        o, default = self.options, Context()
        ctx = Context(
            caption_style=o.caption_style or default.caption_style,
            aspect=o.aspect or default.aspect,
            width=o.width,
            height=o.height,
        )
        limit = caption_word_limit(ctx.caption_style, *ctx.size())
        for field in ("prompt", "transcript"):
            text = getattr(self.input, field)
            if text:
                check_caption_words(text, f"input.{field}", limit)
