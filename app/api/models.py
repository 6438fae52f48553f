"""Request models of the REST API (with ``app.api.views``, they are the OpenAPI schema).

Media references in ``input`` are an ``http(s)://`` URL, an upload's asset id (``asset_...``) or
base64 data (``data:<mime>;base64,...``); never a server path. Limits come from Settings.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, field_validator, model_validator

from reelgraph.app.api.checks import (
    ASSET_RE,
    URL_RE,
    caption_word_limit,
    check_caption_words,
    check_json,
    check_media_ref,
    check_text,
    check_url,
)
from reelgraph.app.api.options import (
    AnalyzeOptions,
    ApiOptions,
    CaptionOptions,
    ClipsOptions,
    CreateOptions,
    flow_context,
    options_for_kind,
)
from reelgraph.settings import get_settings

Kind = Literal["create", "caption", "analyze", "clips"]
Status = Literal[
    "queued", "running", "awaiting_review", "succeeded", "failed", "canceled", "rejected"
]

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
    video: str | None = Field(
        None, description="Source video (caption/analyze/clips): media or page URL, or asset id."
    )
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


class JobCreate(BaseModel):
    """A job submission."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind
    input: JobInput = Field(default_factory=JobInput)
    options: Annotated[
        ApiOptions,
        PlainValidator(
            options_for_kind,
            json_schema_input_type=CreateOptions | CaptionOptions | AnalyzeOptions | ClipsOptions,
        ),
    ] = Field(
        default_factory=ApiOptions,
        validate_default=True,
        description="How to make it: the options of the job's kind (the CLI's flags).",
    )
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
        if self.kind in ("caption", "analyze", "clips") and not i.video:
            raise ValueError(f"a {self.kind} job needs input.video (a URL or an asset id).")
        if self.kind != "caption" and (i.logo or i.broll):
            raise ValueError("input.logo and input.broll are for caption jobs.")
        if self.kind == "create":
            self._music_track()
        ctx = flow_context(self.kind, self.options.to_options())
        if self.kind == "create":
            self._script_words(ctx)
        return self

    def _music_track(self) -> None:
        """A track named in options.music is media like input.music: move it there."""
        track = getattr(self.options, "music", None)
        if track is None or not (ASSET_RE.match(track) or URL_RE.match(track)):
            return
        if self.input.music:
            raise ValueError("give the music track once: in input.music or in options.music.")
        self.input.music = track
        self.options.music = None  # type: ignore[attr-defined]

    def _script_words(self, ctx: Any) -> None:
        """Words of the spoken text must fit the captions at the job's look and size."""
        limit = caption_word_limit(ctx, *ctx.size())
        for field in ("prompt", "transcript"):
            text = getattr(self.input, field)
            if text:
                check_caption_words(text, f"input.{field}", limit)
