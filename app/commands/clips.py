"""`reelgraph clips`: the best self-contained moments of a long video as captioned 9:16 shorts."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

from reelgraph.app.commands.flags import add_option_flags, options_from_args
from reelgraph.errors import OutputNotWritable
from reelgraph.graph.context import ClipsContext
from reelgraph.settings import get_settings

#: Files of the run that go into the output folder besides the clips; clips.json goes last.
SIDECARS = ("transcript.json", "report.json")


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "clips",
        help="cut the best moments of a long video into captioned vertical shorts",
        description="Transcribe a long video once, find its best self-contained moments (whole "
        "sentences, none overlapping; scored by the configured chat model, else a heuristic) and "
        "render each as a captioned 9:16 short following the face. Writes DIR/clip-NN.mp4, "
        "DIR/clip-NN.srt and DIR/clips.json (start, end, score, title, hook, reason per clip).",
    )
    p.add_argument("input", metavar="IN", help="video file, upload:<id>, or http(s) URL")
    p.add_argument("-o", "--output", metavar="DIR", help="output folder (default: <IN name>.clips)")
    p.add_argument("--size", help="explicit WIDTHxHEIGHT, 9:16 (default 1080x1920)")
    add_option_flags(p, ClipsContext)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def clips_options(args: argparse.Namespace) -> dict[str, Any]:
    """The clips options given on the command line."""
    from reelgraph.app.commands.create import parse_size

    width, height = parse_size(args.size)
    options = options_from_args(args, ClipsContext) | {"width": width, "height": height}
    return {k: v for k, v in options.items() if v is not None}


def default_output(source: str) -> str:
    stem = Path(source.split("?")[0].rstrip("/")).stem or "video"
    return f"{stem}.clips"


def check_folder(path: str) -> Path:
    """The output folder: it may exist (as a folder); its parent must exist and be writable."""
    out = Path(path).expanduser()
    if out.exists() and not out.is_dir():
        raise OutputNotWritable(f"'{out}' is a file; give a folder for the clips with -o.")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise OutputNotWritable(f"The folder '{parent}' does not exist; create it or choose -o.")
    if not os.access(out if out.is_dir() else parent, os.W_OK):
        raise OutputNotWritable(f"'{out}' is not writable; choose another -o folder.")
    return out


def _copy(src: str, target: Path) -> str:
    tmp = target.with_name(target.name + ".partial")
    shutil.copyfile(src, tmp)
    os.replace(tmp, target)
    return str(target)


def place(artifacts: dict[str, str], out: Path) -> dict[str, str]:
    """Copy the clips, then the sidecars, then clips.json into ``out``, each atomically; the
    clip files an earlier clips.json there named and this run does not make are removed."""
    old = out / "clips.json"
    stale: set[str] = set()
    if old.is_file():
        try:
            for c in json.loads(old.read_text()).get("clips", []):
                stale |= {str(c.get(k)) for k in ("file", "captions") if c.get(k)}
        except (ValueError, AttributeError):
            stale = set()
    out.mkdir(exist_ok=True)
    names = [n for n in artifacts if n.startswith("clip-")] + [*SIDECARS, "clips.json"]
    placed = {n: _copy(artifacts[n], out / n) for n in names if artifacts.get(n)}
    for name in stale - set(placed):
        if Path(name).name == name and name.startswith("clip-"):
            (out / name).unlink(missing_ok=True)
    return placed


def run(args: argparse.Namespace) -> int:
    from reelgraph.app.progress_ui import StageBars
    from reelgraph.graph.runner import run_job

    out = check_folder(args.output or default_output(args.input))
    options = clips_options(args)
    ClipsContext.from_options(options, flags=True)  # validate before any work
    run_id = uuid.uuid4().hex[:12]
    run_dir = get_settings().storage_dir / "runs" / run_id
    try:
        with StageBars(quiet=args.quiet) as bars:
            result = run_job(
                "clips",
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
    for clip in result.get("report", {}).get("clips", []):
        print(
            f"{out / clip['file']}: {clip['start']:.1f}-{clip['end']:.1f}s "
            f"score {clip['score']:.2f}  {clip['title']}"
        )
    print(f"clips: {placed['clips.json']}")
    return 0
