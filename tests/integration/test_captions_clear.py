"""Captions that stay clear, checked in rendered pixels: platform safe zones keep the block above
the UI, a caption moves off the speaker's face (the caption flow end to end, with a face the
OpenCV cascade finds), and a colour emoji shows beside the line that names it and nowhere else."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from reelgraph.workers.engine.caption_files import write_spec_captions
from reelgraph.workers.engine.caption_layout import SAFE_ZONES
from reelgraph.workers.engine.compile import ass_filter
from reelgraph.workers.engine.ffmpeg import ffmpeg_capture
from reelgraph.workers.engine.fonts import fonts_dir
from reelgraph.workers.engine.render import render_spec
from reelgraph.workers.engine.spec import RenderSpec
from tests.conftest import frame_at
from tests.fixtures_video import ffmpeg, speech_wav

pytestmark = pytest.mark.integration

GREY = (40, 40, 40)


def _words(text: str, start: float, step: float = 0.3) -> list[dict]:
    return [
        {"text": t, "start": round(start + i * step, 2), "end": round(start + i * step + 0.25, 2)}
        for i, t in enumerate(text.split())
    ]


def _text_rows(w: int, h: int, t: float, spec: RenderSpec, tmp_path: Path) -> np.ndarray:
    """Rows where the spec's captions draw anything at ``t`` (burned on a flat colour)."""
    ass = write_spec_captions(spec, tmp_path / "caps", ("ass",))["ass"]
    frames = []
    for vf in (None, ass_filter(ass, str(fonts_dir()))):
        args = ["-f", "lavfi", "-i", f"color=c=0x282828:s={w}x{h}:r=10:d=3"]
        args += ["-vf", vf] if vf else []
        args += ["-ss", f"{t:.2f}", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        res = ffmpeg_capture(args, timeout=120)
        assert res.returncode == 0, res.stderr.decode(errors="replace")[-800:]
        frames.append(np.frombuffer(res.stdout, np.uint8).reshape(h, w, 3).astype(np.int16))
    return np.nonzero((np.abs(frames[1] - frames[0]).sum(axis=2) > 30).any(axis=1))[0]


@pytest.mark.parametrize("zone", ["tiktok", "reels", "shorts", "none"])
def test_the_caption_block_ends_above_each_platforms_bottom_ui(tmp_path: Path, zone: str) -> None:
    w, h = 540, 960
    spec = RenderSpec.model_validate(
        {
            "duration": 3.0,
            "output": {"width": w, "height": h},
            "visuals": [{"kind": "card", "path": "unused.png", "duration": 3.0}],
            "captions": {
                "style": "karaoke",
                "words": _words("Where does this caption land", 0.5),
                "safe_area": asdict(SAFE_ZONES[zone]),
            },
        }
    )
    rows = _text_rows(w, h, 1.5, spec, tmp_path)
    bottom = h * (1 - SAFE_ZONES[zone].bottom)
    assert rows.size > 0.02 * h, "no caption drawn"
    assert rows.max() <= bottom + 2, (zone, rows.max(), bottom)  # inside the zone
    assert rows.max() >= bottom - 0.04 * h, (zone, rows.max(), bottom)  # and sitting on its edge


# ------------------------------------------------------------------ emoji


def _emoji_spec(tmp_path: Path, **caps: object) -> RenderSpec:
    bg = tmp_path / "bg.png"
    Image.new("RGB", (540, 960), GREY).save(bg)
    words = _words("plain words here.", 0.2) + _words("we are talking about our big fire", 2.0)
    return RenderSpec.model_validate(
        {
            "duration": 5.0,
            "output": {"width": 540, "height": 960, "fps": 10, "quality": "draft"},
            "visuals": [{"kind": "image", "path": str(bg), "duration": 5.0}],
            "captions": {"style": "clean", "words": words, **caps},
        }
    )


def _coloured(frame: np.ndarray) -> np.ndarray:
    """A mask of clearly coloured pixels (the emoji; text is white, the background grey)."""
    f = frame.astype(int)
    return (f.max(axis=2) - f.min(axis=2)) > 80


def _white(frame: np.ndarray) -> np.ndarray:
    return frame.astype(int).min(axis=2) > 200


def test_a_colour_emoji_shows_beside_the_matching_line_only(tmp_path: Path) -> None:
    spec = _emoji_spec(tmp_path, emoji=True)
    out = tmp_path / "emoji.mp4"
    render_spec(spec.model_dump(mode="json"), str(out))

    plain = frame_at(out, 1.0)  # "plain words here." names no emoji
    assert _white(plain).sum() > 200, "the first caption is not drawn"
    assert _coloured(plain).sum() == 0, "an emoji shows beside a line that names none"

    frame = frame_at(out, 4.0)  # "we are talking about / our big fire": two lines
    text, emoji = _white(frame), _coloured(frame)
    text_rows = np.nonzero(text.any(axis=1))[0]
    ys, xs = np.nonzero(emoji)
    assert emoji.sum() > 150, f"no colour emoji drawn ({emoji.sum()} coloured pixels)"
    middle = (text_rows.min() + text_rows.max()) / 2
    assert ys.mean() > middle, "the emoji is not beside the second line (the one saying fire)"
    line2 = text[int(middle) + 1 : text_rows.max() + 1]
    line2_right = np.nonzero(line2.any(axis=0))[0].max()
    assert xs.min() >= line2_right - 4, "the emoji covers the line's text"
    assert xs.min() - line2_right < 0.1 * 540, "the emoji is not next to the line"
    assert xs.max() < 540 - 0.05 * 540, "the emoji leaves the frame's margin"

    bare = tmp_path / "bare.mp4"  # the same spec without the option: no colour at all
    render_spec(_emoji_spec(tmp_path).model_dump(mode="json"), str(bare))
    assert _coloured(frame_at(bare, 4.0)).sum() == 0


# ------------------------------------------------------------------ faces, end to end


def _face(size: int) -> Image.Image:
    """A drawn face that OpenCV's frontal-face cascade finds (eyes, brows, nose, mouth)."""
    s = size
    im = Image.new("L", (s, s), 60)
    d = ImageDraw.Draw(im)
    d.ellipse((s * 0.18, s * 0.08, s * 0.82, s * 0.95), fill=190)
    for x in (0.30, 0.56):
        d.ellipse((s * x, s * 0.36, s * (x + 0.14), s * 0.45), fill=40)
        d.rectangle((s * (x - 0.02), s * 0.30, s * (x + 0.16), s * 0.33), fill=70)
    d.polygon([(s * 0.5, s * 0.45), (s * 0.45, s * 0.62), (s * 0.55, s * 0.62)], fill=150)
    d.ellipse((s * 0.38, s * 0.70, s * 0.62, s * 0.77), fill=60)
    return im.filter(ImageFilter.GaussianBlur(s / 60)).convert("RGB")


def _face_video(tmp_path: Path, w: int = 360, h: int = 640) -> Path:
    """A portrait talking video whose face sits low, where bottom captions would go."""
    still = Image.new("RGB", (w, h), (50, 50, 50))
    face = _face(int(w * 0.5))
    still.paste(face, ((w - face.width) // 2, int(h * 0.66)))
    still.save(tmp_path / "face.png")
    wav = speech_wav(tmp_path / "speech.wav", "Here is a face, and the captions move away from it.")
    path = tmp_path / "face.mp4"
    ffmpeg(
        "-loop",
        "1",
        "-framerate",
        "10",
        "-i",
        str(tmp_path / "face.png"),
        "-i",
        str(wav),
        "-shortest",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        str(path),
    )
    return path


def test_the_caption_flow_moves_captions_off_the_speakers_face(tmp_path: Path) -> None:
    from reelgraph.graph.caption import run_caption

    src = _face_video(tmp_path)
    opts = {"caption_style": "clean", "safe_zone": "none", "quality": "draft", "fps": 10}
    res = run_caption({"source": str(src)}, opts, out_dir=tmp_path / "out")
    art = res["artifacts"]
    spec = json.loads(Path(art["spec.json"]).read_text())
    avoid = spec["captions"]["avoid"]
    assert avoid, "the face track gave no region to avoid"
    assert all(r["y"] > 0.55 for r in avoid), avoid  # the face is low in the frame
    ass = Path(art["captions.ass"]).read_text()
    dialogue_styles = {ln.split(",")[3] for ln in ass.splitlines() if ln.startswith("Dialogue:")}
    assert dialogue_styles == {"Top"}, dialogue_styles  # every caption went up

    words = spec["captions"]["words"]
    t = (words[0]["start"] + words[0]["end"]) / 2 + 0.2
    frame = frame_at(art["video.mp4"], t)
    white = frame.astype(int).min(axis=2) > 230  # caption text; the face is never that bright
    rows = np.nonzero(white.any(axis=1))[0]
    assert rows.size > 5, "no caption drawn"
    assert rows.max() < 640 * 0.5, "the caption is drawn over the lower half, where the face is"


def test_the_drawn_face_is_found_by_the_cascade(tmp_path: Path) -> None:
    """The drawn face above is one OpenCV finds (else the flow test would prove nothing)."""
    from reelgraph.workers.engine.vision import detect_faces

    found = [s for s in detect_faces(_face_video(tmp_path)) if s["faces"]]
    assert found and all(f[1] > 0.55 for s in found for f in s["faces"])
