"""Filter-graph building blocks shared by the compilers: escaping, numbers, the builder.

Pure: no I/O. ``escape_filter_value`` is the one escaper of values put into a filter graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from reelgraph.workers.engine.ffmpeg import input_args
from reelgraph.workers.engine.gpu import HWACCEL_ARGS
from reelgraph.workers.engine.spec import RenderSpec


def escape_filter_value(value: str) -> str:
    """Escape a value for a filter option in a filtergraph: the one escaper (both levels).

    Level 1 is the filter's option parser (``key=value:key=value``): ``\\``, ``'`` and ``:``
    are escaped. Level 2 is the filtergraph parser around it, where ``\\``, ``'``, ``[``, ``]``,
    ``,`` and ``;`` are special. Tested with real FFmpeg on paths holding all of them.
    """
    level1 = value.replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\:")
    return "".join("\\" + ch if ch in "\\'[],;" else ch for ch in level1)


def ass_filter(ass_path: str, fonts_dir: str | None = None) -> str:
    """``ass=filename=...:fontsdir=...``: the caption burn-in filter, both paths escaped.

    The caption text lives in the file; only these two paths enter the filter graph.
    """
    arg = f"ass=filename={escape_filter_value(str(ass_path))}"
    if fonts_dir:
        arg += f":fontsdir={escape_filter_value(str(fonts_dir))}"
    return arg


def fmt(x: float) -> str:
    """Stable short float formatting for argv goldens."""
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


@dataclass
class GraphBuilder:
    """The inputs and filter statements of one FFmpeg run, built up by the compilers."""

    spec: RenderSpec
    formats: Mapping[str, str] = field(default_factory=dict)
    captions_ass: str | None = None
    fonts_dir: str | None = None
    inputs: list[list[str]] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)
    hwdecode: bool = False
    """Decode video inputs on the GPU (``-hwaccel cuda``; frames return to system memory)."""

    def add_input(self, path: str, *pre: str) -> int:
        self.inputs.append(input_args(path, self.formats.get(path), *pre))
        return len(self.inputs) - 1

    def add_video_input(self, path: str, *pre: str) -> int:
        """``add_input`` for a video source: with ``hwdecode``, NVDEC decodes it."""
        return self.add_input(path, *(HWACCEL_ARGS if self.hwdecode else ()), *pre)


def frame_count(seconds: float, fps: int) -> int:
    """Whole frames in ``seconds`` at ``fps`` (at least one)."""
    return max(1, round(seconds * fps))
