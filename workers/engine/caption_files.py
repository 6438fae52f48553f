"""Caption files from a RenderSpec: the .ass the render burns in, and the .srt/.vtt sidecars.

One builder for all of them: the render job writes the .ass it burns with ``write_spec_captions``
where it runs, and the deliver step writes the sidecars with the same call, so the delivered
captions.ass is the very text that was burned.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reelgraph.workers.engine.captions import caption_texts, write_caption_texts
from reelgraph.workers.engine.captions_look import Preset, look
from reelgraph.workers.engine.spec import Captions, RenderSpec

CAPTION_EXTS = ("ass", "srt", "vtt")


def spec_look(captions: Captions) -> Preset:
    """The preset the spec's captions name, with their overrides applied."""
    return look(captions.style, **captions.overrides())


def spec_caption_texts(
    spec: RenderSpec | dict[str, Any], exts: Iterable[str] = CAPTION_EXTS
) -> dict[str, str]:
    """{ext: text} of the spec's captions at its output size; {} when it has no caption words."""
    rs = spec if isinstance(spec, RenderSpec) else RenderSpec.model_validate(spec)
    if not (rs.captions and rs.captions.words):
        return {}
    out = rs.output
    texts = caption_texts(
        rs.captions.words,
        style=spec_look(rs.captions),
        width=out.width,
        height=out.height,
        avoid=rs.captions.avoid,
    )
    return {ext: texts[ext] for ext in exts}


def write_spec_captions(
    spec: RenderSpec | dict[str, Any], out_dir: str | Path, exts: Iterable[str] = CAPTION_EXTS
) -> dict[str, str]:
    """Write ``captions.<ext>`` for each of ``exts`` into ``out_dir`` atomically; {ext: path}."""
    texts = spec_caption_texts(spec, exts)
    return write_caption_texts(texts, out_dir) if texts else {}
