"""A long multi-topic talk with a face on screen, for the clips tests.

Five topics of three or four sentences each, narrated by the deterministic piper fixture
(``tests.fixtures_speech.build_speech``, cached per machine), over a still frame with a drawn
face off to the right that OpenCV's Haar cascade finds, so a 9:16 reframe has a face to follow.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures_speech import build_speech
from tests.fixtures_video import ffmpeg

TOPICS = [
    "Why do bees dance? A honeybee that finds flowers flies home and dances in a figure of "
    "eight. The angle of the dance points the other bees toward the food.",
    "The Golden Gate Bridge opened in nineteen thirty seven. Its towers rise more than two "
    "hundred meters above the water. Painters work on it every day to protect the steel "
    "from the salty fog.",
    "Baking bread at home takes patience more than skill. Flour, water, salt and yeast are "
    "all you need. The dough rests for hours while the yeast fills it with tiny bubbles.",
    "Sleep is when the brain cleans itself. During deep sleep, fluid washes through the brain "
    "and carries away waste. People who sleep less than six hours often find it harder to "
    "learn.",
    "Chess was invented in India about fifteen hundred years ago. The game traveled to Persia "
    "and then to Europe, where the queen became the strongest piece.",
]
TALK_TEXT = " ".join(TOPICS)
#: Frame size of the talk video and where the face's centre is (fractions of the frame).
SIZE = (320, 180)
FACE_X, FACE_Y = 0.72, 0.5


def face_png(path: Path, size: tuple[int, int] = SIZE) -> Path:
    """A grey frame with a simple drawn face (eyes, brows, nose, mouth) at FACE_X, FACE_Y."""
    from PIL import Image, ImageDraw, ImageFilter

    w, h = size
    im = Image.new("L", size, 60)
    d = ImageDraw.Draw(im)
    cx, cy, s = FACE_X * w, FACE_Y * h, h / 180
    d.ellipse([cx - 30 * s, cy - 39 * s, cx + 30 * s, cy + 39 * s], fill=200)
    for side in (-1, 1):
        x = cx + side * 13 * s
        d.rectangle([x - 9 * s, cy - 22 * s, x + 9 * s, cy - 18 * s], fill=70)
        d.ellipse([x - 7 * s, cy - 13 * s, x + 7 * s, cy - 5 * s], fill=40)
    d.rectangle([cx - 3 * s, cy - 5 * s, cx + 3 * s, cy + 10 * s], fill=220)
    d.ellipse([cx - 6 * s, cy + 8 * s, cx + 6 * s, cy + 13 * s], fill=150)
    d.ellipse([cx - 14 * s, cy + 18 * s, cx + 14 * s, cy + 25 * s], fill=90)
    im.filter(ImageFilter.GaussianBlur(1.5)).convert("RGB").save(path)
    return path


def face_talk_video(path: Path, wav: Path, seconds: float | None = None) -> Path:
    """The face frame for as long as ``wav`` (or ``seconds`` of silence), with it as sound."""
    png = face_png(path.with_suffix(".png"))
    audio = ["-i", str(wav)] if seconds is None else ["-f", "lavfi", "-i", "anullsrc=r=48000"]
    ffmpeg(
        "-loop",
        "1",
        "-framerate",
        "30",
        "-i",
        str(png),
        *audio,
        *(["-t", f"{seconds:.3f}"] if seconds is not None else ["-shortest"]),
        "-vf",
        "format=yuv420p",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-g",
        "30",
        "-c:a",
        "aac",
        "-ar",
        "48000",
        str(path),
    )
    return path


@pytest.fixture(scope="session")
def talk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips-media")


@pytest.fixture(scope="session")
def long_talk(talk_dir: Path) -> Path:
    """About a minute of five topics spoken over the face frame."""
    speech = build_speech(text=TALK_TEXT, music_db=None, name="clips-talk")
    return face_talk_video(talk_dir / "talk.mp4", speech.wav)


@pytest.fixture(scope="session")
def silent_face(talk_dir: Path) -> Path:
    """Twenty seconds of the face frame with a silent audio track: no speech at all."""
    return face_talk_video(talk_dir / "silent.mp4", talk_dir / "none.wav", seconds=20.0)
