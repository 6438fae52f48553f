"""Other languages rendered for real: CJK and Arabic captions draw glyphs (not tofu), Hebrew and
Arabic read right to left with the spoken word highlighted, a German video narrated by
espeak-ng, translated tracks and a dubbed version through a stand-in chat endpoint, and the
refusal without one."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ffprobe_json, frame_at, integrated_loudness
from tests.fakes import StandInChatServer

pytestmark = pytest.mark.integration

W, H, BG = 360, 640, (40, 60, 110)
ROOT = Path(__file__).resolve().parents[2]


def _words(text: str, step: float = 0.5) -> list[dict[str, Any]]:
    from reelgraph.workers.engine.scripts import split_words

    units = split_words(text)
    return [{"text": u, "start": i * step, "end": (i + 1) * step} for i, u in enumerate(units)]


def _render(tmp: Path, text: str, style: str, name: str) -> Path:
    """A 2 s video of ``text`` captioned on a plain card, through the real render job."""
    from reelgraph.workers.engine.render import render_spec
    from reelgraph.workers.engine.spec import Captions, Output, RenderSpec, Visual

    card = tmp / "card.png"
    if not card.exists():
        Image.new("RGB", (W, H), BG).save(card)
    spec = RenderSpec(
        duration=2.0,
        output=Output(width=W, height=H, fps=10, quality="high"),
        visuals=[Visual(kind="card", path=str(card), duration=2.0)],
        captions=Captions(words=_words(text), style=style, position="middle"),
    )
    out = tmp / f"{name}.mp4"
    render_spec(spec.model_dump(mode="json"), str(out))
    return out


def _latin_only_frame(tmp: Path, text: str) -> np.ndarray:
    """The same captions set in Montserrat alone (no script fonts): what tofu looks like."""
    from reelgraph.workers.engine.captions import caption_texts
    from reelgraph.workers.engine.captions_look import look
    from reelgraph.workers.engine.filtergraph import ass_filter
    from reelgraph.workers.engine.fonts import fonts_dir

    style = look("clean", position="middle")
    ass = caption_texts(_words(text), style=style, width=W, height=H)["ass"]
    ass = re.sub(r"\\fn[^\\}]*\\b[01]", "", ass)  # every word in the style's own font
    latin = tmp / "latin-fonts"
    latin.mkdir(exist_ok=True)
    shutil.copy(fonts_dir() / "Montserrat-Bold.ttf", latin)
    (tmp / "latin.ass").write_text(ass, encoding="utf-8")
    png = tmp / "latin.png"
    colour = "0x{:02x}{:02x}{:02x}".format(*BG)
    source = ["-f", "lavfi", "-i", f"color=c={colour}:s={W}x{H}:d=1"]
    burn = ["-vf", ass_filter(str(tmp / "latin.ass"), str(latin)), "-frames:v", "1", str(png)]
    subprocess.run(["ffmpeg", "-v", "error", "-y", *source, *burn], check=True, timeout=60)
    return np.asarray(Image.open(png).convert("RGB"))


def _ink(frame: np.ndarray) -> np.ndarray:
    """White caption text: bright pixels (the card is dark blue, the outline black)."""
    return frame.astype(int).min(axis=2) > 170


@pytest.mark.parametrize(
    "text", ["東京は日本の首都です", "مرحبا بالعالم الجميل"], ids=["japanese", "arabic"]
)
def test_captions_in_cjk_and_arabic_draw_glyphs_not_tofu(tmp_path: Path, text: str) -> None:
    from reelgraph.workers.engine.captions_look import PRESETS
    from reelgraph.workers.engine.fonts import covers

    assert not covers(PRESETS["clean"].family, text)  # the style's own font would draw tofu
    ours = _ink(frame_at(_render(tmp_path, text, "clean", "ours"), 1.0))
    latin = _ink(_latin_only_frame(tmp_path, text))
    assert ours.sum() > 400, "no caption was drawn"
    differ = np.logical_xor(ours, latin).sum() / max(1, np.logical_or(ours, latin).sum())
    assert differ > 0.6, f"the caption looks like the Latin-only render ({differ:.2f})"
    rows = np.flatnonzero(ours.any(axis=1))
    assert H * 0.3 < rows.mean() < H * 0.7  # in the middle, where it was placed


def _centre_x(mask: np.ndarray) -> float:
    return float(np.flatnonzero(mask.any(axis=0)).mean())


@pytest.mark.parametrize(
    "text", ["שלום עולם יפה", "مرحبا بالعالم الجميل"], ids=["hebrew", "arabic"]
)
def test_rtl_captions_read_right_to_left_with_the_spoken_word_lit(
    tmp_path: Path, text: str
) -> None:
    video = _render(tmp_path, text, "karaoke", "rtl")
    for t, side in ((0.25, "right"), (1.25, "left")):  # first word spoken, then the last
        frame = frame_at(video, t).astype(int)
        lit = (frame[..., 0] > 190) & (frame[..., 1] > 150) & (frame[..., 2] < 110)
        white = frame.min(axis=2) > 190
        assert lit.sum() > 40 and white.sum() > 40, f"no highlight at {t}s"
        if side == "right":
            assert _centre_x(lit) > _centre_x(white), "the first word is not on the right"
        else:
            assert _centre_x(lit) < _centre_x(white), "the last word is not on the left"


def _cue_times(path: str | Path) -> list[str]:
    return re.findall(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}", Path(path).read_text())


def _options(**extra: Any) -> dict[str, Any]:
    return {"width": 180, "height": 320, "fps": 10, "quality": "draft", "music": "none"} | extra


def test_create_in_german_is_narrated_by_espeak_with_word_captions(tmp_path: Path) -> None:
    from reelgraph.graph.runner import run_job

    text = "Der Hund läuft schnell über die Wiese. Die Katze schläft in der Sonne."
    res = run_job("create", {"prompt": text}, _options(language="de"), out_dir=tmp_path / "run")
    report, art = res["report"], res["artifacts"]
    assert report["narration_engine"] == "espeak-ng"
    import json

    spec = json.loads(Path(art["spec.json"]).read_text())
    words = [w["text"] for w in spec["captions"]["words"]]
    assert words == text.split()  # one caption word per spoken German word
    starts = [w["start"] for w in spec["captions"]["words"]]
    assert starts == sorted(starts) and starts[-1] > 1.0
    srt = Path(art["captions.srt"]).read_text()
    assert "läuft" in srt and "Sonne." in srt
    audio = [s for s in ffprobe_json(art["video.mp4"])["streams"] if s["codec_type"] == "audio"]
    assert audio and float(audio[0]["duration"]) > 2.0


GERMAN = {
    "dogs": "Hunde",
    "run": "laufen",
    "fast": "schnell",
    "in": "im",
    "the": "",
    "park.": "Park.",
    "cats": "Katzen",
    "sleep": "schlafen",
    "all": "den",
    "day.": "ganzen Tag.",
}
PLAN = {
    "title": "Pets",
    "scenes": [
        {
            "narration": "Dogs run fast in the park.",
            "visual": "dogs",
            "keywords": ["dogs"],
            "emphasis": [],
            "pacing": "normal",
        },
        {
            "narration": "Cats sleep all day.",
            "visual": "cats",
            "keywords": ["cats"],
            "emphasis": [],
            "pacing": "normal",
        },
    ],
    "mood": "calm",
    "hashtags": ["pets"],
}


def translate(code: str, text: str) -> str:
    """The stand-in's translations: German word by word, Japanese one fixed line."""
    if code == "ja":
        return "これは字幕です"
    words = [GERMAN.get(w.lower(), w) for w in text.split()]
    return " ".join(w for w in words if w)


@pytest.fixture
def chat(settings_env) -> Any:
    with StandInChatServer(PLAN, translate) as server:
        settings_env(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-test")
        yield server


def test_create_translates_tracks_muxes_them_and_dubs(tmp_path: Path, chat: Any) -> None:
    from reelgraph.graph.runner import run_job
    from reelgraph.workers.engine.narration import assemble_narration
    from reelgraph.workers.engine.tts import synthesize_text

    options = _options(translate="de,ja", dub=True, llm_model="standin")
    res = run_job("create", {"prompt": "pets"}, options, out_dir=tmp_path / "run")
    art = res["artifacts"]
    assert {"captions.de.srt", "captions.de.vtt", "captions.ja.srt", "video.de.mp4"} <= set(art)
    source = _cue_times(art["captions.srt"])
    assert source and _cue_times(art["captions.de.srt"]) == source  # the source's cue times
    assert _cue_times(art["captions.ja.srt"]) == source
    assert "Hunde laufen schnell im Park." in Path(art["captions.de.srt"]).read_text().replace(
        "\n", " "
    )
    assert "これは字幕です" in Path(art["captions.ja.vtt"]).read_text()
    subs = [s for s in ffprobe_json(art["video.mp4"])["streams"] if s["codec_type"] == "subtitle"]
    assert [(s["codec_name"], s["tags"]["language"]) for s in subs] == [
        ("mov_text", "deu"),
        ("mov_text", "jpn"),
    ]
    asked = [m["messages"][0]["content"] for m in chat.seen if not m.get("tools")]
    assert any("German" in a for a in asked) and any("Japanese" in a for a in asked)
    # the dubbed video speaks the German scenes: its length is the German narration's
    clips = [
        synthesize_text(translate("de", s["narration"]), None, 1.0, "de") for s in PLAN["scenes"]
    ]
    german = assemble_narration(clips)["duration"]
    dubbed = float(ffprobe_json(art["video.de.mp4"])["format"]["duration"])
    original = float(ffprobe_json(art["video.mp4"])["format"]["duration"])
    assert abs(dubbed - german) < 0.15 and abs(dubbed - original) > 0.15
    assert integrated_loudness(art["video.de.mp4"]) > -30  # speech, not silence
    assert res["report"]["translations"]["de"]["dubbed"] is True


def test_caption_translates_and_dubs_the_speech(tmp_path: Path, chat: Any) -> None:
    from tests.fixtures_video import talking_video

    src = talking_video(tmp_path / "talk.mp4", "The quick brown fox jumps over the lazy dog.")
    from reelgraph.graph.runner import run_job

    options = {"width": 180, "height": 320, "fps": 10, "quality": "draft", "translate": ["de"]}
    res = run_job("caption", {"source": str(src)}, options | {"dub": True}, out_dir=tmp_path / "c")
    art = res["artifacts"]
    assert _cue_times(art["captions.de.srt"]) == _cue_times(art["captions.srt"])
    subs = [s for s in ffprobe_json(art["video.mp4"])["streams"] if s["codec_type"] == "subtitle"]
    assert [s["tags"]["language"] for s in subs] == ["deu"]
    dubbed = ffprobe_json(art["video.de.mp4"])
    assert abs(float(dubbed["format"]["duration"]) - float(res["report"]["duration_out"])) < 0.2
    assert [s for s in dubbed["streams"] if s["codec_type"] == "audio"]
    assert integrated_loudness(art["video.de.mp4"]) > -30


@pytest.mark.parametrize("command", ["create", "caption"])
def test_translate_without_an_llm_is_refused_before_any_work(tmp_path: Path, command: str) -> None:
    source = [] if command == "create" else [str(tmp_path / "missing.mp4")]
    prompt = ["dogs run"] if command == "create" else []
    out = tmp_path / "o.mp4"
    flags = ["--translate", "de", "-o", str(out)]
    res = subprocess.run(
        [sys.executable, "-m", "reelgraph.app.cli", command, "-q", *prompt, *source, *flags],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert "needs a chat model endpoint" in res.stderr
    assert "OPENAI_BASE_URL" in res.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []
