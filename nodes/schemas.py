"""Typed planning output shared by the planner nodes (LLM or offline)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

Mood = Literal["calm", "happy", "energetic", "tender", "nostalgic", "dramatic"]
MOODS: tuple[str, ...] = ("calm", "happy", "energetic", "tender", "nostalgic", "dramatic")


class Scene(BaseModel):
    """One scene: what is said, what is shown, and how it is paced."""

    narration: str = Field(min_length=1, max_length=1200, description="Spoken text of this scene.")
    visual: str = Field(default="", max_length=500, description="What is on screen.")
    keywords: list[str] = Field(default_factory=list, max_length=8, description="1-4 key words.")
    emphasis: list[str] = Field(
        default_factory=list,
        max_length=12,
        description="Words of the narration to highlight in captions.",
    )
    pacing: Literal["slow", "normal", "fast"] = "normal"
    query: str = Field(
        default="",
        max_length=120,
        description="A short stock-footage search query for this scene's picture (2-5 words).",
    )

    @field_validator("narration")
    @classmethod
    def _strip(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("narration must not be empty")
        return v


class Plan(BaseModel):
    """The script and scene plan of one video."""

    title: str = Field(min_length=1, max_length=120)
    scenes: list[Scene] = Field(min_length=1, max_length=40)
    mood: Mood = "calm"
    hashtags: list[str] = Field(default_factory=list, max_length=10)

    @field_validator("hashtags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        return [t.lstrip("#").strip() for t in v if t.strip("# ")]

    def narration_text(self) -> str:
        return " ".join(s.narration for s in self.scenes)
