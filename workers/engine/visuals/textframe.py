"""Frames full of text or watermarks: the share of the picture the OCR finds text in.

The project's OCR (``engine.ocr``: rapidocr, else tesseract) reads the picture at most 640 px
wide; the boxes of the lines it reads with some confidence are summed as a share of the
picture's area. A scene's picture above ``MAX_TEXT_SHARE`` (a slide, a screenshot, a poster,
a stock photo stamped with a watermark) is skipped for the next candidate.
"""

from __future__ import annotations

import logging

import numpy as np
from PIL import Image

from reelgraph.workers.engine.ocr import ocr_image, resolve_engine

logger = logging.getLogger(__name__)

#: Pictures whose text boxes cover more than this share of the area are skipped.
MAX_TEXT_SHARE = 0.1
#: OCR lines read with less confidence than this are ignored (noise in textures).
MIN_CONFIDENCE = 0.5
#: A "line" taller than this share of the picture is not text.
MAX_LINE_HEIGHT = 0.35


def text_share(img: Image.Image, engine: str = "auto") -> float:
    """0..1: the share of ``img``'s area covered by the boxes of the text lines read in it."""
    rgb = img.convert("RGB")
    if rgb.width > 640:
        rgb = rgb.resize((640, max(1, round(rgb.height * 640 / rgb.width))))
    bgr = np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])
    lines = ocr_image(bgr, resolve_engine(engine))
    area = sum(
        max(0, ln["box"][2]) * max(0, ln["box"][3]) for ln in lines if _is_line(ln, rgb.height)
    )
    return round(min(1.0, area / float(rgb.width * rgb.height)), 4)


def _is_line(line: dict[str, object], height: int) -> bool:
    """A believable line of text: read with confidence, two characters or more, and not
    taller than a line can be (the OCR sometimes reads a lone "1" in a whole smooth picture)."""
    box = line["box"]
    text = str(line["text"]).strip()
    tall = isinstance(box, list) and box[3] > height * MAX_LINE_HEIGHT
    return float(str(line["confidence"])) >= MIN_CONFIDENCE and len(text) >= 2 and not tall


def is_text_frame(share: float, limit: float = MAX_TEXT_SHARE) -> bool:
    """Whether a picture with this text share is mostly text (skipped)."""
    return share > limit


__all__ = ["MAX_TEXT_SHARE", "is_text_frame", "text_share"]
