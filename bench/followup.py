"""A follow-up message vs the first render of a conversation (embedded, a fresh data home).

The first message plans, narrates, scores music and renders; "make the captions yellow" then
re-renders without narration or music work, and "make scene 2 say ..." re-narrates one scene.
Each ratio is the follow-up's wall time over the first render's.

    python bench/followup.py [--quick]
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parent.parent))

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench._common import narration_text


def _turn(
    cp: Any, thread: str, text: str, options: dict[str, Any], root: Path
) -> tuple[float, Any]:
    from reelgraph.graph.threads import run_turn

    turn = uuid.uuid4().hex[:8]
    t0 = time.perf_counter()
    result = run_turn(
        thread, text, turn_id=turn, out_dir=root / turn, checkpointer=cp, options=options
    )
    elapsed = time.perf_counter() - t0
    if not result["version"]:
        sys.exit(f"the message {text!r} made no version: {result['reply']}")
    return elapsed, result


def measure(quick: bool = False) -> list[dict[str, Any]]:
    """[{name, ratio, detail}]: each follow-up's time over the first render's."""
    seconds, size = (12, (360, 640)) if quick else (30, (1080, 1920))
    options = {"width": size[0], "height": size[1], "music": "calm"}
    with tempfile.TemporaryDirectory(prefix="followup-bench-") as tmp:
        os.environ["REELGRAPH_HOME"] = str(Path(tmp) / "home")
        from reelgraph.settings import get_settings

        get_settings.cache_clear()
        from reelgraph.graph.checkpoint import get_checkpointer

        with get_checkpointer() as cp:
            text = narration_text(int(seconds * 2.5))
            first, v1 = _turn(cp, "bench", text, options, Path(tmp))
            caption, v2 = _turn(cp, "bench", "make the captions yellow", options, Path(tmp))
            scene, v3 = _turn(
                cp, "bench", "make scene 2 say The harbour is quiet.", options, Path(tmp)
            )
    where = f"{size[0]}x{size[1]}, ~{v1['report']['duration']:.0f} s, {os.cpu_count()} CPUs"
    return [
        {
            "name": "caption colour follow-up / first render",
            "ratio": round(caption / first, 3),
            "detail": f"{caption:.2f} s vs {first:.2f} s ({where}); recomputed "
            f"{v2['report']['recomputed']}",
        },
        {
            "name": "scene text follow-up / first render",
            "ratio": round(scene / first, 3),
            "detail": f"{scene:.2f} s vs {first:.2f} s; narration "
            f"{v3['report']['cache'].get('narration')}",
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="360x640, about 12 s")
    args = parser.parse_args()
    for row in measure(quick=args.quick):
        print(f"{row['name']:<42} {row['ratio']:6.3f}   {row['detail']}")


if __name__ == "__main__":
    main()
