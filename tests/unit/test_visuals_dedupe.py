"""Near duplicates by perceptual hash: a recompressed, resized copy is the same picture."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

from reelgraph.workers.engine.visuals.dedupe import NEAR_BITS, dhash, distance, is_near, signature


def _scene(seed: int) -> Image.Image:
    """A deterministic picture with structure (blurred random blocks)."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, (6, 4, 3), dtype=np.uint8)
    img = Image.fromarray(blocks).resize((360, 640), Image.Resampling.NEAREST)
    return img.filter(ImageFilter.GaussianBlur(12))


def test_resized_recompressed_copy_is_a_near_duplicate() -> None:
    original = _scene(1)
    buf = io.BytesIO()
    original.resize((180, 320)).save(buf, format="JPEG", quality=55)
    copy = Image.open(io.BytesIO(buf.getvalue()))
    brighter = Image.eval(original, lambda v: min(255, v + 12))
    assert distance(dhash(original), dhash(copy)) <= NEAR_BITS
    assert distance(dhash(original), dhash(brighter)) <= NEAR_BITS
    assert is_near(dhash(copy), [dhash(_scene(7)), dhash(original)])


def test_flat_pictures_of_different_colours_are_not_duplicates() -> None:
    red, blue = Image.new("RGB", (90, 160), (255, 0, 0)), Image.new("RGB", (90, 160), (0, 0, 255))
    (hr, cr), (hb, cb) = signature(red), signature(blue)
    assert distance(hr, hb) == 0  # dHash alone sees no difference
    assert not is_near(hb, [hr], colour=cb, seen_colours=[cr])
    dark_red = Image.new("RGB", (90, 160), (245, 8, 4))
    hd, cd = signature(dark_red)
    assert is_near(hd, [hr], colour=cd, seen_colours=[cr])


def test_different_pictures_are_far_apart() -> None:
    hashes = [dhash(_scene(s)) for s in range(5)]
    for i in range(5):
        for j in range(i + 1, 5):
            assert distance(hashes[i], hashes[j]) > NEAR_BITS
    assert not is_near(hashes[0], hashes[1:])
