"""Choosing what six scenes show, first run against cached (issue 10).

A library folder of pictures and two clips (named after scene words, plus unrelated files) is
indexed and matched to a six-scene plan, and the pictures are prepared as the render takes
them (library stills ingested, clips fitted, cards drawn with their figures): first with a cold
cache (the index, perceptual hashes, OCR text shares, cards), then again with everything
cached. Configured stock providers (their API keys set) take part as ``auto`` asks them.

    .venv/bin/python bench/visuals.py [--quick]
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parent.parent))

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

SCENES = [
    ("The harbour wakes before the town does.", "harbour town"),
    ("Fishing boats slide out past the lighthouse.", "fishing boats lighthouse"),
    ("The bakery sells its first hundred loaves.", "bakery loaves"),
    ("Waves roll onto the beach all afternoon.", "waves beach"),
    ("Children race 12 small boats near the pier.", "children pier"),
    ("It is a small place, but nobody forgets it.", "small place"),
]
MATCHED = ["harbour", "lighthouse", "bakery", "beach_waves", "kids-on-the-pier"]
OTHER = ["mountain", "forest", "desert", "river", "city", "bridge", "market", "garden", "castle"]
SIZE = (1080, 1920)


def _picture(path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, (6, 4, 3), dtype=np.uint8)
    img = Image.fromarray(blocks).resize((1080, 1920), Image.Resampling.BICUBIC)
    img.filter(ImageFilter.GaussianBlur(20)).save(path, quality=90)


def _clip(path: Path, colour: str) -> None:
    source = f"testsrc2=s=360x640:d=2:r=30,hue=s=0.5,drawbox=c={colour}@0.3:t=fill"
    encode = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)]
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, *encode], check=True
    )


def make_library(folder: Path, quick: bool) -> int:
    """The bench's library: the matched pictures, a clip, and unrelated pictures."""
    folder.mkdir(parents=True, exist_ok=True)
    others = OTHER[:3] if quick else [f"{w}_{k}" for w in OTHER for k in range(3)]
    for i, name in enumerate([*MATCHED, *others]):
        _picture(folder / f"{name}.jpg", i)
    _clip(folder / "waves_beach.mp4", "blue")
    (folder / "boats").mkdir(exist_ok=True)
    _clip(folder / "boats" / "fishing.mp4", "red")
    return len(MATCHED) + len(others) + 2


def _plan() -> dict[str, Any]:
    scenes = [{"narration": n, "query": q, "keywords": q.split()} for n, q in SCENES]
    return {"title": "Harbour", "mood": "calm", "scenes": scenes}


def _visuals_once(library: Path) -> tuple[float, list[str]]:
    """Seconds to pick and prepare the six scenes' pictures; the sources they came from."""
    from reelgraph.nodes.scene_visuals import figure_overlays, scene_sources
    from reelgraph.nodes.visuals import scene_asks
    from reelgraph.workers.engine.visuals.pick import pick_all

    t0 = time.perf_counter()
    plan = _plan()
    picked = pick_all(scene_asks(plan), mode="auto", library=str(library), width=1080, height=1920)
    spans = [3.0] * len(SCENES)
    sources = scene_sources({"plan": plan, "visuals": picked["visuals"]}, spans, *SIZE)
    figure_overlays(sources, spans, "calm", *SIZE)
    return time.perf_counter() - t0, [v["source"] for v in picked["visuals"]]


def measure(quick: bool = False) -> list[dict[str, Any]]:
    """[{name, ratio: cached / first, detail}] for a six-scene video's visuals."""
    with tempfile.TemporaryDirectory(prefix="visuals-bench-") as tmp:
        os.environ["REELGRAPH_HOME"] = str(Path(tmp) / "home")
        from reelgraph.settings import get_settings
        from reelgraph.workers.engine.visuals.providers import configured_sources

        get_settings.cache_clear()
        files = make_library(Path(tmp) / "library", quick)
        first, shown = _visuals_once(Path(tmp) / "library")
        cached, again = _visuals_once(Path(tmp) / "library")
        providers = [s.name for s in configured_sources()] or ["none configured"]
    detail = (
        f"first {first:.2f} s, cached {cached:.3f} s; {files} library files, "
        f"scenes from {', '.join(shown)} (same picks again: {shown == again}); "
        f"providers: {', '.join(providers)}; {os.cpu_count()} CPUs"
    )
    return [
        {
            "name": "visuals: six scenes, cached / first run",
            "ratio": cached / first,
            "detail": detail,
        }
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller library")
    args = parser.parse_args()
    for row in measure(args.quick):
        print(f"{row['name']}: {row['ratio']:.3f}   ({row['detail']})")


if __name__ == "__main__":
    main()
