"""Voice resolution, tokenising, word alignment maths and the narration cache (engines faked)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from reelgraph.errors import InvalidInput
from reelgraph.settings import get_settings
from reelgraph.workers.engine import tts


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_default_voice_is_joe_from_the_package(home) -> None:
    v = tts.resolve_voice(None)
    assert v.name == "joe" and v.engine == "piper"
    assert Path(v.model_path).is_file() and Path(v.config_path).is_file()
    assert "lessac" in v.source


def test_list_voices_has_joe_espeak_and_user_voices(home) -> None:
    vdir = get_settings().models_dir / "voices"
    vdir.mkdir(parents=True)
    (vdir / "amy.onnx").write_bytes(b"x")
    (vdir / "amy.onnx.json").write_text("{}")
    names = [v.name for v in tts.list_voices()]
    assert names[0] == "joe" and "amy" in names and "espeak-ng" in names
    assert tts.resolve_voice("AMY").model_path.endswith("amy.onnx")


def test_unknown_voice_lists_the_choices(home) -> None:
    with pytest.raises(InvalidInput, match=r"choose one of: joe.*espeak-ng"):
        tts.resolve_voice("morgan-freeman")


def test_voice_path_needs_its_json(tmp_path: Path) -> None:
    model = tmp_path / "x.onnx"
    model.write_bytes(b"x")
    with pytest.raises(InvalidInput, match="config"):
        tts.resolve_voice(str(model))
    (tmp_path / "x.onnx.json").write_text("{}")
    assert tts.resolve_voice(str(model)).engine == "piper"
    with pytest.raises(InvalidInput, match="does not exist"):
        tts.resolve_voice(str(tmp_path / "missing.onnx"))


def test_tokenize_glues_punctuation_only_tokens() -> None:
    assert tts.tokenize("Hi — there , you! ") == ["Hi —", "there ,", "you!"]
    assert tts.tokenize("— start") == ["— start"]


def test_align_tokens_handles_joined_and_expanded_words() -> None:
    # context stream: "in the" joined into one phoneme word; times 0.1 s per phoneme
    timed = [(p, i * 0.1, (i + 1) * 0.1) for i, p in enumerate("ɪnðədɔɡ")]
    expected = [tuple("ɪn"), tuple("ðə"), tuple("dɔɡ")]
    words = tts.align_tokens(["in", "the", "dog."], expected, timed)
    assert [w["text"] for w in words] == ["in", "the", "dog."]
    assert [w["start"] for w in words] == pytest.approx([0.0, 0.2, 0.4])
    assert [w["end"] for w in words] == pytest.approx([0.2, 0.4, 0.7])


def test_align_tokens_stays_monotonic_when_phonemes_differ() -> None:
    timed = [(p, i * 0.1, (i + 1) * 0.1) for i, p in enumerate("abcdefgh")]
    words = tts.align_tokens(["x", "y", "z"], [("q",), ("r", "s"), ()], timed)
    starts = [w["start"] for w in words]
    assert starts == sorted(starts)
    assert all(w["end"] > w["start"] for w in words)


def test_estimate_words_follows_voiced_stretches() -> None:
    sr = 16000
    tone = (np.sin(np.arange(sr // 2) * 0.3) * 8000).astype(np.int16)  # 0.5 s voiced
    pcm = np.concatenate([np.zeros(sr // 5, np.int16), tone, np.zeros(sr // 2, np.int16), tone])
    words = tts.estimate_words(["aaaa", "bbbb"], pcm, sr)
    assert words[0]["start"] == pytest.approx(0.2, abs=0.02)
    assert words[0]["end"] == pytest.approx(0.7, abs=0.02)
    assert words[1]["start"] == pytest.approx(1.2, abs=0.02)


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        tts.synthesize_text("  ... ")
    with pytest.raises(InvalidInput, match="speed"):
        tts.synthesize_text("hello", speed=5)


def _fake_engine(calls: list[str], engine: str = "piper"):
    def fake(info, text, speed, out, fallback):
        calls.append(info.engine)
        out.write_bytes(b"RIFF")
        words = [
            {"text": t, "start": i * 0.3, "end": i * 0.3 + 0.2}
            for i, t in enumerate(tts.tokenize(text))
        ]
        return {"words": words, "duration": 1.0, "engine": engine, "voice": info.name}

    return fake


def test_narration_is_cached_by_text_voice_speed(home, monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(tts, "_synth", _fake_engine(calls))
    a = tts.synthesize_text("Hello there world.")
    b = tts.synthesize_text("Hello  there world.")  # same words: same key
    c = tts.synthesize_text("Hello there world.", speed=1.2)
    assert (a["cache_hit"], b["cache_hit"], c["cache_hit"]) == (False, True, False)
    assert b["audio"] == a["audio"] and Path(a["audio"]).is_file()
    assert b["words"] == a["words"] and len(calls) == 2


def test_piper_failure_falls_back_to_espeak(home, monkeypatch) -> None:
    def broken(*a, **k):
        raise RuntimeError("onnx exploded")

    monkeypatch.setattr(tts, "_piper_synth", broken)
    monkeypatch.setattr(
        tts,
        "_espeak_synth",
        lambda text, speed, out, lang="en-us": (
            (out.write_bytes(b"RIFF") and None)
            or {"words": [{"text": "hi", "start": 0.0, "end": 0.2}], "duration": 0.3}
        ),
    )
    res = tts.synthesize_text("hi")
    assert res["engine"] == "espeak-ng" and res["voice"] == "espeak-ng"
    again = tts.synthesize_text("hi")
    assert again["cache_hit"] is True and again["engine"] == "espeak-ng"


def test_concurrent_calls_are_safe(home, monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(tts, "_synth", _fake_engine(calls))
    results: list[dict] = []
    threads = [
        threading.Thread(target=lambda: results.append(tts.synthesize_text("same text")))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and len({r["audio"] for r in results}) == 1
    assert Path(results[0]["audio"]).is_file()
