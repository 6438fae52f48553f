"""`reelgraph create`: prompt (plus optional media) to a finished video, embedded mode."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import uuid
from functools import partial
from pathlib import Path
from typing import Any

from reelgraph.app.commands.flags import add_option_flags, options_from_args
from reelgraph.app.commands.runcache import cached_artifacts, run_key, store_artifacts
from reelgraph.errors import InvalidInput, OutputNotWritable
from reelgraph.files import write_json_atomic
from reelgraph.graph.context import Context
from reelgraph.settings import get_settings

DEMO_SCRIPT = (
    "Every short video starts with an idea. Reelgraph turns that idea into a script, a voice "
    "and a scene plan. Music sits quietly under the narration, and every word lights up in the "
    "captions as it is spoken. No cloud, no account, just your own machine."
)

MUSIC_HELP = {
    "music": "auto (by the plan's mood), a mood (calm, happy, ...), a music file, or none"
}

SIDECARS = {
    "captions.srt": ".srt",
    "captions.vtt": ".vtt",
    "captions.ass": ".ass",
    "plan.json": ".plan.json",
    "spec.json": ".spec.json",
    "report.json": ".report.json",
    "thumbnail.jpg": ".jpg",
    "credits.txt": ".credits.txt",
    "timeline.otio": ".otio",
    "timeline.fcpxml": ".fcpxml",
    "timeline.edl": ".edl",
}

#: What the run cache keeps of a run.
CACHED = ["video.mp4", *SIDECARS]

#: Translated tracks and dubbed videos: ``captions.de.srt`` -> ``NAME.de.srt``, ``video.de.mp4``
#: -> ``NAME.de.mp4``.
TRANSLATED = re.compile(r"^(?:captions|video)(\.[a-z]{2,3}(?:-[a-z0-9]{2,8})?\.(?:srt|vtt|mp4))$")


def translated_names(options: dict[str, Any]) -> list[str]:
    """The artifact names a run with these options adds for its translations."""
    from reelgraph.workers.engine.scripts import normalize_language

    given = options.get("translate") or []
    raw = given.split(",") if isinstance(given, str) else given
    codes = [normalize_language(c) for c in raw if c.strip()]
    names = [f"captions.{c}.{ext}" for c in codes for ext in ("srt", "vtt")]
    return names + ([f"video.{c}.mp4" for c in codes] if options.get("dub") else [])


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "create",
        help="make a video from a prompt",
        description="Make a finished video from a prompt, offline by default. "
        "Sidecars (captions, plan, spec, report, thumbnail) go beside the video.",
    )
    p.add_argument("prompt", nargs="?", default="", help="what the video is about, or its script")
    p.add_argument(
        "--images",
        nargs="+",
        default=[],
        metavar="IMG",
        help="images (paths, http(s) URLs or base64) shown with Ken Burns motion",
    )
    p.add_argument("--audio", help="your own narration audio file (used instead of TTS)")
    p.add_argument("--transcript", help="narration text, or a .txt file with it")
    p.add_argument("--size", help="explicit WIDTHxHEIGHT (overrides --aspect's default size)")
    add_option_flags(p, Context, helps=MUSIC_HELP)
    p.add_argument("-o", "--output", default="reelgraph.mp4", help="output .mp4 path")
    p.add_argument("--demo", action="store_true", help="render the built-in demo script")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def check_output(path: str) -> Path:
    out = Path(path).expanduser()
    if out.suffix.lower() != ".mp4":
        raise InvalidInput(f"The output '{path}' must end in .mp4.")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise OutputNotWritable(f"The folder '{parent}' does not exist; create it or choose -o.")
    if not os.access(parent, os.W_OK):
        raise OutputNotWritable(f"The folder '{parent}' is not writable; choose another -o path.")
    if out.is_dir():
        raise OutputNotWritable(f"'{out}' is a folder; give a file name ending in .mp4.")
    return out


def parse_size(size: str | None) -> tuple[int | None, int | None]:
    if not size:
        return None, None
    try:
        w, h = (int(x) for x in size.lower().split("x"))
    except ValueError as exc:
        raise InvalidInput(f"--size '{size}' is not WIDTHxHEIGHT, e.g. 1080x1920.") from exc
    return w, h


def create_options(args: argparse.Namespace) -> dict[str, Any]:
    """The create options given on the command line (a --music file is an input, not one)."""
    width, height = parse_size(getattr(args, "size", None))
    options = options_from_args(args, Context) | {"width": width, "height": height}
    if _music_path(options.get("music")):
        options.pop("music")
    return {k: v for k, v in options.items() if v is not None}


def _music_path(value: str | None) -> str | None:
    """``--music`` names a local track when it holds a path separator or a dot (CLI only)."""
    if not value or not (os.path.sep in value or "." in value):
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        raise InvalidInput(f"The --music file '{value}' does not exist.")
    return str(path)


def inputs_from_args(args: argparse.Namespace) -> dict[str, Any]:
    if args.audio and not Path(args.audio).expanduser().is_file():
        raise InvalidInput(f"The --audio file '{args.audio}' does not exist.")
    prompt, transcript = args.prompt or "", args.transcript
    if getattr(args, "demo", False):
        prompt, transcript = prompt or "A short demo of reelgraph", transcript or DEMO_SCRIPT
    return {
        "prompt": prompt,
        "transcript": transcript,
        "images": args.images,
        "audio": str(Path(args.audio).expanduser()) if args.audio else None,
        "music_file": _music_path(getattr(args, "music", None)),
    }


def export_target(options: dict[str, Any], out: Path) -> dict[str, str]:
    """With ``--export``, the video's final path: the editor files name the files beside it."""
    return {"output_path": str(out.resolve())} if options.get("export") else {}


def place_outputs(artifacts: dict[str, str], out: Path) -> dict[str, str]:
    """Put the video at ``out`` and sidecars beside it (``<stem>.srt`` ...), atomically."""
    placed: dict[str, str] = {}
    targets = {"video.mp4": out} | {
        name: out.with_name(out.stem + suffix) for name, suffix in SIDECARS.items()
    }
    for name in artifacts:
        m = TRANSLATED.match(name)
        if m:
            targets[name] = out.with_name(out.stem + m.group(1))
    for name, target in targets.items():
        src = artifacts.get(name)
        if not src:
            continue
        tmp = target.with_name(target.name + ".partial")
        shutil.copyfile(src, tmp)
        os.replace(tmp, target)
        placed[name] = str(target)
    return placed


def run(args: argparse.Namespace) -> int:
    from reelgraph.app.commands.review import REJECTED_EXIT, run_reviewed
    from reelgraph.app.progress_ui import StageBars
    from reelgraph.graph.runner import run_job

    out = check_output(args.output)
    options = create_options(args)
    Context.from_options(options, flags=True)  # validate before any work
    inputs = inputs_from_args(args) | export_target(options, out)
    if not (inputs["prompt"].strip() or inputs["transcript"] or inputs["audio"]):
        raise InvalidInput("The prompt is empty; describe the video or pass --transcript.")
    from reelgraph.workers.engine.images import precheck_image

    for i, src in enumerate(inputs["images"]):  # before any narration is synthesised
        precheck_image(src, f"images[{i}]")
    key = run_key("create", inputs, options)
    reviewed = bool(options.get("review"))  # the reviewer's answers make the run: never cached
    hit = None if reviewed else cached_artifacts(key, [*CACHED, *translated_names(options)])
    if hit is not None:  # the identical run was made before: copy it into place
        placed = place_outputs(hit, out)
        _mark_run_cache_hit(placed.get("report.json"))
        _print_outputs(placed, [])
        return 0
    run_id = uuid.uuid4().hex[:12]
    run_dir = get_settings().storage_dir / "runs" / run_id
    run = partial(run_job, "create", inputs, options, job_id=run_id, out_dir=run_dir)
    try:
        if reviewed:
            result = run_reviewed(run, args.quiet)
        else:
            with StageBars(quiet=args.quiet) as bars:
                result = run(on_event=bars)
        if result.get("status") == "rejected":
            shutil.rmtree(run_dir, ignore_errors=True)
            print("rejected: the plan was rejected; no video was rendered.")
            return REJECTED_EXIT
        placed = place_outputs(result["artifacts"], out)
    except BaseException:
        shutil.rmtree(run_dir, ignore_errors=True)
        raise
    if not reviewed:
        store_artifacts(key, result["artifacts"])
    _print_outputs(placed, result.get("warnings", []))
    return 0


def _mark_run_cache_hit(report: str | None) -> None:
    """A report copied from the run cache says so (reports say what really happened)."""
    if not report:
        return
    doc = json.loads(Path(report).read_text())
    doc["cache"], doc["timings"] = {"run": "hit"}, {}  # no stage ran this time
    doc.pop("estimate", None)  # nor was anything estimated
    write_json_atomic(report, doc)


def _print_outputs(placed: dict[str, str], warnings: list[str]) -> None:
    for w in warnings:
        print(f"warning: {w}")
    print(f"video: {placed['video.mp4']}")
    print_sidecars(placed)


def print_sidecars(placed: dict[str, str]) -> None:
    """The captions, the report and the editor timelines that were placed."""
    timelines = (n for n in SIDECARS if n.startswith("timeline"))
    for name in ("captions.srt", "report.json", "credits.txt", *timelines):
        if name in placed:
            print(f"{name.split('.')[0]}: {placed[name]}")
    print_translations(placed)


def print_translations(placed: dict[str, str]) -> None:
    """One line per translated track or dubbed video placed beside the output."""
    for name in sorted(placed):
        if TRANSLATED.match(name):
            kind = "dubbed video" if name.endswith(".mp4") else "translated captions"
            print(f"{kind}: {placed[name]}")
