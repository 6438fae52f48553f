"""Request and response models of the REST API (they are the OpenAPI schema).

Media references in ``input`` are an ``http(s)://`` URL, an upload's asset id (``asset_...``) or
base64 data (``data:<mime>;base64,...``); never a server path. Limits come from Settings.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from common.settings import get_settings

Kind = Literal["create", "caption", "analyze"]
Status = Literal["queued", "running", "succeeded", "failed", "canceled"]

ASSET_RE = re.compile(r"^asset_[0-9a-f]{32}$")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_REF_CHARS = 40 * 1024 * 1024  # base64 of ~30 MB
MAX_METADATA_CHARS = 16 * 1024


def check_media_ref(value: str, what: str) -> str:
    """A URL, an asset id or base64 data; anything else (a path!) is refused with a 422."""
    v = value.strip()
    if ASSET_RE.match(v) or v.startswith("data:"):
        return v
    if re.match(r"^https?://[^\s/]+", v, re.IGNORECASE):
        if len(v) > 4096:
            raise ValueError(f"{what}: the URL is longer than 4096 characters.")
        return v
    raise ValueError(
        f"{what} must be an http(s) URL, an asset id from POST /v1/uploads (asset_...), "
        "or base64 data (data:<mime>;base64,...)."
    )


class JobInput(BaseModel):
    """What to make the video from (mirrors the CLI's inputs)."""

    model_config = ConfigDict(extra="forbid")

    prompt: str | None = Field(None, description="What the video is about (or a full script).")
    transcript: str | None = Field(None, description="Exact narration text.")
    images: list[str] = Field(default_factory=list, description="Image URLs, asset ids or data.")
    audio: str | None = Field(None, description="Narration audio: URL, asset id or data.")
    music: str | None = Field(None, description="Music track: URL, asset id or data.")
    video: str | None = Field(None, description="Source video (caption/analyze): URL or asset id.")

    @field_validator("prompt", "transcript")
    @classmethod
    def _text_limit(cls, v: str | None) -> str | None:
        limit = get_settings().max_prompt_chars
        if v is not None and len(v) > limit:
            raise ValueError(f"is {len(v)} characters; the limit is {limit}.")
        return v

    @field_validator("images")
    @classmethod
    def _images(cls, v: list[str]) -> list[str]:
        limit = get_settings().max_images
        if len(v) > limit:
            raise ValueError(f"has {len(v)} images; the limit is {limit}.")
        return [check_media_ref(x, f"images[{i}]") for i, x in enumerate(v)]

    @field_validator("audio", "music", "video")
    @classmethod
    def _ref(cls, v: str | None) -> str | None:
        if v is not None and len(v) > MAX_REF_CHARS:
            raise ValueError("is too large to send inline; upload it with POST /v1/uploads.")
        return None if v is None else check_media_ref(v, "the reference")


class JobOptions(BaseModel):
    """How to make it (mirrors the CLI's flags)."""

    model_config = ConfigDict(extra="forbid")

    aspect: Literal["9:16", "16:9", "1:1"] | None = None
    width: int | None = Field(None, ge=16)
    height: int | None = Field(None, ge=16)
    fps: int | None = Field(None, ge=1)
    duration: float | None = Field(None, ge=1.0)
    voice: str | None = Field(None, description="Voice name (no paths).")
    caption_style: str | None = Field(None, description="karaoke, pop or clean.")
    music: str | None = Field(None, description="auto, none, or a mood name.")
    quality: Literal["draft", "standard", "high"] | None = None
    speed: float | None = Field(None, ge=0.5, le=2.0)
    model: str | None = Field(None, max_length=100)
    style: str | None = Field(None, max_length=64, description="Visual style hint.")
    enhance_frames: bool | None = None
    cut_silences: bool | None = None
    zoom: bool | None = None
    reframe: bool | None = None
    broll: bool | None = None
    correct_transcript: bool | None = None
    review: bool | None = None
    language: str | None = Field(None, max_length=16)

    @field_validator("voice", "caption_style", "music")
    @classmethod
    def _names(cls, v: str | None) -> str | None:
        if v is not None and not NAME_RE.match(v):
            raise ValueError("must be a short name (letters, digits, _ . -), not a path or URL.")
        return v

    @model_validator(mode="after")
    def _limits(self) -> JobOptions:
        s = get_settings()
        if self.width is not None and self.width > s.max_width:
            raise ValueError(f"width {self.width} is above the limit {s.max_width}.")
        if self.height is not None and self.height > s.max_height:
            raise ValueError(f"height {self.height} is above the limit {s.max_height}.")
        if (self.width is None) != (self.height is None):
            raise ValueError("give both width and height, or neither.")
        if self.fps is not None and self.fps > s.max_fps:
            raise ValueError(f"fps {self.fps} is above the limit {s.max_fps}.")
        if self.duration is not None and self.duration > s.max_duration_s:
            raise ValueError(
                f"duration {self.duration:g}s is above the limit {s.max_duration_s:g}s."
            )
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
        if v is not None and not re.match(r"^https?://[^\s/]+", v, re.IGNORECASE):
            raise ValueError("must be an http(s) URL.")
        return v

    @field_validator("metadata")
    @classmethod
    def _meta(cls, v: dict[str, Any]) -> dict[str, Any]:
        import json

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
        return self


class ErrorInfo(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorInfo


class JobSubmitted(BaseModel):
    id: str
    status: Status
    links: dict[str, str]


class JobView(BaseModel):
    """A job's state as seen by its owner."""

    id: str
    kind: Kind
    status: Status
    stage: str | None = None
    progress: float = 0.0
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage.")
    error: ErrorInfo | None = None
    artifacts: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    callback: dict[str, Any] | None = None
    links: dict[str, str] = Field(default_factory=dict)


class JobPage(BaseModel):
    items: list[JobView]
    total: int
    offset: int
    limit: int


class JobResult(BaseModel):
    id: str
    status: Status
    artifacts: dict[str, str] = Field(description="Artifact name -> URL.")
    report: dict[str, Any] | None = None
    error: ErrorInfo | None = None


class Asset(BaseModel):
    id: str
    kind: Literal["image", "audio", "video"]
    mime: str
    size: int
    sha256: str
