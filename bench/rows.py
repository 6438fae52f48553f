"""The benchmark table: one row per measured ratio, printed plain or as markdown.

A row is a plain dict ``{"name": str, "ratio": float | None, "detail": str}``: ``name`` says what
is divided by what, ``ratio`` is the measured number (None when nothing was measured) and
``detail`` holds the seconds behind it, sizes and goals. Every bench script's ``measure(quick)``
returns a list of rows; ``bench/run_all.py`` prints them as one table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

HEADER = ("benchmark", "ratio", "detail")


class Row(TypedDict):
    name: str
    ratio: float | None
    detail: str


def row(name: str, ratio: float | None, detail: str = "") -> Row:
    """A measured row (``ratio`` None when the measurement has no number)."""
    return {"name": name, "ratio": None if ratio is None else float(ratio), "detail": detail}


def unavailable(name: str, why: str) -> Row:
    """The row printed for a benchmark that could not run here (missing module, skipped...)."""
    return row(name, None, f"not available: {why}")


def checked(value: Any, source: str) -> Row:
    """``value`` as a Row; a malformed one becomes a row that says what was wrong with it."""
    if not isinstance(value, Mapping) or not isinstance(value.get("name"), str):
        return unavailable(source, f"malformed row {value!r:.80}")
    ratio = value.get("ratio")
    if ratio is not None and not isinstance(ratio, int | float):
        return unavailable(value["name"], f"ratio is not a number: {ratio!r:.40}")
    return row(value["name"], ratio, str(value.get("detail", "")))


def format_ratio(ratio: float | None) -> str:
    """Three significant figures (0.0214, 1.33, 12.4), whole numbers from 100 (2830); an em
    dash for no number."""
    if ratio is None:
        return "—"
    if ratio == 0 or abs(ratio) >= 100:
        return f"{ratio:.0f}"
    return f"{ratio:.3g}"


def _cells(rows: Iterable[Row]) -> list[tuple[str, str, str]]:
    return [(r["name"], format_ratio(r["ratio"]), r["detail"]) for r in rows]


def plain(rows: Iterable[Row], machine: str = "") -> str:
    """Aligned columns for a terminal, the machine line first."""
    cells = [HEADER, *_cells(rows)]
    w0 = max(len(c[0]) for c in cells)
    w1 = max(len(c[1]) for c in cells)
    lines = [f"{a.ljust(w0)}  {b.rjust(w1)}  {c}".rstrip() for a, b, c in cells]
    lines.insert(1, f"{'-' * w0}  {'-' * w1}  {'-' * len(HEADER[2])}")
    return "\n".join(([machine, ""] if machine else []) + lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(rows: Iterable[Row], machine: str = "") -> str:
    """A GitHub markdown table, the machine line as a paragraph above it."""
    lines = [f"| {' | '.join(HEADER)} |", "|---|---:|---|"]
    lines += [f"| {_md(a)} | {b} | {_md(c)} |" for a, b, c in _cells(rows)]
    return "\n".join(([_md(machine), ""] if machine else []) + lines)
