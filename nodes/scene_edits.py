"""Scene edits of a plan: a scene's words or picture, and removing, adding, moving, swapping
or regenerating scenes (operations of ``nodes/plan_edits.py``; scene numbers 1-based, -1 the
last). Also ``scene_pictures``: compose_spec's use of the pictures a follow-up gave scenes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from reelgraph.errors import InvalidInput
from reelgraph.nodes.schemas import Scene

if TYPE_CHECKING:
    from reelgraph.nodes.plan_edits import Edit

Op = dict[str, Any]
STOP = frozenset(
    {
        *("a", "an", "the", "of", "in", "on", "at", "for", "to", "with", "and", "or", "some"),
        *("my", "our", "your", "this", "that", "its", "it", "is", "are"),
    }
)


def scene_text(edit: Edit, op: Op) -> None:
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


def scene_picture(edit: Edit, op: Op) -> None:
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
    scene["query"] = query[:200]  # what pick_visuals searches for
    scene.pop("image", None)
    edit.changed.append(f"scene {i + 1} shows {_short(query, 40)}")


def regenerate(edit: Edit, op: Op) -> None:
    i = edit.scene(int(op["scene"]))
    scene = edit.plan["scenes"][i]
    scene["variant"] = int(scene.get("variant") or 0) + 1
    scene.pop("image", None)
    edit.changed.append(f"scene {i + 1} regenerated")


def remove_scene(edit: Edit, op: Op) -> None:
    i = edit.scene(int(op["scene"]))
    if len(edit.plan["scenes"]) < 2:
        raise InvalidInput("The video has one scene; it cannot be removed.")
    edit.plan["scenes"].pop(i)
    edit.changed.append(f"scene {i + 1} removed")


def add_scene(edit: Edit, op: Op) -> None:
    text = " ".join(str(op["text"]).split())
    scene = Scene(narration=text, visual=text[:200], keywords=keywords_of(text))
    scenes = edit.plan["scenes"]
    at = op.get("at")
    index = len(scenes) if at in (None, -1) else min(max(int(at), 1), len(scenes) + 1) - 1
    scenes.insert(index, scene.model_dump(mode="json"))
    edit.changed.append(f"new scene {index + 1} says “{_short(text)}”")


def move_scene(edit: Edit, op: Op) -> None:
    i = edit.scene(int(op["scene"]))
    scenes = edit.plan["scenes"]
    to = int(op["to"])
    j = len(scenes) - 1 if to == -1 else min(max(to, 1), len(scenes)) - 1
    scenes.insert(j, scenes.pop(i))
    edit.changed.append(f"scene {i + 1} moved to position {j + 1}")


def swap_scenes(edit: Edit, op: Op) -> None:
    a, b = edit.scene(int(op["a"])), edit.scene(int(op["b"]))
    scenes = edit.plan["scenes"]
    scenes[a], scenes[b] = scenes[b], scenes[a]
    edit.changed.append(f"scenes {a + 1} and {b + 1} swapped")


def scene_pictures(
    scenes: list[dict[str, Any]], sources: list[dict[str, Any]], max_side: int
) -> list[dict[str, Any]]:
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
            out[i] = {"kind": "image", "path": got["path"]}
    return out
