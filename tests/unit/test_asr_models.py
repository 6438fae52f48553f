"""Model resolution, language checks and the transcript cache (model calls faked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelgraph.errors import DependencyMissing, InvalidInput, MissingAsset
from reelgraph.settings import get_settings
from reelgraph.workers.engine import asr, asr_language


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    # the fake media has no speech to detect a language in: English, as a multilingual model hears
    monkeypatch.setattr(asr_language, "detect_language", lambda wav, model: ("en", 0.99))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_tiny_en_resolves_to_the_bundled_ct2_model() -> None:
    path = Path(asr.resolve_model("tiny.en"))
    assert (path / "model.bin").is_file() and (path / "config.json").is_file()
    assert asr.resolve_model(None) == str(path)  # type: ignore[arg-type]


def test_directory_with_model_bin_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"x")
    (tmp_path / "config.json").write_text("{}")
    assert asr.resolve_model(str(tmp_path)) == str(tmp_path)
    assert asr.model_id(str(tmp_path)).startswith("dir@")


def test_unknown_model_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(DependencyMissing, match="pip install"):
        asr.resolve_model(str(tmp_path / "nope"))
    with pytest.raises(DependencyMissing):
        asr.resolve_model("large-v9")


def test_model_ids_differ_between_models() -> None:
    assert asr.model_id("tiny.en") != asr.model_id("base")
    assert asr.model_id("tiny.en") == asr.model_id("tiny.en")


def test_english_only_model_rejects_other_languages() -> None:
    with pytest.raises(InvalidInput, match="English-only"):
        asr.transcribe("unused.wav", model="tiny.en", language="de")
    with pytest.raises(InvalidInput, match="language code"):
        asr.transcribe("unused.wav", model="base", language="German!")


def test_device_is_cpu_int8_without_gpu(monkeypatch) -> None:
    import ctranslate2

    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    assert asr.device_and_compute() == ("cpu", "int8")
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    assert asr.device_and_compute() == ("cuda", "float16")


def test_transcribe_second_call_is_a_cache_hit(home, monkeypatch, tmp_path: Path) -> None:
    src = tmp_path / "a.wav"
    src.write_bytes(b"RIFF fake bytes")
    calls: list[str] = []
    monkeypatch.setattr(asr, "extract_audio", lambda p: calls.append(p) or str(p))
    monkeypatch.setattr(asr, "audio_duration", lambda p: 3.0)
    fake = {
        "start": 0.0,
        "end": 3.0,
        "language": "en",
        "segments": [{"start": 0.1, "end": 0.5, "text": "hi", "words": []}],
        "words": [{"text": "hi", "start": 0.1, "end": 0.5, "prob": 0.9}],
    }
    monkeypatch.setattr(asr, "transcribe_chunk", lambda *a, **k: fake)
    first = asr.transcribe(str(src))
    second = asr.transcribe(str(src))
    assert first["cache_hit"] is False and second["cache_hit"] is True
    assert second["words"] == first["words"] and second["duration"] == 3.0
    assert len(calls) == 1
    src.write_bytes(b"RIFF other bytes")  # one byte changes the key
    assert asr.transcribe(str(src))["cache_hit"] is False


def test_long_input_is_chunked_and_merged(home, monkeypatch, tmp_path: Path) -> None:
    src = tmp_path / "long.wav"
    src.write_bytes(b"RIFF long")
    monkeypatch.setattr(asr, "extract_audio", lambda p: str(p))
    monkeypatch.setattr(asr, "audio_duration", lambda p: 70.0)
    seen: list[tuple[float, float]] = []

    def fake_chunk(audio, start, end, model="tiny.en", language=None):
        seen.append((start, end))
        words = [
            {"text": f"w{int(t)}.", "start": float(t), "end": t + 0.4, "prob": 1.0}
            for t in range(int(start), int(end))
        ]
        return {"start": start, "end": end, "language": "en", "segments": [], "words": words}

    monkeypatch.setattr(asr, "transcribe_chunk", fake_chunk)
    res = asr.transcribe(str(src))
    assert sorted(seen) == [(0.0, 30.0), (28.0, 58.0), (56.0, 70.0)]
    assert [w["text"] for w in res["words"]] == [f"w{t}." for t in range(70)]
    assert res["segments"] and res["segments"][0]["text"] == "w0."


def test_missing_media_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MissingAsset, match="does not exist"):
        asr.transcribe(str(tmp_path / "gone.mp4"))
