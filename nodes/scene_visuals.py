"""The pictures of a made video, one per scene: the user's images, else pick_visuals' picks.

A picked still (library, stock, generated) is ingested like a user image (checked, oriented,
bounded, stored by content); a picked clip plays from its middle when long enough, is slowed
when a little short and looped when much shorter; a scene nothing fits gets a card: its key
phrase set like a title, above it an emoji matched to its key words or, when the scene says a
number, that number as a big figure counting up (an overlay of the one render).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reelgraph.errors import InvalidInput
from reelgraph.settings import get_settings

#: A clip at least this share of its scene is slowed to fit; a shorter one is looped.
SLOW_DOWN_TO = 0.6
#: The figure comes in this long after its scene starts.
FIGURE_DELAY = 0.15


def fit_clip(clip_s: float, needed_s: float) -> dict[str, Any]:
    """{start, speed, loop} playing a ``clip_s`` clip for ``needed_s`` seconds: its middle when
    long enough, slowed (speed < 1) when a little short, looped when much shorter."""
    if clip_s <= 0 or clip_s >= needed_s:
        start = max(0.0, (clip_s - needed_s) / 2) if clip_s > 0 else 0.0
        return {"start": round(start, 3), "speed": 1.0, "loop": False}
    if clip_s >= needed_s * SLOW_DOWN_TO:
        return {"start": 0.0, "speed": round(max(0.25, clip_s / needed_s), 4), "loop": False}
    return {"start": 0.0, "speed": 1.0, "loop": True}


def _store() -> Path:
    from reelgraph.workers.engine.cache import get_cache

    return get_cache().root / "images"  # content-addressed: re-runs reuse the files


def user_images(images: list[str], n: int, width: int, height: int) -> list[dict[str, Any]]:
    """The user's images, ingested, cycled over ``n`` clips."""
    from reelgraph.workers.engine.images import ingest_image

    if len(images) > get_settings().max_images:
        raise InvalidInput(
            f"{len(images)} images given; at most {get_settings().max_images} are allowed."
        )
    ingested = [
        ingest_image(src, _store(), max_side=max(width, height) * 2, label=f"images[{i}]")
        for i, src in enumerate(images)
    ]
    return [{"kind": "image", "path": ingested[i % len(ingested)]["path"]} for i in range(n)]


def _picked(pick: dict[str, Any], needed_s: float, width: int, height: int) -> dict[str, Any]:
    if pick["kind"] == "video":
        return {"kind": "clip", "path": pick["path"], **fit_clip(pick["duration"], needed_s)}
    return {"kind": "image", "path": _ingested(pick, max(width, height) * 2)}


def _ingested(pick: dict[str, Any], max_side: int) -> str:
    """The picked still ingested like a user image; remembered by its bytes (re-encoding a
    large PNG costs more than everything else a cached run does)."""
    from reelgraph.workers.engine.cache import get_cache, make_key
    from reelgraph.workers.engine.images import ingest_image

    key = make_key("visual-ingest", {"max_side": max_side}, [pick["path"]])
    cache = get_cache()
    hit = cache.get_json("visual-ingest", key)
    if hit is not None and Path(hit["path"]).is_file():
        return str(hit["path"])
    label = f"visual {pick['source']} {pick['id']}"
    img = ingest_image(pick["path"], _store(), max_side=max_side, label=label)
    cache.put_json("visual-ingest", key, {"path": img["path"]})
    return str(img["path"])


def _card(
    scene: dict[str, Any], query: str, index: int, mood: str, width: int, height: int
) -> dict[str, Any]:
    """A card for the scene, drawn once (cached by what it shows), and its figure if any."""
    from reelgraph.workers.engine.card_figures import find_figure
    from reelgraph.workers.engine.cards import draw_card, key_phrase, scene_emoji

    keywords = scene.get("keywords") or []
    key_words = (query or scene.get("query") or "").split() or keywords
    phrase = key_phrase(scene["narration"], key_words)
    figure = find_figure(scene["narration"])  # the figure takes the emoji's place
    emoji = None if figure else scene_emoji([*key_words, *keywords], scene["narration"])
    what = {"phrase": phrase, "emoji": emoji, "i": index, "mood": mood, "w": width, "h": height}
    path = _card_path(what)
    if not path.exists():
        draw_card(
            title="",
            keywords=keywords,
            index=index,
            mood=mood,
            width=width,
            height=height,
            out_path=path,
            phrase=phrase,
            emoji=emoji,
        )
    return {"kind": "card", "path": str(path), "figure": figure.text() if figure else None}


#: A regenerated scene's card is drawn as if it were this many places further along.
VARIANT_STEP = 7


def _card_path(what: dict[str, Any]) -> Path:
    from reelgraph.workers.engine.cache import get_cache, make_key

    key = make_key("card", {**what, "v": 4})
    return get_cache().root / "cards" / key[:2] / f"{key}.png"


def scene_sources(
    state: dict[str, Any], spans: list[float], width: int, height: int
) -> list[dict[str, Any]]:
    """One {kind, path, [start, speed, loop], [figure]} per clip of the timeline."""
    images = state.get("images") or []
    if images:
        return user_images(images, len(spans), width, height)
    plan = state["plan"]
    picks = {p["scene"]: p for p in state.get("visuals") or []}
    out = []
    for i, span in enumerate(spans):
        pick = picks.get(i)
        if pick and pick.get("kind") in ("image", "video"):
            out.append(_picked(pick, span, width, height))
        else:
            scene = plan["scenes"][i % len(plan["scenes"])]
            query = (pick or {}).get("query", "")
            index = i + VARIANT_STEP * int(scene.get("variant") or 0)  # "regenerate scene N"
            out.append(_card(scene, query, index, plan.get("mood", "calm"), width, height))
    return out


def figure_overlays(
    sources: list[dict[str, Any]], spans: list[float], mood: str, width: int, height: int
) -> list[dict[str, Any]]:
    """The cards' figures as RenderSpec overlays: animation strips, one per card with a number."""
    from reelgraph.workers.engine.card_figures import FRAME_RATE, FRAMES, figure_strip, strip_size
    from reelgraph.workers.engine.card_figures import find_figure as parse
    from reelgraph.workers.engine.cards import FIGURE_CENTRE, PALETTES

    accent = PALETTES.get(mood, PALETTES["calm"])[2]
    out, t = [], 0.0
    for src, span in zip(sources, spans, strict=True):
        fig = parse(src.get("figure") or "")
        if fig is not None:
            sw, sh = strip_size(width, height)
            out.append(
                {
                    "kind": "image",
                    "path": str(figure_strip(fig, sw, sh, accent)),
                    "start": round(t + FIGURE_DELAY, 3),
                    "end": round(t + span, 3),
                    "x": 0.5,
                    "y": FIGURE_CENTRE,
                    "width": sw / width,
                    "frames": FRAMES,
                    "frame_rate": FRAME_RATE,
                }
            )
        t += span
    return out


__all__ = ["figure_overlays", "fit_clip", "scene_sources", "user_images"]
