"""Response models of the REST API (with ``app.api.models``, they are the OpenAPI schema)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from reelgraph.app.api.models import Kind, Status


class ErrorInfo(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorInfo


class JobSubmitted(BaseModel):
    id: str
    status: Status
    links: dict[str, str]


class StoryboardItem(BaseModel):
    scene: int
    narration: str
    duration: float = Field(description="Seconds the scene is on screen.")
    thumbnail_url: str | None = None


class ReviewView(BaseModel):
    """What a reviewer sees: the storyboard and a draft preview (at most 640 px long side)."""

    status: str | None = Field(
        None, description="pending, changes_requested, approved or rejected."
    )
    round: int | None = Field(None, description="1 for the first review, +1 per message.")
    title: str | None = None
    duration: float | None = None
    preview_url: str | None = None
    preview_size: list[int] | None = None
    storyboard: list[StoryboardItem] = Field(default_factory=list)
    plan: dict[str, Any] | None = Field(
        None, description="The plan under review: edit a copy and send it back with action edit."
    )
    decision: str | None = Field(None, description="The answer given: approve, edit, reject.")


class JobView(BaseModel):
    """A job's state as seen by its owner."""

    id: str
    kind: Kind
    status: Status
    stage: str | None = None
    progress: float = 0.0
    eta_s: float | None = Field(
        None, description="Seconds left, estimated from this machine's measured stage costs."
    )
    estimate: dict[str, Any] | None = Field(
        None, description="The latest estimate: eta_s, total_s and seconds per stage."
    )
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage.")
    error: ErrorInfo | None = None
    artifacts: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    callback: dict[str, Any] | None = None
    links: dict[str, str] = Field(default_factory=dict)
    review: ReviewView | None = Field(
        None, description="The plan review of a job run with options.review (see /review)."
    )


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
