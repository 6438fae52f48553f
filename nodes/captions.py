"""build_captions: word-level ASS (burned in) plus SRT and VTT sidecars."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from reelgraph.nodes.stage import stage


def _norm(word: str) -> str:
    return re.sub(r"[^\w%]+", "", word.lower())


def flag_emphasis(words: list[dict[str, Any]], plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Mark each word whose normalised text is one of its scene's emphasis words."""
    per_scene = [
        {_norm(e) for e in s.get("emphasis", []) for e in e.split()} for s in plan["scenes"]
    ]
    out = []
    for w in words:
        scene = int(w.get("scene", 0))
        emph = scene < len(per_scene) and _norm(w["text"]) in per_scene[scene]
        out.append(
            {
                "text": w["text"],
                "start": float(w["start"]),
                "end": float(w["end"]),
                "emphasis": bool(emph),
            }
        )
    return out


@stage
def build_captions(state: dict[str, Any], runtime: Runtime[Any]) -> dict[str, Any]:
    from reelgraph.workers.engine.captions import write_captions

    ctx = runtime.context if runtime is not None else None
    width, height = ctx.size() if ctx is not None else (1080, 1920)
    style = getattr(ctx, "caption_style", "karaoke")
    words = flag_emphasis(state["narration"]["words"], state["plan"])
    out_dir = Path(state["out_dir"])
    paths = write_captions(words, out_dir, style=style, width=width, height=height)
    return {
        "captions": {k: str(v) for k, v in paths.items()} | {"style": style},
        "caption_words": words,
    }
