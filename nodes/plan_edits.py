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
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from reelgraph.errors import InvalidInput
from reelgraph.nodes.schemas import MOODS, Plan, Scene

Op = dict[str, Any]
#: Limits of the relative edits (the options model's own ranges).
SPEED_RANGE = (0.5, 2.0)
VOLUME_RANGE = (-40.0, 0.0)
SIZE_RANGE = (24, 200)
DEFAULT_MUSIC_DB = -12.0
STOP = frozenset(
    {
        *("a", "an", "the", "of", "in", "on", "at", "for", "to", "with", "and", "or", "some"),
        *("my", "our", "your", "this", "that", "its", "it", "is", "are"),
    }
)
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


def _scene_text(edit: Edit, op: Op) -> None:
    i = edit.scene(int(op["scene"]))
    text = " ".join(str(op["text"]).split())
    scene = edit.plan["scenes"][i]
    scene["narration"] = text
    words = {w.lower() for w in re.findall(r"\w+", text)}
    scene["emphasis"] = [e for e in scene.get("emphasis", []) if e.lower() in words]
    edit.changed.append(f"scene {i + 1} now says “{_short(text)}”")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def keywords_of(text: str, limit: int = 4) -> list[str]:
    """Content words of a search phrase (the card's words and the picture search's terms)."""
    words = [w for w in re.findall(r"[A-Za-z0-9']+", text.lower()) if w not in STOP]
    return list(dict.fromkeys(words))[:limit] or [text.strip()[:24] or "scene"]


def _scene_picture(edit: Edit, op: Op) -> None:
    i = edit.scene(int(op["scene"]))
    scene = edit.plan["scenes"][i]
    if op.get("attachment") is not None:
        k = int(op["attachment"])
        if not 0 <= k < len(edit.attachments):
            raise InvalidInput("Send the picture with the message (as an attachment).")
        scene["image"] = edit.attachments[k]
        edit.changed.append(f"scene {i + 1} shows your picture")
        return
    query = str(op.get("query") or "").strip()
    if not query:
        raise InvalidInput("Say what scene's picture should show.")
    scene["visual"], scene["keywords"] = query[:500], keywords_of(query)
    scene.pop("image", None)
    edit.changed.append(f"scene {i + 1} shows {_short(query, 40)}")


def _regenerate(edit: Edit, op: Op) -> None:
    i = edit.scene(int(op["scene"]))
    scene = edit.plan["scenes"][i]
    scene["variant"] = int(scene.get("variant") or 0) + 1
    scene.pop("image", None)
    edit.changed.append(f"scene {i + 1} regenerated")


def _remove_scene(edit: Edit, op: Op) -> None:
    i = edit.scene(int(op["scene"]))
    if len(edit.plan["scenes"]) < 2:
        raise InvalidInput("The video has one scene; it cannot be removed.")
    edit.plan["scenes"].pop(i)
    edit.changed.append(f"scene {i + 1} removed")


def _add_scene(edit: Edit, op: Op) -> None:
    text = " ".join(str(op["text"]).split())
    scene = Scene(narration=text, visual=text[:200], keywords=keywords_of(text))
    scenes = edit.plan["scenes"]
    at = op.get("at")
    index = len(scenes) if at in (None, -1) else min(max(int(at), 1), len(scenes) + 1) - 1
    scenes.insert(index, scene.model_dump(mode="json"))
    edit.changed.append(f"new scene {index + 1} says “{_short(text)}”")


def _move_scene(edit: Edit, op: Op) -> None:
    i = edit.scene(int(op["scene"]))
    scenes = edit.plan["scenes"]
    to = int(op["to"])
    j = len(scenes) - 1 if to == -1 else min(max(to, 1), len(scenes)) - 1
    scenes.insert(j, scenes.pop(i))
    edit.changed.append(f"scene {i + 1} moved to position {j + 1}")


def _swap_scenes(edit: Edit, op: Op) -> None:
    a, b = edit.scene(int(op["a"])), edit.scene(int(op["b"]))
    scenes = edit.plan["scenes"]
    scenes[a], scenes[b] = scenes[b], scenes[a]
    edit.changed.append(f"scenes {a + 1} and {b + 1} swapped")


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
    "scene_text": _scene_text,
    "scene_picture": _scene_picture,
    "regenerate": _regenerate,
    "remove_scene": _remove_scene,
    "add_scene": _add_scene,
    "move_scene": _move_scene,
    "swap_scenes": _swap_scenes,
    "undo": _undo,
    "restore": _restore_op,
}


def scene_pictures(
    scenes: list[dict[str, Any]], sources: list[tuple[str, str]], max_side: int
) -> list[tuple[str, str]]:
    """``sources`` (one per scene) with the pictures a follow-up gave a scene (``image``)."""
    if not any(s.get("image") for s in scenes):
        return sources
    from reelgraph.workers.engine.cache import get_cache
    from reelgraph.workers.engine.images import ingest_image

    store = get_cache().root / "images"
    out = list(sources)
    for i, scene in enumerate(scenes):
        if scene.get("image") and i < len(out):
            got = ingest_image(scene["image"], store, max_side=max_side, label=f"scene {i + 1}")
            out[i] = ("image", got["path"])
    return out
