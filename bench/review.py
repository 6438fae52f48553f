"""Review before the full render: what the draft preview costs next to the full render.

A create run with ``review: true`` (offline planner, piper narration, photo-like images with Ken
Burns motion and crossfades, music, karaoke captions) stops at its review; its RenderSpec is
then rendered twice, each a cache miss (the render and loudness caches are emptied first):

  preview  the review's work: the draft preview (the same spec at <= 640 px on the long side,
           draft quality) and the storyboard thumbnails
  full     the full render of the same spec (1080x1920, 30 fps, standard quality)

Printed: seconds of each and the ratio preview / full (goal: <= 0.25).

    .venv/bin/python bench/review.py [--quick]

``measure(quick)`` returns the rows ({"name", "ratio", "detail"}) for other scripts. A benchmark
is a script: it prints numbers and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine_info, narration_text, photo_like, table

GOAL = 0.25


def _reviewed_spec(work: Path, words: int, size: tuple[int, int]) -> dict[str, Any]:
    """The state of a create run stopped at its review (spec, narration, plan, review)."""
    from langgraph.checkpoint.memory import InMemorySaver

    from reelgraph.graph.create import build_create_graph
    from reelgraph.graph.runner import run_job

    images = [str(photo_like(work / f"photo{i}.png", i, (1200, 1800))) for i in range(3)]
    saver = InMemorySaver()
    options = {"width": size[0], "height": size[1], "review": True, "music": "calm"}
    inputs = {"prompt": "a harbour town", "transcript": narration_text(words), "images": images}
    result = run_job(
        "create", inputs, options, out_dir=work / "run", job_id="b", checkpointer=saver
    )
    if result.get("status") != "awaiting_review":
        sys.exit(f"the run did not stop for review: {result}")
    graph = build_create_graph().compile(checkpointer=saver)
    return dict(graph.get_state({"configurable": {"thread_id": "b"}}).values)


def _empty_caches() -> None:
    from reelgraph.workers.engine.cache import get_cache

    for kind in ("render", "loudness"):
        shutil.rmtree(get_cache().root / kind, ignore_errors=True)


def _time_preview(state: dict[str, Any], work: Path) -> float:
    """Seconds of the review's media work: the draft render and the thumbnails."""
    from reelgraph.nodes.review import THUMB_MAX_SIDE, scene_spans
    from reelgraph.workers.engine.preview import preview_size, preview_spec
    from reelgraph.workers.engine.render import render_spec
    from reelgraph.workers.engine.thumbnail import make_thumbnail

    _empty_caches()
    t0 = time.perf_counter()
    spec = preview_spec(state["spec"])
    out = render_spec(spec, str(work / "preview.mp4"))
    thumb = preview_size(spec["output"]["width"], spec["output"]["height"], THUMB_MAX_SIDE)
    for i, (start, duration) in enumerate(scene_spans(state)):
        make_thumbnail(out["path"], str(work / f"s{i}.jpg"), start + duration / 2, size=thumb)
    return time.perf_counter() - t0


def _time_full(state: dict[str, Any], work: Path) -> float:
    from reelgraph.workers.engine.render import render_spec

    _empty_caches()
    t0 = time.perf_counter()
    render_spec(state["spec"], str(work / "full.mp4"))
    return time.perf_counter() - t0


def measure(quick: bool = False) -> list[dict[str, Any]]:
    """One row: preview seconds / full render seconds of one create run's spec."""
    words, size = (40, (720, 1280)) if quick else (90, (1080, 1920))
    home = Path(tempfile.mkdtemp(prefix="reelgraph-bench-review-"))
    old = os.environ.get("REELGRAPH_HOME")
    os.environ["REELGRAPH_HOME"] = str(home)
    from reelgraph.settings import get_settings

    get_settings.cache_clear()
    try:
        state = _reviewed_spec(home, words, size)
        preview = _time_preview(state, home)
        full = _time_full(state, home)
    finally:
        if old is None:
            os.environ.pop("REELGRAPH_HOME", None)
        else:
            os.environ["REELGRAPH_HOME"] = old
        get_settings.cache_clear()
        shutil.rmtree(home, ignore_errors=True)
    spec = state["spec"]
    detail = (
        f"preview {preview:.2f} s (draft <= 640 px + {len(state['plan']['scenes'])} thumbnails), "
        f"full {full:.2f} s ({spec['output']['width']}x{spec['output']['height']}"
        f"@{spec['output']['fps']}, {spec['duration']:.1f} s, {spec['output']['quality']})"
    )
    return [
        {
            "name": "review preview / full render",
            "ratio": round(preview / full, 3),
            "detail": detail,
        }
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a shorter, smaller run (720x1280)")
    p.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = p.parse_args(argv)
    rows = measure(quick=args.quick)
    print("machine\n" + table(list(machine_info().items())))
    lines = [(r["name"], f"ratio {r['ratio']:.2f} (goal <= {GOAL})  {r['detail']}") for r in rows]
    print("\n" + table(lines))
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
