"""The credits of a made video's pictures: report.json's ``visuals`` and credits.txt.

Every scene's picture is listed with where it came from (``origin``: the item's page at its
source, ``library:<path in the library>``, or ``card``), its licence and a one-line
attribution. No server path is shown: library items are named by their path inside the library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reelgraph.files import write_text_atomic

State = dict[str, Any]


def report_visuals(state: State) -> list[dict[str, Any]]:
    """report.json's ``visuals``: {scene, source, origin, license, attribution} per scene."""
    out = []
    for v in state.get("visuals") or []:
        card = v.get("source") == "cards"
        out.append(
            {
                "scene": v["scene"],
                "source": v["source"],
                "origin": v.get("origin") or "",
                "license": v.get("license") or "",
                "attribution": "card drawn by reelgraph" if card else v.get("attribution", ""),
            }
        )
    return out


def _line(v: dict[str, Any]) -> str:
    head = f"Scene {v['scene'] + 1}: "
    if v["source"] == "cards":
        return head + "a card drawn by reelgraph (emoji: OpenMoji, CC BY-SA 4.0)"
    parts = [v.get("attribution") or f"{v['source']} {v.get('id', '')}"]
    if v.get("license_url"):
        parts.append(f"licence: {v['license_url']}")
    if v.get("author_url"):
        parts.append(f"author: {v['author_url']}")
    if v.get("origin") and v["origin"] not in parts[0]:
        parts.append(f"source: {v['origin']}")
    return head + "; ".join(parts)


def credits_file(state: State, out_dir: Path) -> dict[str, str]:
    """credits.txt listing every scene's picture (none when the user gave the images)."""
    visuals = state.get("visuals") or []
    if not visuals:
        return {}
    title = (state.get("plan") or {}).get("title") or "this video"
    lines = [f"Pictures in {title}", "", *(_line(v) for v in visuals)]
    path = write_text_atomic(out_dir / "credits.txt", "\n".join(lines) + "\n")
    return {"credits.txt": str(path)}


__all__ = ["credits_file", "report_visuals"]
