"""On-screen text: OCR on frames sampled every N frames, deduplicated across frames with times.

rapidocr with onnxruntime reads the frames (its detection/recognition models ship inside the
wheel, so nothing is downloaded); the ``tesseract`` command reads them instead when asked for,
or when rapidocr is not installed (engine ``auto``). A text seen on consecutive samples becomes
one item whose time span covers them; near-identical readings (OCR noise) are merged by fuzzy
matching. The result is a *permanent* cache entry keyed by the video bytes, the sampling step
and the engine.
"""

from __future__ import annotations

import difflib
import logging
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

from reelgraph.errors import CorruptMedia, DependencyMissing, InvalidInput
from reelgraph.workers.engine.cache import get_cache, make_key
from reelgraph.workers.engine.ffmpeg import ffmpeg_capture, input_args

logger = logging.getLogger(__name__)

NAMESPACE = "ocr"
VERSION = 2
MAX_WIDTH = 960
MIN_CONFIDENCE = 0.6
SIMILARITY = 0.8
SAME_FRAME_DIFF = 1.5
_lock = threading.Lock()
_engine: Any = None


def _get_engine() -> Any:
    global _engine
    with _lock:
        if _engine is None:
            try:
                from rapidocr import RapidOCR
            except ImportError as exc:  # pragma: no cover - depends on the install
                raise DependencyMissing(
                    "rapidocr is missing: pip install rapidocr onnxruntime to read on-screen text."
                ) from exc
            _engine = RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False})
        return _engine


ENGINES = ("auto", "rapidocr", "tesseract")


def resolve_engine(engine: str = "auto") -> str:
    """The OCR engine to use: rapidocr first, tesseract when present; DependencyMissing else."""
    import importlib.util
    import shutil

    if engine not in ENGINES:
        raise InvalidInput(f"OCR engine '{engine}' is unknown; use {', '.join(ENGINES)}.")
    has_rapid = importlib.util.find_spec("rapidocr") is not None
    has_tess = shutil.which("tesseract") is not None
    if engine == "rapidocr" or (engine == "auto" and has_rapid):
        if not has_rapid:
            raise DependencyMissing("rapidocr is missing: pip install rapidocr onnxruntime.")
        return "rapidocr"
    if not has_tess:
        raise DependencyMissing(
            "No OCR engine is installed: pip install rapidocr onnxruntime, or install tesseract."
        )
    return "tesseract"


def ocr_image(image: np.ndarray, engine: str = "rapidocr") -> list[dict[str, Any]]:
    """Text lines in one BGR image: ``[{"text", "confidence", "box": [x, y, w, h] pixels}]``."""
    if engine == "tesseract":
        return tesseract_image(image)
    result = _get_engine()(image)
    txts = getattr(result, "txts", None) or ()
    scores = getattr(result, "scores", None) or ()
    boxes = getattr(result, "boxes", None)
    lines: list[dict[str, Any]] = []
    for i, (text, score) in enumerate(zip(txts, scores, strict=False)):
        pts = np.asarray(boxes[i]) if boxes is not None else np.zeros((4, 2))
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        box = [int(x0), int(y0), int(x1 - x0), int(y1 - y0)]
        lines.append({"text": str(text).strip(), "confidence": float(score), "box": box})
    return [ln for ln in lines if ln["text"]]


def tesseract_image(image: np.ndarray) -> list[dict[str, Any]]:
    """Text lines of one BGR image read by the ``tesseract`` command (TSV output, by line)."""
    import cv2

    from reelgraph.workers.engine.ffmpeg import run_capture

    ok, png = cv2.imencode(".png", image)
    if not ok:
        raise CorruptMedia("A sampled frame could not be encoded for tesseract.")
    res = run_capture(
        ["tesseract", "stdin", "stdout", "--psm", "11", "tsv"],
        timeout=120,
        input_bytes=png.tobytes(),
    )
    if res.returncode != 0:
        raise DependencyMissing(
            "tesseract failed to read a frame; check its install (tesseract --version).",
            detail=res.stderr.decode(errors="replace")[-2000:],
        )
    return parse_tesseract_tsv(res.stdout.decode("utf-8", "replace"))


def parse_tesseract_tsv(tsv: str) -> list[dict[str, Any]]:
    """Words of tesseract's TSV grouped into lines with a mean confidence (0..1) and a box."""
    lines: dict[tuple[str, ...], list[tuple[str, float, int, int, int, int]]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or not cols[11].strip():
            continue
        try:
            conf = float(cols[10])
            x, y, w, h = (int(c) for c in cols[6:10])
        except ValueError:
            continue
        if conf < 0:
            continue
        lines.setdefault(tuple(cols[1:5]), []).append((cols[11].strip(), conf / 100, x, y, w, h))
    out = []
    for words in lines.values():
        x0, y0 = min(w[2] for w in words), min(w[3] for w in words)
        x1, y1 = max(w[2] + w[4] for w in words), max(w[3] + w[5] for w in words)
        out.append(
            {
                "text": " ".join(w[0] for w in words),
                "confidence": sum(w[1] for w in words) / len(words),
                "box": [x0, y0, x1 - x0, y1 - y0],
            }
        )
    return out


def _sample_frames(video: str, every_n: int) -> tuple[list[tuple[float, np.ndarray]], float, float]:
    from reelgraph.workers.engine.probe import probe

    info = probe(video)
    if not info.has_video or info.width <= 0:
        raise CorruptMedia(f"{Path(video).name} has no video stream to read text from.")
    w, h = info.width, info.height
    if info.rotation in (90, 270, -90):
        w, h = h, w
    sw = min(MAX_WIDTH, w) // 2 * 2
    sh = max(2, round(h * sw / w / 2) * 2)
    vf = f"select='not(mod(n,{every_n}))',scale={sw}:{sh},format=bgr24"
    args = [*input_args(video, info.demuxer), "-an", "-vf", vf, "-fps_mode", "passthrough"]
    res = ffmpeg_capture(["-v", "error", *args, "-f", "rawvideo", "pipe:1"])
    if res.returncode != 0:
        raise CorruptMedia(
            f"Frames of {Path(video).name} cannot be decoded for text reading; re-export it.",
            detail=res.stderr.decode(errors="replace")[-2000:],
        )
    size = sw * sh * 3
    fps = info.fps or 30.0
    frames = [
        (
            round(k * every_n / fps, 3),
            np.frombuffer(res.stdout[k * size : (k + 1) * size], np.uint8).reshape(sh, sw, 3),
        )
        for k in range(len(res.stdout) // size)
    ]
    return frames, every_n / fps, info.duration


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", text.lower())).strip()


def merge_readings(
    readings: list[tuple[float, list[dict[str, Any]]]], step: float, duration: float | None = None
) -> list[dict[str, Any]]:
    """Deduplicate per-sample lines into items with ``start``/``end`` spans.

    A line joins an open item when its normalised text is similar enough (difflib ratio) and the
    item was seen on the previous sample; the best-confidence reading names the item.
    """
    items: list[dict[str, Any]] = []
    open_items: list[dict[str, Any]] = []
    for t, lines in readings:
        still_open: list[dict[str, Any]] = []
        for ln in lines:
            if ln["confidence"] < MIN_CONFIDENCE or not _norm(ln["text"]):
                continue
            key = _norm(ln["text"])
            match = next(
                (
                    it
                    for it in open_items + still_open
                    if difflib.SequenceMatcher(None, it["_key"], key).ratio() >= SIMILARITY
                ),
                None,
            )
            if match is None:
                match = {
                    "text": ln["text"],
                    "start": t,
                    "end": t,
                    "confidence": ln["confidence"],
                    "box": ln["box"],
                    "_key": key,
                }
                items.append(match)
            elif ln["confidence"] > match["confidence"]:
                match.update(text=ln["text"], confidence=ln["confidence"], box=ln["box"], _key=key)
            match["end"] = t
            if match not in still_open:
                still_open.append(match)
        open_items = still_open
    for it in items:
        it.pop("_key")
        end = it["end"] + step
        it["end"] = round(min(end, duration) if duration else end, 3)
        it["confidence"] = round(it["confidence"], 4)
    return items


def read_frames(
    frames: list[tuple[float, np.ndarray]], engine: str = "rapidocr"
) -> list[tuple[float, list[dict[str, Any]]]]:
    """OCR each sampled frame; a frame nearly identical to the previous one reuses its reading."""
    readings: list[tuple[float, list[dict[str, Any]]]] = []
    prev: np.ndarray | None = None
    for t, img in frames:
        small = img[::4, ::4].astype(np.int16)
        if prev is not None and readings and float(np.abs(small - prev).mean()) < SAME_FRAME_DIFF:
            readings.append((t, readings[-1][1]))
        else:
            readings.append((t, ocr_image(img, engine)))
        prev = small
    return readings


def text_map(video: str, every_n_frames: int = 30, engine: str = "auto") -> dict[str, Any]:
    """Job function: ``{"items": [...], "engine": name, "cache_hit": bool}``."""
    every_n = max(1, int(every_n_frames))
    engine = resolve_engine(engine)
    params = {"v": VERSION, "every_n": every_n, "w": MAX_WIDTH, "engine": engine}
    key = make_key(NAMESPACE, params, [video])
    cache = get_cache()
    hit = cache.get_json(NAMESPACE, key)
    if hit is not None:
        return {"items": hit, "engine": engine, "cache_hit": True}
    frames, step, duration = _sample_frames(video, every_n)
    readings = read_frames(frames, engine)
    items = merge_readings(readings, step, duration)
    cache.put_json(NAMESPACE, key, items)
    logger.info(
        "text in %s: %d frames read, %d items (key %s)", video, len(frames), len(items), key[:12]
    )
    return {"items": items, "engine": engine, "cache_hit": False}


def read_text(
    video: str | Path, every_n_frames: int = 30, engine: str = "auto"
) -> list[dict[str, Any]]:
    """On-screen text: ``[{"text", "start", "end", "confidence", "box": [x, y, w, h]}]``.

    ``box`` is in pixels of the sampled frame (at most MAX_WIDTH wide).
    """
    return text_map(str(video), every_n_frames, engine)["items"]
