"""The LLM side of edit_plan: an agent whose tools are typed plan edits.

Each tool is a pydantic model turned into one operation of ``nodes/plan_edits.py``; a call is
applied to a copy and validated at once, and the agent reads ``done: ...`` or ``refused: ...``
back, so it can correct itself. The agent never writes the spec. Its final answer (a message
without tool calls) is the reply.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel, Field, ValidationError

from reelgraph.errors import InvalidInput
from reelgraph.nodes.llm_planner import as_llm_error
from reelgraph.nodes.plan_edits import Edit, apply_edits
from reelgraph.nodes.schemas import Mood
from reelgraph.prompts import load

logger = logging.getLogger(__name__)

MAX_STEPS = 6
Op = dict[str, Any]


class set_options(BaseModel):
    """Change options: caption look, music, voice, speed, length in seconds, shape."""

    caption_style: Literal["karaoke", "pop", "clean", "bold"] | None = None
    caption_color: str | None = Field(None, description="CSS colour name or #RRGGBB")
    highlight_color: str | None = Field(None, description="CSS colour name or #RRGGBB")
    caption_font: Literal["Anton", "Bebas Neue", "Montserrat"] | None = None
    caption_size: int | None = Field(None, ge=24, le=200)
    caption_position: Literal["top", "middle", "bottom"] | None = None
    music: str | None = Field(None, description="auto, none, or a mood")
    music_volume: float | None = Field(None, ge=-40, le=0, description="dB, default -12")
    voice: str | None = None
    speed: float | None = Field(None, ge=0.5, le=2.0)
    duration: float | None = Field(None, ge=1, description="target length in seconds")
    aspect: Literal["9:16", "16:9", "1:1"] | None = None


class set_mood(BaseModel):
    """Set the video's mood (music and picture palette)."""

    mood: Mood


class set_scene_text(BaseModel):
    """Replace what one scene says."""

    scene: int
    text: str = Field(min_length=1, max_length=1200)


class set_scene_picture(BaseModel):
    """Give a scene a new picture: a search query, or the index of an attached picture."""

    scene: int
    query: str | None = None
    attachment: int | None = None


class regenerate_scene(BaseModel):
    """Draw a new picture for one scene."""

    scene: int


class remove_scene(BaseModel):
    """Remove one scene."""

    scene: int


class add_scene(BaseModel):
    """Add a scene saying ``text`` at position ``at`` (1-based; the end when omitted)."""

    text: str = Field(min_length=1, max_length=1200)
    at: int | None = None


class move_scene(BaseModel):
    """Move a scene to position ``to`` (1-based; -1 is the end)."""

    scene: int
    to: int


class swap_scenes(BaseModel):
    """Swap two scenes."""

    a: int
    b: int


class restore_version(BaseModel):
    """Go back to an earlier version (its plan and options)."""

    version: int = Field(ge=1)


class undo(BaseModel):
    """Undo the last change."""


TOOLS: tuple[type[BaseModel], ...] = (
    set_options,
    set_mood,
    set_scene_text,
    set_scene_picture,
    regenerate_scene,
    remove_scene,
    add_scene,
    move_scene,
    swap_scenes,
    restore_version,
    undo,
)
_BY_NAME = {t.__name__: t for t in TOOLS}


def to_op(name: str, args: dict[str, Any]) -> Op:
    """The plan-edit operation of one tool call (validated by the tool's model)."""
    tool = _BY_NAME.get(name)
    if tool is None:
        raise InvalidInput(f"There is no tool {name!r}.")
    try:
        values = tool.model_validate(args).model_dump(exclude_none=True)
    except ValidationError as exc:
        raise InvalidInput(f"Bad arguments for {name}: {exc.errors()[0]['msg']}.") from None
    if name == "set_options":
        aspect = values.pop("aspect", None)
        if not values and aspect:
            return {"op": "aspect", "aspect": aspect}
        return {"op": "options", "set": values, **({"aspect": aspect} if aspect else {})}
    simple = {
        "set_mood": "mood",
        "set_scene_text": "scene_text",
        "set_scene_picture": "scene_picture",
        "regenerate_scene": "regenerate",
        "remove_scene": "remove_scene",
        "add_scene": "add_scene",
        "move_scene": "move_scene",
        "swap_scenes": "swap_scenes",
        "restore_version": "restore",
        "undo": "undo",
    }
    return {"op": simple[name], **values}


def _expand(op: Op) -> list[Op]:
    """set_options with an aspect is two operations (the shape also resizes)."""
    if op.get("op") == "options" and "aspect" in op:
        return [{"op": "options", "set": op["set"]}, {"op": "aspect", "aspect": op["aspect"]}]
    return [op]


def _system(edit: Edit) -> str:
    options = {k: v for k, v in edit.context.items() if v is not None} | edit.overrides
    return load("edit_plan").format(
        plan=json.dumps(edit.plan, ensure_ascii=False),
        options=json.dumps(options, default=str),
        versions=str(len(edit.versions)),
        attachments=str(len(edit.attachments)),
    )


def _invoke(model: Any, messages: list[BaseMessage]) -> AIMessage:
    try:
        out = model.invoke(messages)
    except Exception as exc:
        err = as_llm_error(exc)
        if err is not None:
            raise err from exc
        raise
    return out if isinstance(out, AIMessage) else AIMessage(content=str(out))


def edit_with_agent(
    model: Any, text: str, edit: Edit, options_model: type[Any]
) -> tuple[Edit | None, str]:
    """Run the agent on ``text``; returns the applied edit (None: nothing changed) and reply."""
    bound = model.bind_tools(list(TOOLS))
    messages: list[BaseMessage] = [SystemMessage(content=_system(edit)), HumanMessage(content=text)]
    ops: list[Op] = []
    reply = ""
    for _ in range(MAX_STEPS):
        ai = _invoke(bound, messages)
        messages.append(ai)
        if not ai.tool_calls:
            reply = str(ai.content or "").strip()
            break
        for call in ai.tool_calls:
            messages.append(
                ToolMessage(
                    content=_try(call, ops, edit, options_model),
                    tool_call_id=call.get("id") or call["name"],
                )
            )
    if not ops:
        return None, reply or "Nothing changed."
    return apply_edits(ops, edit, options_model), reply


def _try(call: Any, ops: list[Op], edit: Edit, options_model: type[Any]) -> str:
    """Apply one tool call on top of the accepted ones; keep it only if the result is valid."""
    try:
        new = _expand(to_op(call["name"], dict(call.get("args") or {})))
        done = apply_edits([*ops, *new], edit, options_model)
    except InvalidInput as exc:
        return f"refused: {exc.message}"
    ops.extend(new)
    return "done: " + "; ".join(done.changed[-len(new) :] or done.changed)
