"""Frame enhancement: the noise estimate, the choice of filters, the option and the argv."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw
from pydantic import ValidationError

from reelgraph.errors import InvalidInput
from reelgraph.graph.context import CaptionContext, Context
from reelgraph.workers.engine.compile import compile_spec
from reelgraph.workers.engine.enhance import (
    AUTO_FACTOR,
    NOISE_THRESHOLD,
    SCALE_FLAGS,
    denoise_filter,
    measure_noise,
    noise_sigma,
    plan_enhance,
    sharpen_filter,
    upscale_factor,
)
from reelgraph.workers.engine.spec import Enhance, RenderSpec


def pattern(w: int = 270, h: int = 480) -> np.ndarray:
    """A detailed grey render: diagonal lines, text and rings (no noise)."""
    img = Image.new("L", (w, h), 40)
    d = ImageDraw.Draw(img)
    for x in range(0, w, 9):
        d.line([(x, 0), (w - x, h)], fill=200)
    for y in range(10, h, 22):
        d.text((6, y), "The quick brown fox 0123", fill=250)
    return np.asarray(img)


def noisy(gray: np.ndarray, sigma: float, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(gray + rng.normal(0, sigma, gray.shape), 0, 255).astype(np.uint8)


def test_noise_estimate_ignores_detail_and_follows_the_noise() -> None:
    clean = pattern()
    assert noise_sigma(clean) < 1.0  # a detailed but clean render is not noisy
    estimates = [noise_sigma(noisy(clean, s)) for s in (2, 6, 12, 20)]
    assert estimates == sorted(estimates)
    assert estimates[0] < NOISE_THRESHOLD < estimates[1]
    flat = np.full((200, 200), 128.0)
    assert noise_sigma(noisy(flat, 10)) == pytest.approx(10, rel=0.15)
    assert noise_sigma(np.zeros((1, 5))) == 0.0


@pytest.mark.parametrize(
    ("src", "out", "factor"),
    [
        ((270, 480), (1080, 1920), 4.0),
        ((1920, 1080), (1080, 1920), 1920 / 1080),
        ((0, 0), (8, 8), 1),
    ],
)
def test_upscale_factor_covers_the_output(
    src: tuple[int, int], out: tuple[int, int], factor: float
) -> None:
    assert upscale_factor(*src, *out) == pytest.approx(factor)


@pytest.mark.parametrize(
    ("mode", "factor", "sigma", "want"),
    [
        ("off", 4.0, 12.0, None),
        ("auto", 1.9, 12.0, None),  # not under half the output size: auto leaves it
        ("auto", AUTO_FACTOR, 0.0, Enhance(denoise=0, sharpen=0.4)),
        ("auto", 4.0, 0.0, Enhance(denoise=0, sharpen=0.8)),
        ("auto", 6.0, 8.04, Enhance(denoise=8.0, sharpen=0.4)),  # noisy: half the sharpen
        ("on", 1.5, 0.5, Enhance(denoise=0, sharpen=0.3)),
        ("on", 1.0, 9.0, Enhance(denoise=9.0, sharpen=0)),  # noisy, same size: denoise only
        ("on", 0.5, 1.0, None),  # shrunk and clean: nothing to improve
        ("on", 3.0, 40.0, Enhance(denoise=20, sharpen=0.3)),
    ],
)
def test_plan_follows_mode_size_and_noise(
    mode: str, factor: float, sigma: float, want: Enhance | None
) -> None:
    assert plan_enhance(mode, factor, sigma) == want


def test_plan_refuses_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="auto, on, off"):
        plan_enhance("max", 4.0, 0.0)


def test_filters_of_each_choice() -> None:
    e = Enhance(denoise=8, sharpen=0.8)
    assert denoise_filter(e, still=True) == "format=yuv444p,nlmeans=s=4.8:p=7:r=15"
    assert denoise_filter(e, still=False) == "hqdn3d=9.6:7.2:14.4:10.8"
    faint, heavy = Enhance(denoise=1), Enhance(denoise=20)
    assert denoise_filter(faint, still=True) == "format=yuv444p,nlmeans=s=1:p=7:r=15"
    assert denoise_filter(heavy, still=True) == "format=yuv444p,nlmeans=s=10:p=7:r=15"
    assert sharpen_filter(e) == "unsharp=5:5:0.8:5:5:0"
    quiet = Enhance(denoise=0, sharpen=0)
    assert denoise_filter(quiet, still=True) is None and sharpen_filter(quiet) is None
    assert denoise_filter(None, still=False) is None and sharpen_filter(None) is None


def test_spec_bounds_the_enhancement() -> None:
    with pytest.raises(ValidationError):
        Enhance(denoise=21)
    with pytest.raises(ValidationError):
        Enhance(sharpen=-1)


def _filter_graph(spec: dict[str, Any]) -> str:
    argv = compile_spec(RenderSpec.model_validate(spec), "/out/x.mp4")
    return argv[argv.index("-filter_complex") + 1]


def _spec(kind: str, enhance: dict[str, float] | None, **visual: Any) -> dict[str, Any]:
    return {
        "duration": 2.0,
        "output": {"width": 1080, "height": 1920, "fps": 30},
        "visuals": [
            {"kind": kind, "path": f"/in/a.{kind}", "duration": 2.0, "enhance": enhance, **visual}
        ],
    }


def test_still_argv_denoises_then_upscales_with_lanczos_then_sharpens() -> None:
    graph = _filter_graph(_spec("image", {"denoise": 8, "sharpen": 0.4}))
    assert graph.startswith(
        "[0:v]format=yuv444p,nlmeans=s=4.8:p=7:r=15,"
        f"scale=1080:1920:force_original_aspect_ratio=increase:flags={SCALE_FLAGS},"
        "crop=1080:1920,unsharp=5:5:0.4:5:5:0,format=yuv420p[v0s0]"
    ), graph
    plain = _filter_graph(_spec("image", None))
    assert "flags=bicubic,crop=1080:1920,format=yuv420p[v0s0]" in plain
    assert "nlmeans" not in plain and "unsharp" not in plain


def test_video_argv_denoises_the_source_and_sharpens_the_reframed_frame() -> None:
    graph = _filter_graph(_spec("video", {"denoise": 5.0, "sharpen": 0.6}))
    chain = graph.split(";")[0]
    hq, crop, scale = (
        chain.index("hqdn3d=6:4.5:9:6.75,"),
        chain.index("crop="),
        chain.index("scale="),
    )
    sharpen = chain.index(f"scale=1080:1920:flags={SCALE_FLAGS},unsharp=5:5:0.6:5:5:0,setsar=1")
    assert chain.index("setpts=") < hq < crop < scale <= sharpen, chain
    cropped = _filter_graph(_spec("video", {"denoise": 0, "sharpen": 0.6}, crop=(0, 0, 0.5, 1)))
    assert f"force_original_aspect_ratio=increase:flags={SCALE_FLAGS},crop=1080:1920" in cropped
    assert "hqdn3d" not in cropped
    plain = _filter_graph(_spec("video", None))
    assert "flags=" not in plain.split(";")[0] and "unsharp" not in plain


def test_enhance_option_takes_modes_and_the_seed_routes_bool() -> None:
    assert Context().enhance == "auto" and CaptionContext().enhance == "auto"
    assert Context.from_options({"enhance_frames": True}).enhance == "on"
    assert Context.from_options({"enhance_frames": False}).enhance == "off"
    assert Context.from_options({"enhance": " On "}).enhance == "on"
    assert CaptionContext.from_options({"enhance": "off"}).enhance == "off"
    with pytest.raises(InvalidInput, match=r"Enhance \(enhance\) 'max' is unknown.*'auto'"):
        Context.from_options({"enhance": "max"})
    with pytest.raises(InvalidInput, match="--enhance"):
        Context.from_options({"enhance": 2}, flags=True)
    with pytest.raises(InvalidInput, match="Unknown option 'enhance_frames' for caption"):
        CaptionContext.from_options({"enhance_frames": True})


def test_api_options_map_enhance_frames() -> None:
    from reelgraph.app.api.options import CaptionOptions, CreateOptions

    assert CreateOptions.model_validate({"enhance_frames": True}).to_options() == {"enhance": "on"}
    assert CaptionOptions.model_validate({"enhance": "AUTO"}).to_options() == {"enhance": "auto"}
    with pytest.raises(ValidationError):
        CreateOptions.model_validate({"enhance": "sharp"})


def test_cli_flag_offers_the_modes() -> None:
    from reelgraph.app.cli import build_parser

    parser = build_parser()
    for command in ("create", "caption"):
        args = parser.parse_args([command, "x", "--enhance", "off"])
        assert args.enhance == "off"
    with pytest.raises(SystemExit):
        parser.parse_args(["create", "x", "--enhance", "max"])


def _png(path: Path, gray: np.ndarray) -> str:
    Image.fromarray(gray).convert("RGB").save(path)
    return str(path)


def test_measure_noise_is_cached_by_the_files_bytes(tmp_path: Path) -> None:
    path = _png(tmp_path / "n.png", noisy(np.full((120, 160), 120.0), 12))
    first = measure_noise(path, "image")
    assert first["noise"] > NOISE_THRESHOLD and first["cache_hit"] is False
    assert measure_noise(path, "image") == {**first, "cache_hit": True}


def test_compose_enhances_small_images_only(tmp_path: Path) -> None:
    from reelgraph.nodes.compose import compose_spec

    small = _png(tmp_path / "small.png", pattern(270, 480))
    big = _png(tmp_path / "big.png", pattern(600, 1000))
    narration = {
        "audio": str(tmp_path / "n.wav"),
        "duration": 4.0,
        "scenes": [{"start": 0.0, "end": 2.0}, {"start": 2.0, "end": 4.0}],
        "words": [],
    }
    state = {"narration": narration, "images": [small, big], "plan": {"scenes": []}}

    def visuals(mode: str) -> list[Any]:
        ctx = SimpleNamespace(
            aspect="9:16", width=None, height=None, fps=30, duration=None, quality="draft"
        )
        rt = SimpleNamespace(context=SimpleNamespace(**vars(ctx), enhance=mode))
        return RenderSpec.model_validate(compose_spec(state, rt)["spec"]).visuals

    auto = visuals("auto")  # 270x480 is a quarter of 1080x1920; 600x1000 more than half
    assert auto[0].enhance == Enhance(denoise=0, sharpen=0.8) and auto[1].enhance is None
    on = visuals("on")
    assert on[0].enhance == auto[0].enhance and on[1].enhance == Enhance(sharpen=0.38)
    assert [v.enhance for v in visuals("off")] == [None, None]
