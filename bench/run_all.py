"""Every benchmark in one process run, printed as ONE table with the machine line on top.

    .venv/bin/python bench/run_all.py [--quick] [--markdown] [--only NAME[,NAME]] [--skip-moviepy]

NAMEs, in the order they run: render, sequential, rerun, caption, segments, asr, api_load,
enhance, gpu, visuals, followup, review. Each is ``bench/NAME.py`` with a
``measure(quick) -> list[row]`` function (rows:
``bench/rows.py``); a module that is not in this tree, cannot be imported or fails while measuring
still gets its row(s), saying "not available: <why>", and the others run on. ``--quick`` uses
small sizes (seconds instead of minutes each); ``--markdown`` prints the table for
docs/benchmarks.md. The benches' own progress lines go to stderr, the table to stdout.

A benchmark is a script: it prints numbers and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python bench/run_all.py`
    sys.path.insert(0, str(ROOT))

from bench.rows import Row, checked, markdown, plain, unavailable  # noqa: E402

# (module name, what its rows measure: the row name used when the module gives none)
BENCHES: list[tuple[str, str]] = [
    ("render", "render: single pass / bare encode, MoviePy / single pass"),
    ("sequential", "sequential 5-pass re-encode (seeds) / single pass"),
    ("rerun", "cached re-run / uncached first run"),
    ("caption", "caption re-style (analysis cached) / first run"),
    ("segments", "segmented render, 1 and 2 workers / single pass; N-worker speedup model"),
    ("asr", "ASR real-time factor"),
    ("api_load", "API throughput"),
    ("enhance", "enhance / plain render"),
    ("gpu", "GPU: encode and ASR on the accelerator"),
    ("visuals", "visuals for a six-scene video: cached / first run"),
    ("followup", "caption-colour follow-up / first render"),
    ("review", "review preview / full render"),
]
NAMES = [name for name, _ in BENCHES]

Importer = Callable[[str], ModuleType]


def load(name: str, importer: Importer = importlib.import_module) -> ModuleType | str:
    """``bench.<name>``, or why it cannot be used here (one sentence)."""
    try:
        module = importer(f"bench.{name}")
    except ImportError as exc:
        if exc.name == f"bench.{name}":
            return f"bench/{name}.py is not in this tree"
        return f"bench/{name}.py cannot be imported ({type(exc).__name__}: {exc})"
    if not callable(getattr(module, "measure", None)):
        return f"bench/{name}.py has no measure(quick) function"
    return module


def run_one(
    name: str, label: str, quick: bool, options: dict[str, Any], importer: Importer
) -> list[Row]:
    """The rows of one bench; a missing module or a failure becomes a "not available" row."""
    module = load(name, importer)
    if isinstance(module, str):
        return [unavailable(label, module)]
    try:
        with contextlib.redirect_stdout(sys.stderr):
            rows = module.measure(quick, **options)
    except (Exception, SystemExit) as exc:
        traceback.print_exc(file=sys.stderr)
        return [unavailable(label, f"failed: {type(exc).__name__}: {exc}".strip()[:300])]
    if not rows:
        return [unavailable(label, "it measured nothing")]
    return [checked(r, label) for r in rows]


def collect(
    names: Sequence[str],
    quick: bool = False,
    options: dict[str, dict[str, Any]] | None = None,
    importer: Importer = importlib.import_module,
) -> list[Row]:
    """Run the named benches one after the other (in BENCHES order) and gather their rows."""
    rows: list[Row] = []
    for name, label in BENCHES:
        if name not in names:
            continue
        t0 = time.perf_counter()
        print(f"== {name}", file=sys.stderr, flush=True)
        rows += run_one(name, label, quick, (options or {}).get(name, {}), importer)
        print(f"== {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    return rows


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown benchmark {', '.join(unknown) or text!r}; choose from {', '.join(NAMES)}"
        )
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run of every bench")
    p.add_argument("--markdown", action="store_true", help="print the table as markdown")
    p.add_argument("--only", type=_names, default=NAMES, metavar="NAME[,NAME]")
    p.add_argument("--skip-moviepy", action="store_true", help="do not run the MoviePy baseline")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from bench.machine import load_average, machine_line

    args = parse_args(argv)
    machine = machine_line()
    t0 = time.perf_counter()
    options = {"render": {"moviepy": not args.skip_moviepy}}
    rows = collect(args.only, args.quick, options)
    footer = (
        f"{'--quick' if args.quick else 'full'} sizes, one process, benches run one after the "
        f"other: {time.perf_counter() - t0:.0f} s in all; load average at the end "
        f"{load_average()}"
    )
    print(markdown(rows, machine) if args.markdown else plain(rows, machine))
    print(f"\n{footer}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
