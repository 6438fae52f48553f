"""The review of a create job (``options.review``): its record, its view and the answers.

A job that stops for review has status ``awaiting_review`` and a ``review`` object: the
storyboard (each scene's narration, duration and thumbnail) and a draft preview, served as the
job's artifacts while it waits. ``POST /v1/jobs/{id}/review`` (``app.api.reviews``) answers it;
``human_response`` turns that answer into the HumanResponse the graph's interrupt is resumed
with (the format LangGraph Studio sends as well).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reelgraph.app.api.checks import check_text
from reelgraph.nodes.review_request import REVIEW_ACTION
from reelgraph.nodes.schemas import Plan
from reelgraph.settings import get_settings

MAX_MESSAGE_CHARS = 2000


class ReviewRequest(BaseModel):
    """The reviewer's answer to a job awaiting review."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "edit", "reject"] = Field(
        description="approve: render the full video; edit: change the plan (plan) or ask for "
        "a change (message); reject: end the job without rendering."
    )
    plan: Plan | None = Field(
        None, description="edit: the changed plan (title, scenes, mood, hashtags)."
    )
    message: str | None = Field(
        None,
        max_length=MAX_MESSAGE_CHARS,
        description="edit: the change to make, in words; the job is planned again and stops "
        "for review again.",
    )

    @field_validator("message")
    @classmethod
    def _message(cls, v: str | None) -> str | None:
        if v is None:
            return None
        check_text(v, "the message")
        if not v.strip():
            raise ValueError("is empty; say what to change.")
        return v.strip()

    @model_validator(mode="after")
    def _fits_the_action(self) -> ReviewRequest:
        given = [name for name in ("plan", "message") if getattr(self, name) is not None]
        if self.action == "edit" and len(given) != 1:
            raise ValueError("an edit needs either plan (the changed plan) or message.")
        if self.action != "edit" and given:
            raise ValueError(f"{given[0]} is for action edit; {self.action} takes neither.")
        return self


def human_response(req: ReviewRequest) -> dict[str, Any]:
    """The HumanResponse that resumes the graph: accept, edit (the plan), response, ignore."""
    if req.action == "approve":
        return {"type": "accept", "args": None}
    if req.action == "reject":
        return {"type": "ignore", "args": None}
    if req.plan is not None:
        plan = req.plan.model_dump(mode="json")
        return {"type": "edit", "args": {"action": REVIEW_ACTION, "args": {"plan": plan}}}
    return {"type": "response", "args": req.message}


def stored_review(review: dict[str, Any], artifacts: dict[str, str]) -> dict[str, Any]:
    """The review as the job record keeps it: files named by their artifact names, no paths."""
    names = {path: name for name, path in artifacts.items()}

    def artifact(path: str | None) -> str | None:
        return Path(path).name if path and Path(path).name in names.values() else None

    return {
        "status": review.get("status"),
        "round": int(review.get("round") or 0),
        "title": review.get("title"),
        "duration": review.get("duration"),
        "preview": artifact(review.get("preview")),
        "preview_size": review.get("preview_size"),
        "plan": review.get("plan"),
        "storyboard": [
            {
                "scene": item["scene"],
                "narration": item["narration"],
                "duration": item["duration"],
                "thumbnail": artifact(item.get("thumbnail")),
            }
            for item in review.get("storyboard") or []
        ],
    }


def review_view(job_id: str, review: dict[str, Any] | None) -> dict[str, Any] | None:
    """The record's review with URLs: ``{storyboard: [{scene, narration, duration,
    thumbnail_url}], preview_url, ...}``; each URL names the review round (no stale cache)."""
    if not review:
        return None
    base = get_settings().public_base_url.rstrip("/") + f"/v1/jobs/{job_id}/artifacts/"
    tail = f"?round={review.get('round') or 0}"

    def url(name: str | None) -> str | None:
        return base + name + tail if name else None

    return {
        "status": review.get("status"),
        "round": review.get("round"),
        "title": review.get("title"),
        "duration": review.get("duration"),
        "preview_url": url(review.get("preview")),
        "preview_size": review.get("preview_size"),
        "plan": review.get("plan"),
        "storyboard": [
            {
                "scene": item["scene"],
                "narration": item["narration"],
                "duration": item["duration"],
                "thumbnail_url": url(item.get("thumbnail")),
            }
            for item in review.get("storyboard") or []
        ],
        "decision": review.get("decision"),
    }
