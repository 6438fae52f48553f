"""Frame enhancement rendered by real FFmpeg: a small detailed still comes out sharper than the
plain scale, a noisy still and a noisy clip come out cleaner, and the seed route's
``enhance_frames`` travels through the API, Redis and a real worker into the served spec."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from reelgraph.workers.engine.enhance import measure_noise, plan_enhance, upscale_factor
from reelgraph.workers.engine.render import render_spec
from reelgraph.workers.engine.spec import Enhance
from tests import conftest_redis as _fx
from tests.conftest import frame_at
from tests.conftest_redis import wait_job_done
from tests.fixtures_video import ffmpeg

pytestmark = pytest.mark.integration

api = _fx.api
platform = _fx.platform
redis_url = _fx.redis_url
start_worker = _fx.start_worker

W, H = 1080, 1920
STILL = {"zoom_from": 1.0, "zoom_to": 1.0}


def detailed(path: Path, size: tuple[int, int] = (270, 480)) -> Path:
    """A rendered pattern: diagonal lines, lines of text and coloured rings."""
    w, h = size
    img = Image.new("RGB", size, (30, 40, 60))
    d = ImageDraw.Draw(img)
    for x in range(0, w, 9):
        d.line([(x, 0), (w - x, h)], fill=(200, 180, 90))
    for y in range(10, h, 22):
        d.text((6, y), "The quick brown fox 0123", fill=(250, 250, 250))
    rng = np.random.default_rng(1)
    for _ in range(40):
        cx, cy, r = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(3, 18))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=colour)
    img.save(path)
    return path


def smooth(size: tuple[int, int] = (270, 480)) -> np.ndarray:
    """A smooth picture (gradient, a disc, a box) whose flat top band shows any noise."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([60 + 120 * x / w, 80 + 100 * y / h, 140 + 0 * x], -1).astype(np.uint8)
    img = Image.fromarray(base)
    d = ImageDraw.Draw(img)
    d.ellipse([40, 100, 200, 260], fill=(230, 200, 60))
    d.rectangle([60, 320, 220, 420], fill=(30, 30, 40))
    return np.asarray(img)


def with_noise(rgb: np.ndarray, sigma: float) -> np.ndarray:
    rng = np.random.default_rng(7)
    return np.clip(rgb + rng.normal(0, sigma, rgb.shape), 0, 255).astype(np.uint8)


def grey_at(video: Path, t: float) -> np.ndarray:
    return cv2.cvtColor(frame_at(video, t), cv2.COLOR_RGB2GRAY).astype(np.float64)


def laplacian_var(grey: np.ndarray) -> float:
    """High-frequency energy of the frame's middle (the same region in every render)."""
    return float(cv2.Laplacian(grey, cv2.CV_64F)[400:1500, 100:980].var())


def residual_noise(grey: np.ndarray) -> float:
    """Grain left in the smooth top band: the frame minus its blurred self (any frame size)."""
    k = grey.shape[1] / W
    band = (grey - cv2.GaussianBlur(grey, (0, 0), 8 * k))[round(20 * k) : round(300 * k)]
    return float(band[:, round(20 * k) : round(1060 * k)].std())


def render(
    tmp: Path,
    name: str,
    visual: dict[str, Any],
    size: tuple[int, int] = (W, H),
    q: str = "standard",
) -> Path:
    spec = {
        "duration": 1.0,
        "output": {"width": size[0], "height": size[1], "fps": 30, "quality": q},
        "visuals": [{"duration": 1.0, "motion": STILL, **visual}],
    }
    out = tmp / f"{name}.mp4"
    render_spec(spec, str(out))
    return out


def auto_plan(path: Path, kind: str, size: tuple[int, int]) -> Enhance | None:
    noise = measure_noise(str(path), kind)["noise"]
    return plan_enhance("auto", upscale_factor(*size, W, H), noise)


def test_small_detailed_still_comes_out_sharper_than_plain_scaling(tmp_path: Path) -> None:
    src = detailed(tmp_path / "small.png")
    plan = auto_plan(src, "image", (270, 480))
    assert plan == Enhance(denoise=0, sharpen=0.8)  # clean: upscaled and sharpened, no denoise
    visual = {"kind": "image", "path": str(src)}
    plain = grey_at(render(tmp_path, "plain", visual), 0.5)
    sharp = grey_at(render(tmp_path, "sharp", {**visual, "enhance": plan.model_dump()}), 0.5)
    assert laplacian_var(sharp) > 1.2 * laplacian_var(plain), (
        laplacian_var(sharp),
        laplacian_var(plain),
    )
    soft = cv2.GaussianBlur(sharp, (0, 0), 6) - cv2.GaussianBlur(plain, (0, 0), 6)
    assert np.abs(soft).mean() < 3  # the same picture, only crisper


def test_noisy_still_is_denoised(tmp_path: Path) -> None:
    src = tmp_path / "noisy.png"
    Image.fromarray(with_noise(smooth().astype(np.float64), 12)).save(src)
    plan = auto_plan(src, "image", (270, 480))
    assert plan is not None and plan.denoise > 0
    visual = {"kind": "image", "path": str(src)}
    plain = residual_noise(grey_at(render(tmp_path, "plain", visual), 0.5))
    clean = residual_noise(
        grey_at(render(tmp_path, "clean", {**visual, "enhance": plan.model_dump()}), 0.5)
    )
    assert clean < 0.5 * plain, (clean, plain)


def _clip(tmp: Path, name: str, sigma: float) -> Path:
    """A 1 s 270x480 clip of the smooth picture with fresh noise in every frame."""
    still = tmp / f"{name}.png"
    Image.fromarray(smooth()).save(still)
    out = tmp / f"{name}.mp4"
    noise = f"noise=alls={sigma}:allf=t," if sigma else ""
    ffmpeg(
        *("-loop", "1", "-framerate", "30", "-i", str(still), "-t", "1"),
        *("-vf", f"{noise}format=yuv420p", "-c:v", "libx264", "-crf", "8", str(out)),
    )
    return out


def test_noisy_clip_is_denoised_in_the_caption_render(tmp_path: Path) -> None:
    from reelgraph.nodes.edit import source_enhancement
    from reelgraph.workers.engine.probe import probe

    size = (540, 960)  # twice the source: auto enhances it

    def plan(video: Path) -> tuple[dict[str, Any] | None, dict[str, str]]:
        state = {"info": probe(video).to_dict(), "media": {"path": str(video)}}
        return source_enhancement(state, "auto", *size)

    clean_src, noisy_src = _clip(tmp_path, "clean", 0), _clip(tmp_path, "noisy", 12)
    assert plan(clean_src)[0] == {"denoise": 0.0, "sharpen": 0.4}
    enhance, cache = plan(noisy_src)
    assert enhance is not None and enhance["denoise"] > 0 and cache == {"noise": "miss"}
    assert plan(noisy_src) == (enhance, {"noise": "hit"})
    visual = {"kind": "video", "path": str(noisy_src)}
    plain = residual_noise(grey_at(render(tmp_path, "plain", visual, size, "draft"), 0.8))
    enhanced = {**visual, "enhance": enhance}
    clean = residual_noise(grey_at(render(tmp_path, "clean", enhanced, size, "draft"), 0.8))
    assert clean < 0.7 * plain, (clean, plain)


def test_generate_enhance_frames_is_stored_as_the_enhance_option(api: Any, platform: Any) -> None:
    from redis import Redis

    from reelgraph.app.jobstore import JobStore

    store = JobStore(Redis.from_url(platform["REDIS_URL"]))
    for given, stored in ((True, "on"), (False, "off"), (None, None)):
        body = {"prompt": "Owls", **({} if given is None else {"enhance_frames": given})}
        r = api.post("/generate", json=body)
        assert r.status_code == 202, r.text
        rec = store.get(r.json()["job_id"])
        assert rec is not None and rec["options"].get("enhance") == stored
    bad = api.post("/generate", json={"prompt": "x", "enhance_frames": "sometimes"})
    assert bad.status_code == 422 and "enhance_frames" in bad.json()["error"]["message"]


def test_generate_enhance_frames_reaches_the_spec(
    api: Any, start_worker: Any, tmp_path: Path
) -> None:
    """A 200x356 image under a 320x568 output is enlarged 1.6x: auto would leave it alone,
    enhance_frames true (enhance on) sharpens it."""
    start_worker()
    buf = io.BytesIO()
    Image.open(detailed(tmp_path / "img.png", (200, 356))).save(buf, format="PNG")
    body = {
        "transcript": "Owls can turn their heads a long way.",
        "images": ["data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()],
        "resolution": "320x568",
        "enhance_frames": True,
        "music": "none",
        "quality": "draft",
    }
    r = api.post("/generate", json=body)
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    view = wait_job_done(api, job_id)
    assert view["status"] == "succeeded", view
    spec = api.get(f"/v1/jobs/{job_id}/artifacts/spec.json").json()
    enhanced = [v["enhance"] for v in spec["visuals"]]
    assert enhanced and all(e == {"denoise": 0.0, "sharpen": 0.32} for e in enhanced), enhanced
    report = api.get(f"/v1/jobs/{job_id}/artifacts/report.json").json()
    assert report["enhanced_visuals"] == len(enhanced)
