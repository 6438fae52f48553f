"""The time left of a run, carried in its progress events and refined as stages finish.

``Estimator`` sits between the graph and the caller's event callback (``graph.runner``):

- every ``stage``/``progress``/``stage_done`` event gains ``eta_s``, the seconds left: the
  current stage's remainder (from its own progress once past 10%, else its prediction less the
  time it has run) plus the prediction of every stage still to come;
- after each step (``on_values``, the state the step produced) a stage that really ran (not a
  cache hit) folds its measured cost into this host's costs (``workers.engine.costs.record``),
  the units are read again from the richer state, and an ``estimate`` event carries the new
  ``eta_s`` and the per-stage predictions;
- ``report()`` is what ``report.json`` keeps: the first complete prediction against what ran.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from reelgraph.graph.estimate import StageCost, stages_for, was_cache_hit
from reelgraph.workers.engine import costs

logger = logging.getLogger(__name__)

EventFn = Callable[[dict[str, Any]], None]
#: Below this fraction of its progress a stage's own pace is too noisy to extrapolate.
MIN_PACE_FRACTION = 0.1


class Estimator:
    """Tracks one run's stages and predicts the time left (see the module docstring)."""

    def __init__(self, kind: str, ctx: Any, inputs: Mapping[str, Any], emit: EventFn | None):
        self.ctx, self.emit = ctx, emit
        self.stages = stages_for(kind, ctx)
        self.state: Mapping[str, Any] = inputs
        self.costs = costs.load_costs()
        self.done: dict[str, float] = {}
        self.recorded: set[str] = set()
        self.resumed: set[str] = set()  # done before this process resumed the run
        self.current: tuple[str, float, float] | None = None  # (stage, started, fraction)
        self.at_start: dict[str, float] = {}  # each stage's prediction as it started
        self.first: dict[str, Any] | None = None  # the first complete prediction

    def predict(self, stage: StageCost) -> float | None:
        units = stage.units(self.state, self.ctx)
        return None if units is None else costs.predict(stage.kind, units, self.costs)

    def _left_now(self, stage: StageCost, now: float) -> float | None:
        if self.current is None or self.current[0] != stage.name:
            return self.predict(stage)
        _name, started, frac = self.current
        elapsed = now - started
        if frac >= MIN_PACE_FRACTION:
            return elapsed * (1 - frac) / frac
        predicted = self.predict(stage)
        return None if predicted is None else max(predicted - elapsed, 0.0)

    def eta(self) -> float | None:
        """Seconds left, or None while a stage still to come has unknown units."""
        now, total = time.monotonic(), 0.0
        for stage in self.stages:
            if stage.name in self.done:
                continue
            left = self._left_now(stage, now)
            if left is None:
                return None
            total += left
        return round(total, 1)

    def on_event(self, event: dict[str, Any]) -> None:
        etype, name = event.get("type"), event.get("stage")
        if etype == "resumed" and isinstance(name, str):
            self._resumed_at(name)
        if etype in ("stage", "resumed") and isinstance(name, str):
            self.current = (name, time.monotonic(), 0.0)
            stage = next((s for s in self.stages if s.name == name), None)
            predicted = self.predict(stage) if stage else None
            if predicted is not None:
                self.at_start.setdefault(name, round(predicted, 3))
        elif etype == "progress" and self.current and self.current[0] == name:
            self.current = (name, self.current[1], float(event.get("progress") or 0.0))
        elif etype == "stage_done" and isinstance(name, str):
            self.done[name] = float(event.get("seconds") or 0.0)
            self.current = None
        left = self.eta()
        if self.emit is not None:
            self.emit({**event, "eta_s": left} if left is not None else event)

    def _resumed_at(self, name: str) -> None:
        """A run resumed from its checkpoint at ``name``: the stages before it are done (their
        times come with the state, ``on_values``; their costs were recorded by the first run)."""
        names = [s.name for s in self.stages]
        for earlier in names[: names.index(name)] if name in names else []:
            self.done.setdefault(earlier, 0.0)
            self.recorded.add(earlier)
            self.resumed.add(earlier)

    def start(self) -> None:
        """Emit the estimate the inputs alone allow (before the first stage)."""
        self._emit_estimate()

    def on_values(self, values: Mapping[str, Any]) -> None:
        """The state after a step: record what ran, re-read the units, emit the estimate."""
        self.state = values
        for name, seconds in (values.get("timings") or {}).items():
            if name in self.resumed:
                self.done[name] = float(seconds)
        for stage in self.stages:
            if stage.name in self.done and stage.name not in self.recorded:
                self.recorded.add(stage.name)
                self._record(stage)
        self.costs = costs.load_costs()
        self._emit_estimate()

    def _record(self, stage: StageCost) -> None:
        if stage.cache and was_cache_hit((self.state.get("cache") or {}).get(stage.cache)):
            return
        units = stage.units(self.state, self.ctx)
        if units is not None:
            costs.record(stage.kind, units, self.done[stage.name])

    def snapshot(self) -> dict[str, Any] | None:
        """{eta_s, total_s, stages: {name: predicted or actual seconds}}; None when unknown."""
        left = self.eta()
        if left is None:
            return None
        per_stage: dict[str, float] = {}
        for stage in self.stages:
            if stage.name in self.done:
                per_stage[stage.name] = round(self.done[stage.name], 3)
            else:
                per_stage[stage.name] = round(self.predict(stage) or 0.0, 3)
        total = round(sum(self.done.values()) + left, 1)
        return {"eta_s": left, "total_s": total, "stages": per_stage}

    def _emit_estimate(self) -> None:
        snap = self.snapshot()
        if snap is None:
            return
        if self.first is None:
            before = next((s.name for s in self.stages if s.name not in self.done), "deliver")
            self.first = {"total_s": snap["total_s"], "made_before": before}
        if self.emit is not None:
            self.emit({"type": "estimate", "eta_s": snap["eta_s"], "estimate": snap})

    def report(self) -> dict[str, Any]:
        """The first complete prediction against what ran (``report.json``'s ``estimate``)."""
        stages = {
            name: {"predicted_s": self.at_start.get(name), "actual_s": round(secs, 3)}
            for name, secs in self.done.items()
        }
        return {
            "predicted_s": (self.first or {}).get("total_s"),
            "predicted_before": (self.first or {}).get("made_before"),
            "actual_s": round(sum(self.done.values()), 3),
            "stages": stages,
        }
