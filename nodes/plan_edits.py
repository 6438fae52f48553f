"""Apply typed plan edits (from the intent parser or the LLM agent's tools) to a plan and the
thread's option overrides, validated, each described in one short phrase for the reply.

Operations (scene numbers 1-based, -1 the last):
``options {set}``, ``adjust {field, delta}``, ``scale {field, factor}``, ``music_percent
{percent}``, ``length {factor}``, ``aspect {aspect}``, ``mood {mood}``, ``scene_text {scene,
text}``, ``scene_picture {scene, query | attachment}``, ``regenerate {scene}``, ``remove_scene
{scene}``, ``add_scene {text, at}``, ``move_scene {scene, to}``, ``swap_scenes {a, b}``,
``undo``, ``restore {version}``. The plan and the options are checked with their own models
before anything is kept: an edit that breaks a rule raises ``InvalidInput`` and nothing changes.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from reelgraph.errors import InvalidInput
from reelgraph.nodes import scene_edits
from reelgraph.nodes.schemas import MOODS, Plan

Op = dict[str, Any]
#: Limits of the relative edits (the options model's own ranges).
SPEED_RANGE = (0.5, 2.0)
VOLUME_RANGE = (-40.0, 0.0)
SIZE_RANGE = (24, 200)
DEFAULT_MUSIC_DB = -12.0
LABELS = {
    "caption_color": "caption colour",
    "highlight_color": "highlight colour",
    "caption_style": "caption style",
    "caption_font": "caption font",
    "caption_size": "caption size",
    "caption_position": "caption position",
    "music_volume": "music level",
}


@dataclass
class Edit:
    """The plan and options being edited, and what changed so far."""

    plan: dict[str, Any]
    overrides: dict[str, Any]
    context: dict[str, Any]
    """The run's options with the overrides on top (for relative edits)."""
    versions: list[dict[str, Any]]
    attachments: list[str]
    narration_s: float = 0.0
    changed: list[str] = field(default_factory=list)
    restored: int | None = None
    parent: int | None = None

    def value(self, name: str) -> Any:
        return self.overrides.get(name, self.context.get(name))

    def set(self, name: str, value: Any) -> None:
        self.overrides[name] = value
        shown = value if not isinstance(value, float) else f"{value:g}"
        self.changed.append(f"{LABELS.get(name, name.replace('_', ' '))} {shown}")

    def scene(self, number: int) -> int:
        """The list index of scene ``number`` (1-based, -1 the last); refuses a missing one."""
        n = len(self.plan["scenes"])
        index = n - 1 if number == -1 else number - 1
        if not 0 <= index < n:
            raise InvalidInput(f"There is no scene {number}; this video has scenes 1 to {n}.")
        return index


def apply_edits(ops: list[Op], edit: Edit, options_model: type[Any]) -> Edit:
    """Apply ``ops`` in order to a copy of ``edit``'s plan and overrides; validate both."""
    out = Edit(
        plan=copy.deepcopy(edit.plan),
        overrides=dict(edit.overrides),
        context=edit.context,
        versions=edit.versions,
        attachments=edit.attachments,
        narration_s=edit.narration_s,
        parent=edit.parent,
    )
    for op in ops:
        handler = HANDLERS.get(str(op.get("op")))
        if handler is None:
            raise InvalidInput(f"Unknown edit {op.get('op')!r}.")
        handler(out, op)
    _check(out, options_model)
    return out


def _check(edit: Edit, options_model: type[Any]) -> None:
    try:
        Plan.model_validate(edit.plan)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InvalidInput(f"That edit breaks the plan ({where}: {err['msg']}).") from None
    from_options = options_model.from_options
    from_options({**edit.context, **edit.overrides})  # InvalidInput names the option
    if edit.overrides.get("voice"):
        from reelgraph.workers.engine.tts import resolve_voice

        try:
            resolve_voice(str(edit.overrides["voice"]))
        except Exception as exc:
            raise InvalidInput(f"The voice {edit.overrides['voice']!r} is unknown: {exc}") from None


def _options(edit: Edit, op: Op) -> None:
    for name, value in dict(op["set"]).items():
        if name not in edit.context:
            raise InvalidInput(f"There is no option {name!r}.")
        edit.set(name, value)


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(bounds[1], max(bounds[0], value))


def _adjust(edit: Edit, op: Op) -> None:
    name, delta = op["field"], float(op["delta"])
    if name == "speed":
        edit.set(name, round(_clamp(float(edit.value("speed") or 1.0) + delta, SPEED_RANGE), 2))
    elif name == "music_volume":
        now = edit.value("music_volume")
        now = DEFAULT_MUSIC_DB if now is None else float(now)
        edit.set(name, round(_clamp(now + delta, VOLUME_RANGE), 1))
    else:
        raise InvalidInput(f"{name} cannot be adjusted.")
    if name == "music_volume" and edit.value("music") == "none":
        edit.set("music", "auto")


def caption_size_now(edit: Edit) -> int:
    """The caption size in px at 1080x1920: the option, else the style's own."""
    from reelgraph.workers.engine.captions_look import REFERENCE_SIDE, preset

    size = edit.value("caption_size")
    if size:
        return int(size)
    return round(preset(str(edit.value("caption_style") or "karaoke")).size * REFERENCE_SIDE)


def _scale(edit: Edit, op: Op) -> None:
    if op["field"] != "caption_size":
        raise InvalidInput(f"{op['field']} cannot be scaled.")
    size = round(caption_size_now(edit) * float(op["factor"]))
    edit.set("caption_size", int(_clamp(size, SIZE_RANGE)))


def _music_percent(edit: Edit, op: Op) -> None:
    pct = float(op["percent"])
    if pct <= 0:
        edit.set("music", "none")
        return
    level = DEFAULT_MUSIC_DB + 20 * math.log10(pct / 100)
    edit.set("music_volume", round(_clamp(level, VOLUME_RANGE), 1))


def _length(edit: Edit, op: Op) -> None:
    factor = float(op["factor"])
    target = edit.value("duration")
    if factor < 1 and not target:  # the video already follows the speech: tighten the pauses
        for scene in edit.plan["scenes"]:
            scene["pacing"] = "fast"
        edit.changed.append("shorter pauses between scenes (the words are kept)")
        return
    base = float(target or edit.narration_s or 0.0)
    if base <= 0:
        raise InvalidInput("The video has no length yet to change; give one in seconds.")
    edit.set("duration", round(max(1.0, base * factor), 1))


def _aspect(edit: Edit, op: Op) -> None:
    aspect = str(op["aspect"])
    edit.set("aspect", aspect)
    w, h = edit.value("width"), edit.value("height")
    if not (w and h):
        return
    long, short = max(int(w), int(h)), min(int(w), int(h))
    even = lambda x: max(16, round(x / 2) * 2)  # noqa: E731
    size = {
        "16:9": (long, even(long * 9 / 16)),
        "9:16": (even(long * 9 / 16), long),
        "1:1": (short, short),
    }[aspect]
    edit.overrides["width"], edit.overrides["height"] = size


def _mood(edit: Edit, op: Op) -> None:
    mood = str(op["mood"])
    if mood not in MOODS:
        raise InvalidInput(f"The mood {mood!r} is unknown; use one of {', '.join(MOODS)}.")
    edit.plan["mood"] = mood
    edit.changed.append(f"mood {mood}")


def _restore(edit: Edit, version: int, why: str) -> None:
    if not 1 <= version <= len(edit.versions):
        have = len(edit.versions)
        raise InvalidInput(f"There is no version {version}; versions 1 to {have} exist.")
    entry = edit.versions[version - 1]
    edit.plan = copy.deepcopy(entry["plan"])
    edit.overrides = dict(entry.get("options") or {})
    edit.restored = version
    edit.changed.append(why)


def _undo(edit: Edit, op: Op) -> None:
    """Back to the version the current one was made from; undo again goes further back."""
    if edit.parent is None or edit.parent > len(edit.versions):
        raise InvalidInput("There is nothing to undo.")
    before = edit.versions[edit.parent - 1].get("parent")
    if before is None:
        raise InvalidInput("There is nothing to undo: this is the first version.")
    _restore(edit, before, f"undone: back to version {before}")
    edit.parent = edit.versions[before - 1].get("parent")


def _restore_op(edit: Edit, op: Op) -> None:
    version = int(op["version"])
    _restore(edit, version, f"back to version {version}")


HANDLERS: dict[str, Callable[[Edit, Op], None]] = {
    "options": _options,
    "adjust": _adjust,
    "scale": _scale,
    "music_percent": _music_percent,
    "length": _length,
    "aspect": _aspect,
    "mood": _mood,
    "scene_text": scene_edits.scene_text,
    "scene_picture": scene_edits.scene_picture,
    "regenerate": scene_edits.regenerate,
    "remove_scene": scene_edits.remove_scene,
    "add_scene": scene_edits.add_scene,
    "move_scene": scene_edits.move_scene,
    "swap_scenes": scene_edits.swap_scenes,
    "undo": _undo,
    "restore": _restore_op,
}
