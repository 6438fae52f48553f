"""`reelgraph render SPEC.json`: render a RenderSpec (a project file) to a video.

A spec written by `create` or `caption` (their ``.spec.json`` sidecar), edited by hand, or
written by another tool renders the same from any working directory. Its media paths are
resolved in this order: absolute paths as they are, relative paths next to the spec file, then
relative paths in the media store (``REELGRAPH_HOME``), where served specs name their media.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from reelgraph.errors import InvalidInput, MissingAsset

MAX_SPEC_BYTES = 5_000_000


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "render",
        help="render a RenderSpec JSON file (a .spec.json project file) to an MP4",
        description="Render SPEC.json to a video. Relative media paths are looked up next to "
        "the spec, then in the media store (REELGRAPH_HOME).",
    )
    p.add_argument("spec", metavar="SPEC.json", help="the RenderSpec to render")
    p.add_argument(
        "-o", "--output", help="where to write the video (default: SPEC's name with .mp4)"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    p.add_argument(
        "--segment-seconds",
        type=float,
        default=0.0,
        help="render in segments of about this many seconds, joined without re-encoding "
        "(0 = one pass; else 2..3600)",
    )
    p.set_defaults(func=run)


def load_spec(path: Path) -> dict[str, Any]:
    """Read and validate a spec file; a bad file fails with every problem listed."""
    from pydantic import ValidationError

    from reelgraph.workers.engine.spec import RenderSpec

    if not path.is_file():
        raise MissingAsset(f"The spec file '{path}' does not exist.")
    if path.stat().st_size > MAX_SPEC_BYTES:
        raise InvalidInput(f"The spec file '{path.name}' is over {MAX_SPEC_BYTES // 1_000_000} MB.")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        spec = RenderSpec.model_validate(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"The spec file '{path.name}' is not JSON: {exc}.") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in e['loc']) or 'spec'}: {e['msg']}" for e in exc.errors()
        )
        msg = f"The spec file '{path.name}' is not a valid RenderSpec: {problems}."
        raise InvalidInput(msg) from None
    return spec.model_dump(mode="json")


def beside_spec(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Relative media paths that exist next to the spec file become absolute."""
    from reelgraph.workers.engine.render import map_spec_paths
    from reelgraph.workers.engine.spec import RenderSpec

    def _local(p: str) -> str:
        candidate = folder / p
        return str(candidate.resolve()) if not Path(p).is_absolute() and candidate.is_file() else p

    return map_spec_paths(RenderSpec.model_validate(spec), _local).model_dump(mode="json")


def run(args: argparse.Namespace) -> int:
    from reelgraph.app.commands.create import check_output
    from reelgraph.workers.engine import progress
    from reelgraph.workers.engine.render import render_spec

    src = Path(args.spec).expanduser()
    spec = beside_spec(load_spec(src), src.resolve().parent)
    out = check_output(
        args.output
        or str(src.with_name(src.name.removesuffix(".json").removesuffix(".spec") + ".mp4"))
    )
    last = [0.0]

    def _report(fraction: float) -> None:
        if args.quiet or time.monotonic() - last[0] < 1.0:
            return
        last[0] = time.monotonic()
        print(f"\rrendering {fraction:4.0%}", end="", file=sys.stderr, flush=True)

    seconds = args.segment_seconds
    if seconds and not 2 <= seconds <= 3600:
        raise InvalidInput(f"--segment-seconds {seconds:g} is out of range; use 0 or 2..3600.")
    with progress.hooks(_report, None):
        if seconds:
            from reelgraph.workers.jobs.segments import render_segmented

            result = render_segmented(spec, str(out), seconds)
        else:
            result = render_spec(spec, str(out))
    if not args.quiet:
        print("\r", end="", file=sys.stderr)
    print(f"video: {out}" + (" (from the render cache)" if result["cache_hit"] else ""))
    return 0
