"""`reelgraph analyze`: metadata, transcript and on-screen text of a video as JSON."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from reelgraph.app.commands.flags import add_option_flags, options_from_args
from reelgraph.errors import OutputNotWritable
from reelgraph.graph.context import AnalyzeContext
from reelgraph.settings import get_settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "analyze",
        help="transcript and on-screen text of a video, as JSON",
        description="Print (or write with -o) JSON with the media metadata, the transcript "
        "(segments and words with times) and the on-screen text read from sampled frames.",
    )
    p.add_argument(
        "input",
        metavar="IN",
        help="media file, upload:<id>, or http(s) URL of a media file or of a page that plays one",
    )
    p.add_argument("-o", "--output", help="write the JSON here instead of printing it")
    add_option_flags(p, AnalyzeContext)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def check_json_output(path: str) -> Path:
    out = Path(path).expanduser()
    parent = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise OutputNotWritable(f"'{out}' is a folder; give a file name ending in .json.")
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise OutputNotWritable(f"The folder '{parent}' is missing or not writable; choose -o.")
    return out


def run(args: argparse.Namespace) -> int:
    from reelgraph.app.progress_ui import StageBars
    from reelgraph.graph.runner import run_job

    options = options_from_args(args, AnalyzeContext)
    AnalyzeContext.from_options(options, flags=True)  # validate before any work
    out = check_json_output(args.output) if args.output else None
    run_id = uuid.uuid4().hex[:12]
    run_dir = get_settings().storage_dir / "runs" / run_id
    try:
        with StageBars(quiet=args.quiet or out is None) as bars:
            result = run_job(
                "analyze",
                {"source": args.input},
                options,
                job_id=run_id,
                out_dir=run_dir,
                on_event=bars,
            )
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    text = json.dumps(result["analysis"], indent=2, ensure_ascii=False)
    if out is None:
        print(text)
        return 0
    tmp = out.with_name(out.name + ".partial")
    tmp.write_text(text + "\n")
    os.replace(tmp, out)
    print(f"analysis: {out}")
    return 0
