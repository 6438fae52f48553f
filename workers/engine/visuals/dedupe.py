"""Near duplicates by perceptual hash: a 64-bit difference hash (dHash) of each item's picture.

The picture is the still itself, or a frame from the middle of a clip (its first second at
most). Two items whose hashes differ in at most ``NEAR_BITS`` of 64 bits, and whose mean colours
are close, show the same picture (a resized, recompressed or lightly cropped copy), so a video
never shows it twice.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from reelgraph.errors import CorruptMedia
from reelgraph.workers.engine.ffmpeg import ffmpeg_capture, input_args

#: Hashes this close (Hamming distance, of 64 bits) are the same picture.
NEAR_BITS = 10
#: Mean colours further apart than this (on any channel, 0..255) are different pictures.
COLOUR_STEP = 24
#: Frames are read at most this wide (the hash and the OCR need no more).
FRAME_MAX_W = 640


def frame_of(path: str, kind: str, duration: float = 0.0) -> Image.Image:
    """The item's picture as RGB: the image, or one frame of a clip (at min(1 s, middle))."""
    if kind != "video":
        with Image.open(path) as img:
            img.draft("RGB", (FRAME_MAX_W, FRAME_MAX_W))
            return img.convert("RGB")
    from reelgraph.workers.engine.probe import input_demuxer

    at = min(1.0, duration / 2) if duration > 0 else 0.0
    res = ffmpeg_capture(
        [
            "-ss",
            f"{at:.3f}",
            *input_args(path, input_demuxer(path)),
            "-frames:v",
            "1",
            "-vf",
            f"scale='min({FRAME_MAX_W},iw)':-2",
            "-f",
            "image2pipe",
            "-c:v",
            "png",
            "-",
        ],
        timeout=60,
    )
    if res.returncode != 0 or not res.stdout:
        raise CorruptMedia(f"No frame could be read from the clip '{path.rsplit('/', 1)[-1]}'.")
    return Image.open(io.BytesIO(res.stdout)).convert("RGB")


def dhash(img: Image.Image, size: int = 8) -> int:
    """64-bit difference hash: is each pixel of a 9x8 grey thumbnail brighter than its right
    neighbour."""
    grey = img.convert("L").resize((size + 1, size), Image.Resampling.LANCZOS)
    px = np.asarray(grey, dtype=np.int16)
    bits = (px[:, 1:] > px[:, :-1]).flatten()
    return int("".join("1" if b else "0" for b in bits), 2)


def mean_colour(img: Image.Image) -> list[int]:
    """The picture's mean RGB: dHash sees only grey gradients, so flat or recoloured pictures
    of different colours would otherwise hash alike."""
    px = np.asarray(img.convert("RGB").resize((16, 16), Image.Resampling.BILINEAR), np.float32)
    return [round(float(c)) for c in px.reshape(-1, 3).mean(axis=0)]


def signature(img: Image.Image) -> tuple[int, list[int]]:
    """(dHash, mean colour) of a picture."""
    return dhash(img), mean_colour(img)


def distance(a: int, b: int) -> int:
    """Bits that differ between two hashes."""
    return (a ^ b).bit_count()


def is_near(
    h: int,
    seen: list[int],
    bits: int = NEAR_BITS,
    colour: list[int] | None = None,
    seen_colours: list[list[int]] | None = None,
) -> bool:
    """Whether ``h`` is within ``bits`` of a hash in ``seen`` (and, when colours are given,
    its mean colour within ``COLOUR_STEP`` of that picture's on every channel)."""
    for i, s in enumerate(seen):
        if distance(h, s) > bits:
            continue
        if colour is None or seen_colours is None:
            return True
        if max(abs(a - b) for a, b in zip(colour, seen_colours[i], strict=True)) <= COLOUR_STEP:
            return True
    return False


__all__ = ["NEAR_BITS", "dhash", "distance", "frame_of", "is_near", "mean_colour", "signature"]
