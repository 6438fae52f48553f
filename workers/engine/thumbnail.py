"""A JPEG still of a rendered video (the delivered thumbnail)."""

from __future__ import annotations

import os
from pathlib import Path

from reelgraph.errors import OutputNotWritable
from reelgraph.workers.engine.ffmpeg import ffmpeg_capture, input_args
from reelgraph.workers.engine.probe import input_demuxer


def make_thumbnail(video: str, out_jpg: str, at: float, size: tuple[int, int] | None = None) -> str:
    """A JPEG still from ``video`` at ``at`` seconds (scaled to ``size``), written atomically."""
    out = Path(out_jpg)
    scale = ["-vf", f"scale={size[0]}:{size[1]}"] if size else []
    tmp = out.with_name(out.name + ".partial.jpg")
    res = ffmpeg_capture(
        [
            "-y",
            "-ss",
            f"{at:.3f}",
            *input_args(video, input_demuxer(video)),
            "-frames:v",
            "1",
            *scale,
            "-q:v",
            "3",
            str(tmp),
        ],
        timeout=60,
    )
    if res.returncode != 0 or not tmp.exists():
        tmp.unlink(missing_ok=True)
        raise OutputNotWritable(f"Could not write the thumbnail '{out.name}'.")
    os.replace(tmp, out)
    return str(out)
