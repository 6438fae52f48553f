"""A progress bar per stage for CLI runs, fed by the runner's events."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

TIME_LEFT = " time left"


def format_eta(seconds: float) -> str:
    """``42 s``, ``3 min 5 s``, ``1 h 2 min``."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s"
    return f"{s // 3600} h {s % 3600 // 60} min"


class StageBars:
    """Context manager; call it with each event dict."""

    def __init__(self, quiet: bool = False):
        self.console = Console(stderr=True)
        self.quiet = quiet or not sys.stderr.isatty()
        self.progress = Progress(
            TextColumn("{task.description:<16}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=self.console,
            disable=self.quiet,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> StageBars:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.__exit__(*exc)

    def __call__(self, event: dict[str, Any]) -> None:
        if event.get("eta_s") is not None:
            self._time_left(float(event["eta_s"]), event.get("type") == "estimate")
        stage = str(event.get("stage", ""))
        if not stage:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=1.0)
        frac = float(event.get("progress", 0.0))
        self.progress.update(self.tasks[stage], completed=frac)
        if self.quiet and event.get("type") == "stage_done":
            print(f"  {stage:<16} done in {event.get('seconds', 0):.1f}s", file=sys.stderr)
        if event.get("clip"):  # a flow that makes several clips: a bar per clip
            self._clip(event)

    def _time_left(self, seconds: float, announce: bool) -> None:
        """A row with the time left (graph.eta); quiet runs print each new estimate."""
        text = f"about {format_eta(seconds)} left"
        if self.quiet:
            if announce:
                print(f"  {'estimate':<16} {text}", file=sys.stderr)
            return
        if TIME_LEFT not in self.tasks:
            self.tasks[TIME_LEFT] = self.progress.add_task(text, total=None)
        self.progress.update(self.tasks[TIME_LEFT], description=text)

    def _clip(self, event: dict[str, Any]) -> None:
        name = f"  clip {event['clip']}/{event.get('clips', '?')}"
        if name not in self.tasks:
            self.tasks[name] = self.progress.add_task(name, total=1.0)
        done = event.get("type") == "clip_done"
        frac = 1.0 if done else float(event.get("clip_progress", 0.0))
        self.progress.update(self.tasks[name], completed=frac)
        if self.quiet and done:
            print(f"  {name.strip():<16} done: {event.get('file', '')}", file=sys.stderr)
