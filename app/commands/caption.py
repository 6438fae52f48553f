"""`reelgraph caption`: transcribe, caption, tighten and reframe an existing video."""

from __future__ import annotations

import argparse
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

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
    p.add_argument("--style", default="karaoke", help="caption style: karaoke, pop or clean")
    p.add_argument(
        "--aspect",
        default="source",
        choices=["source", "9:16", "16:9", "1:1"],
        help="output shape; a different one is reframed following faces",
    )
    p.add_argument("--size", help="explicit WIDTHxHEIGHT (overrides --aspect's size)")
    p.add_argument("--fps", type=int, default=30)
    p.add_argument("--quality", default="standard", choices=["draft", "standard", "high"])
    p.add_argument("--remove-silence", action="store_true", help="cut pauses")
    p.add_argument("--threshold", type=float, default=-35.0, help="silence level in dBFS")
    p.add_argument("--min-silence", type=float, default=0.5, help="shortest pause cut (s)")
    p.add_argument("--padding", type=float, default=0.15, help="pause kept beside speech (s)")
    p.add_argument("--zoom", action="store_true", help="periodic zoom with a push to the face")
    p.add_argument("--broll", metavar="DIR", help="folder of b-roll matched by file name")
    p.add_argument("--logo", metavar="F", help="image shown top-right")
    p.add_argument("--model", default="tiny.en", help="ASR model: tiny.en, base or a directory")
    p.add_argument("--language", help="spoken language code (default: detect)")
    p.add_argument(
        "--correct",
        action="store_true",
        help="fix recognition errors with the configured LLM (word timings kept)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    from reelgraph.app.commands.create import parse_size

    width, height = parse_size(args.size)
    return {
        "caption_style": args.style,
        "aspect": args.aspect,
        "width": width,
        "height": height,
        "fps": args.fps,
        "quality": args.quality,
        "remove_silence": args.remove_silence,
        "silence_threshold_db": args.threshold,
        "min_silence": args.min_silence,
        "silence_padding": args.padding,
        "zoom": args.zoom,
        "broll_dir": args.broll,
        "logo": args.logo,
        "asr_model": args.model,
        "language": args.language,
        "correct": args.correct,
    }


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
    from reelgraph.app.commands.create import check_output
    from reelgraph.app.progress_ui import StageBars
    from reelgraph.graph.caption import CaptionContext
    from reelgraph.graph.runner import run_job

    out = check_output(args.output or default_output(args.input))
    options = options_from_args(args)
    CaptionContext.from_options(options)  # validate before any work
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
    edits = report.get("edits", {})
    print(
        f"duration: {report.get('duration_in', 0):.1f}s -> {report.get('duration_out', 0):.1f}s"
        f", {edits.get('cuts', 0)} cuts, cache: {report.get('cache', {})}"
    )
    return 0
