"""Real piper and espeak-ng synthesis: word timings cover the text, wav length matches."""

from __future__ import annotations

import itertools
import re
import wave
from pathlib import Path

import pytest

from reelgraph.settings import get_settings
from reelgraph.workers.engine import tts
from reelgraph.workers.engine.probe import probe
from reelgraph.workers.jobs.dispatch import dispatch_many

pytestmark = pytest.mark.integration

SENTENCE = "In 2024, the quick brown fox jumped over the lazy dog in the U.S. — twice!"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _wav_seconds(path: str) -> float:
    with wave.open(path, "rb") as w:
        return w.getnframes() / w.getframerate()


def _check_words(words: list[dict], text: str, duration: float) -> None:
    assert [w["text"] for w in words] == tts.tokenize(text)
    for prev, cur in itertools.pairwise(words):
        assert cur["start"] >= prev["start"] and cur["start"] >= prev["end"] - 1e-6
    for w in words:
        assert 0 <= w["start"] < w["end"] <= duration + 0.05


def test_piper_sentence_has_monotonic_word_timings(home) -> None:
    res = tts.synthesize_text(SENTENCE)
    assert res["engine"] == "piper" and res["voice"] == "joe" and res["cache_hit"] is False
    _check_words(res["words"], SENTENCE, res["duration"])
    assert _wav_seconds(res["audio"]) == pytest.approx(res["duration"], abs=0.01)
    assert probe(res["audio"]).duration == pytest.approx(res["duration"], abs=0.05)
    # "2024," expands to four spoken words: it must take far longer than "in"
    d = {w["text"]: w["end"] - w["start"] for w in res["words"]}
    assert d["2024,"] > 3 * d["In"]
    # speech ends near the last word's end (no long unaccounted tail)
    assert res["duration"] - res["words"][-1]["end"] < 0.6


def test_second_call_is_a_cache_hit_and_slower_speed_is_longer(home) -> None:
    first = tts.synthesize_text("Short and sweet.")
    again = tts.synthesize_text("Short and sweet.")
    slow = tts.synthesize_text("Short and sweet.", speed=0.6)
    assert again["cache_hit"] is True and again["audio"] == first["audio"]
    assert slow["duration"] > first["duration"] * 1.3


def test_espeak_fallback_gives_words_and_audio(home) -> None:
    text = "Fallback voices still need captions, word by word."
    res = tts.synthesize_text(text, voice="espeak-ng")
    assert res["engine"] == "espeak-ng"
    _check_words(res["words"], text, res["duration"])
    assert _wav_seconds(res["audio"]) == pytest.approx(res["duration"], abs=0.01)
    assert res["words"][-1]["end"] > 0.5 * res["duration"]


def test_scenes_in_parallel_threads(home) -> None:
    texts = ["First scene opens.", "Second scene, with more words in it.", "Third and last."]
    results = dispatch_many(tts.synthesize_text, [{"text": t} for t in texts], parallel=3)
    for text, res in zip(texts, results, strict=True):
        assert res["engine"] == "piper"
        assert [w["text"] for w in res["words"]] == text.split()
        assert Path(res["audio"]).is_file()
    assert len({r["audio"] for r in results}) == 3
    assert results[1]["duration"] > results[2]["duration"]
    assert all(re.match(r".*narration\.wav$", r["audio"]) for r in results)
