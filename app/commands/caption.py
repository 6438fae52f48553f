"""`reelgraph caption`: transcribe, caption, tighten and reframe an existing video."""

from __future__ import annotations

import argparse
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

from reelgraph.app.commands.flags import add_option_flags, options_from_args
from reelgraph.graph.context import CaptionContext
from reelgraph.settings import get_settings

EDIT_SIDECARS = {"transcript.json": ".transcript.json"}


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "caption",
        help="caption and edit an existing video",
        description="Transcribe a video, burn word captions, and optionally cut silences, "
        "reframe to another aspect following faces, zoom, add b-roll and a logo, in one render. "
        "Sidecars (captions, transcript, spec, report, thumbnail) go beside the output.",
    )
    p.add_argument("input", metavar="IN", help="video file, upload:<id>, or http(s) URL")
    p.add_argument("-o", "--output", help="output .mp4 (default: <IN name>.captioned.mp4 here)")
    p.add_argument("--size", help="explicit WIDTHxHEIGHT (overrides --aspect's size)")
    add_option_flags(p, CaptionContext)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def caption_options(args: argparse.Namespace) -> dict[str, Any]:
    """The caption options given on the command line."""
    from reelgraph.app.commands.create import parse_size

    width, height = parse_size(args.size)
    options = options_from_args(args, CaptionContext) | {"width": width, "height": height}
    return {k: v for k, v in options.items() if v is not None}


def default_output(source: str) -> str:
    stem = Path(source.split("?")[0].rstrip("/")).stem or "video"
    return f"{stem}.captioned.mp4"


def place(artifacts: dict[str, str], out: Path) -> dict[str, str]:
    from reelgraph.app.commands.create import place_outputs

    placed = place_outputs(artifacts, out)
    for name, suffix in EDIT_SIDECARS.items():
        if artifacts.get(name):
            target = out.with_name(out.stem + suffix)
            tmp = target.with_name(target.name + ".partial")
            shutil.copyfile(artifacts[name], tmp)
            tmp.replace(target)
            placed[name] = str(target)
    return placed


def run(args: argparse.Namespace) -> int:
    from reelgraph.app.commands.create import check_output, print_translations
    from reelgraph.app.progress_ui import StageBars
    from reelgraph.graph.runner import run_job

    out = check_output(args.output or default_output(args.input))
    options = caption_options(args)
    CaptionContext.from_options(options, flags=True)  # validate before any work
    run_id = uuid.uuid4().hex[:12]
    run_dir = get_settings().storage_dir / "runs" / run_id
    try:
        with StageBars(quiet=args.quiet) as bars:
            result = run_job(
                "caption",
                {"source": args.input},
                options,
                job_id=run_id,
                out_dir=run_dir,
                on_event=bars,
            )
        placed = place(result["artifacts"], out)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    for w in result.get("warnings", []):
        print(f"warning: {w}", file=sys.stderr)
    report = result.get("report", {})
    print(f"video: {placed['video.mp4']}")
    for name in ("captions.srt", "report.json"):
        if name in placed:
            print(f"{name.split('.')[0]}: {placed[name]}")
    print_translations(placed)
    edits = report.get("edits", {})
    print(
        f"duration: {report.get('duration_in', 0):.1f}s -> {report.get('duration_out', 0):.1f}s"
        f", {edits.get('cuts', 0)} cuts, cache: {report.get('cache', {})}"
    )
    return 0
