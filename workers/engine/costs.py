"""What each kind of work costs on this machine: seconds per unit, measured, a moving average.

A stage's time is ``base + per_unit * units``: the render's units are seconds of output scaled
to 1080x1920 at 30 fps, transcription's seconds of audio (``per_unit`` is then the real-time
factor), narration's characters, and a stage without a natural measure counts one ``run``.
``base`` is the start-up cost (model loads, FFmpeg start): the default one until runs of
different sizes were measured, then both are fitted (least squares over the decayed runs).

Measured costs are kept per worker host: one small JSON file under the per-machine cache dir,
``$XDG_CACHE_HOME/reelgraph/costs/<host>.json``, keeping each kind's runs as sums decayed
by ``1 - ALPHA`` per new run (an exponential moving average: the newest run weighs ``ALPHA``)
whenever a stage really ran (cache hits are not recorded). Before a stage was measured here
its default holds (from the 2-core development box; see docs/benchmarks.md).
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reelgraph.files import write_json_atomic
from reelgraph.settings import get_settings

logger = logging.getLogger(__name__)

VERSION = 1
#: Weight of the newest measurement in the moving average.
ALPHA = 0.3
#: A learned per-unit cost stays within this factor of the default (one stalled run, or runs
#: too small to separate the start-up cost from the work, cannot wreck the estimate).
CLAMP = 10.0
#: Output pixels times frame rate of the render's unit (1080x1920 at 30 fps).
RENDER_UNIT_PIXELS = 1080 * 1920 * 30


@dataclass(frozen=True)
class Cost:
    """The default cost of one kind of work and its unit."""

    unit: str
    per_unit: float
    base: float = 0.0


#: Defaults before anything was measured here.
DEFAULTS: dict[str, Cost] = {
    "render": Cost("s of 1080x1920 30 fps output", 1.1, 2.0),
    "transcribe": Cost("s of audio (real-time factor)", 0.15, 1.0),
    "extract_audio": Cost("s of source", 0.01, 0.2),
    "narrate": Cost("character", 0.01, 1.0),
    "plan_edits": Cost("s of source", 0.1, 0.5),
    "ocr": Cost("s of source", 0.3, 0.5),
    "find_moments": Cost("s of source", 0.01, 0.5),
}
#: Any other stage: one run of about this many seconds.
RUN = Cost("run", 0.5)
_lock = threading.Lock()


def default(kind: str) -> Cost:
    return DEFAULTS.get(kind, RUN)


def render_units(seconds: float, width: int, height: int, fps: float) -> float:
    """Seconds of output scaled to the render unit (1080x1920 at 30 fps)."""
    return max(0.0, seconds) * width * height * fps / RENDER_UNIT_PIXELS


def host() -> str:
    """This worker's host name, safe as a file name."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname() or "localhost")[:100]


def cost_path() -> Path:
    return get_settings().machine_cache_dir / "costs" / f"{host()}.json"


def _read() -> dict[str, Any]:
    try:
        data = json.loads(cost_path().read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("v") != VERSION:
        return {}
    stages = data.get("stages")
    return stages if isinstance(stages, dict) else {}


def _fit(got: dict[str, Any], d: Cost) -> tuple[float, float]:
    """(base, per_unit) from the decayed sums of the measured runs.

    With runs of different sizes the line through them (least squares) gives both; with runs
    of one size only ``per_unit`` is learned, above the default base.
    """
    n, sx, sy = float(got["n"]), float(got["sx"]), float(got["sy"])
    mx, my = sx / n, sy / n
    var = float(got["sxx"]) / n - mx * mx
    if var > (0.25 * mx) ** 2:
        slope = (float(got["sxy"]) / n - mx * my) / var
        base = my - slope * mx
        if slope > 0 and base >= 0:
            return base, _clamp(slope, d)
    return d.base, _clamp(max(0.0, my - d.base) / mx, d)


def _clamp(per_unit: float, d: Cost) -> float:
    return min(max(per_unit, d.per_unit / CLAMP), d.per_unit * CLAMP)


def load_costs() -> dict[str, dict[str, Any]]:
    """Every known cost kind: ``{kind: {unit, per_unit, base, runs}}`` (runs 0: the default)."""
    stored = _read()
    out: dict[str, dict[str, Any]] = {}
    for kind in {*DEFAULTS, *stored}:
        d = default(kind)
        got = stored.get(kind) or {}
        try:
            base, per_unit = _fit(got, d)
            runs = int(got["runs"])
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            base, per_unit, runs = d.base, d.per_unit, 0
        out[kind] = {"unit": d.unit, "per_unit": per_unit, "base": base, "runs": runs}
    return out


def predict(kind: str, units: float, costs: dict[str, dict[str, Any]] | None = None) -> float:
    """Seconds ``units`` of ``kind`` take here: ``base + per_unit * units``."""
    c = (costs if costs is not None else load_costs()).get(kind)
    if c is None:
        d = default(kind)
        c = {"per_unit": d.per_unit, "base": d.base}
    return float(c["base"]) + float(c["per_unit"]) * max(0.0, units)


def record(kind: str, units: float, seconds: float) -> dict[str, Any] | None:
    """Fold one measured run into this host's costs; returns the kind's new cost.

    The runs are kept as sums decayed by ``1 - ALPHA`` per new run (a moving average that
    forgets old runs), from which ``load_costs`` fits the cost; runs with no units are not
    recorded.
    """
    if units <= 1e-9 or seconds < 0:
        return None
    keep = 1 - ALPHA
    with _lock:
        stages = _read()
        old = stages.get(kind) or {}
        sums = {k: keep * float(old.get(k) or 0.0) for k in ("n", "sx", "sy", "sxx", "sxy")}
        point = {"n": 1.0, "sx": units, "sy": seconds, "sxx": units * units, "sxy": units * seconds}
        new = {k: round(sums[k] + point[k], 9) for k in sums}
        stages[kind] = {**new, "runs": int(old.get("runs") or 0) + 1}
        path = cost_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(path, {"v": VERSION, "host": host(), "stages": stages})
        except OSError:  # another process on this host writing at the same moment: next time
            logger.warning("could not write the stage costs to %s", path, exc_info=True)
    return load_costs()[kind]
