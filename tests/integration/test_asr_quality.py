"""The ASR quality bar (issue 4): piper speech with music 15 dB under it, tiny.en on CPU.

The speech is the deterministic fixture (``tests.fixtures_speech``: piper with fixed noise
scales), made once per machine; the first test checks that making it again gives the same bytes.
"""

from __future__ import annotations

import statistics

import pytest

from reelgraph.settings import get_settings
from reelgraph.workers.engine import asr
from tests.fixtures_speech import (
    KNOWN_TEXT,
    build_speech,
    sha256_file,
    start_errors,
    synthesize,
    word_error_rate,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def speech():
    return build_speech(None, KNOWN_TEXT, -15.0)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_speech_fixture_is_the_same_bytes_when_made_again(tmp_path) -> None:
    text = KNOWN_TEXT.split(". ")[1]
    first = synthesize(text, tmp_path / "first.wav")
    second = synthesize(text, tmp_path / "second.wav")
    assert first["sha256"] == sha256_file(tmp_path / "first.wav")
    assert first["sha256"] == second["sha256"]
    assert first["words"] == second["words"] and first["duration"] > 1.0


def test_wer_and_word_start_error_with_music_under(speech, home) -> None:
    assert 20 < speech.duration < 30
    res = asr.transcribe(str(speech.wav))
    assert res["cache_hit"] is False and res["language"] == "en" and res["model"] == "tiny.en"
    assert res["duration"] == pytest.approx(speech.duration, abs=0.1)
    hyp = " ".join(w["text"] for w in res["words"])
    wer = word_error_rate(speech.text, hyp)
    errs = start_errors(speech.words, res["words"])
    print(f"WER={wer:.3f} median_start_err={statistics.median(errs) * 1000:.0f}ms n={len(errs)}")
    assert wer <= 0.15
    assert len(errs) >= 0.8 * len(speech.words)
    assert statistics.median(errs) <= 0.120
    starts = [w["start"] for w in res["words"]]
    assert starts == sorted(starts)
    assert all(0.0 <= w["prob"] <= 1.0 for w in res["words"])
    assert " ".join(s["text"] for s in res["segments"]).split() == hyp.split()
    again = asr.transcribe(str(speech.wav))
    assert again["cache_hit"] is True and again["words"] == res["words"]


def test_align_words_returns_transcript_words_with_times(speech, home) -> None:
    words = asr.align_words(str(speech.speech_wav), speech.text)
    assert [w["text"] for w in words] == speech.text.split()
    errs = [abs(a["start"] - b["start"]) for a, b in zip(words, speech.words, strict=True)]
    assert statistics.median(errs) <= 0.120
    starts = [w["start"] for w in words]
    assert starts == sorted(starts)
