"""``asr_model: auto``: the choice rule, its per-machine cache keyed by package versions, the
language rules (up front in the options, multilingual fallback) and the language report
(model calls faked; the real measurement is in tests/integration/test_asr_auto_language.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reelgraph.errors import InvalidInput
from reelgraph.graph.context import AnalyzeContext, CaptionContext
from reelgraph.settings import get_settings
from reelgraph.workers.engine import asr, asr_auto, asr_language


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """A fresh per-machine cache and a fake, counted RTF measurement."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    get_settings.cache_clear()
    state: dict = {"rtf": {"base": 0.2, "tiny.en": 0.05}, "calls": []}

    def fake_measure(model: str, samples: object, runs: int = 2) -> float:
        state["calls"].append(model)
        return state["rtf"][model]

    monkeypatch.setattr(asr_auto, "measure_rtf", fake_measure)
    monkeypatch.setattr(asr_auto, "speech_sample", lambda: [0.0] * 16000)
    monkeypatch.setattr(asr_auto, "installed", lambda: ["base", "tiny.en"])
    yield state
    get_settings.cache_clear()


def test_the_most_accurate_model_under_the_bar_is_chosen_and_cached(machine: dict) -> None:
    choice = asr_auto.auto_choice()
    assert choice["model"] == "base" and machine["calls"] == ["base"]  # tiny.en not needed
    assert "0.200" in choice["reason"] and "0.25" in choice["reason"]
    path = asr_auto.choice_path(asr_auto.choice_key())
    assert path.is_file() and path.is_relative_to(get_settings().machine_cache_dir)
    assert json.loads(path.read_text())["model"] == "base"
    assert asr_auto.auto_choice()["model"] == "base" and machine["calls"] == ["base"]  # cached


def test_a_slow_base_gives_tiny_and_nothing_under_the_bar_gives_the_fastest(machine: dict) -> None:
    machine["rtf"] = {"base": 0.4, "tiny.en": 0.1}
    assert asr_auto.auto_choice()["model"] == "tiny.en"
    assert machine["calls"] == ["base", "tiny.en"]
    asr_auto.choice_path(asr_auto.choice_key()).unlink()
    machine["rtf"] = {"base": 0.9, "tiny.en": 0.3}
    choice = asr_auto.auto_choice()
    assert choice["model"] == "tiny.en" and "no installed model is under" in choice["reason"]


def test_new_package_versions_measure_again(machine: dict, monkeypatch) -> None:
    asr_auto.auto_choice()
    real = asr_auto._version
    monkeypatch.setattr(asr_auto, "_version", lambda p: "9.9.9" if p == "ctranslate2" else real(p))
    machine["rtf"]["base"] = 0.5
    assert asr_auto.auto_choice()["model"] == "tiny.en"  # a new key: measured again
    assert machine["calls"] == ["base", "base", "tiny.en"]


def test_a_single_installed_model_needs_no_measurement(machine: dict, monkeypatch) -> None:
    monkeypatch.setattr(asr_auto, "installed", lambda: ["tiny.en"])
    choice = asr_auto.auto_choice()
    assert choice["model"] == "tiny.en" and "only installed" in choice["reason"]
    assert machine["calls"] == []


def test_auto_for_another_language_is_multilingual(machine: dict, monkeypatch) -> None:
    machine["rtf"]["base"] = 0.5  # tiny.en is the everyday choice
    assert asr.concrete_model("auto") == "tiny.en"
    assert asr.concrete_model("auto", "en") == "tiny.en"
    assert asr.concrete_model("auto", "de") == "base"
    assert asr.model_id("auto") == asr.model_id("tiny.en")
    assert asr.concrete_model("tiny.en", "de") == "tiny.en"  # only auto is resolved
    monkeypatch.setattr(asr_auto, "installed", lambda: ["tiny.en"])
    with pytest.raises(InvalidInput, match=r"multilingual.*whisper-base"):
        asr.concrete_model("auto", "de")


def test_options_refuse_another_language_for_an_english_only_model() -> None:
    with pytest.raises(InvalidInput, match=r"English-only.*'de'.*auto or base"):
        CaptionContext.from_options({"asr_model": "tiny.en", "language": "de"})
    with pytest.raises(InvalidInput, match="English-only"):
        AnalyzeContext.from_options({"asr_model": "tiny.en", "language": "es"})
    assert CaptionContext.from_options({"language": "de"}).asr_model == "auto"
    assert AnalyzeContext.from_options({"asr_model": "tiny.en", "language": "en"}).language == "en"


def test_language_plan_for_an_english_only_model(monkeypatch) -> None:
    heard = {"lang": ("de", 0.9)}
    monkeypatch.setattr(asr_language, "detect_language", lambda wav, model: heard["lang"])
    monkeypatch.setattr(asr_auto, "installed", lambda: ["base", "tiny.en"])
    model, plan = asr_language.language_plan("x.wav", "tiny.en", None, auto=True)
    assert model == "base" and plan["language_hint"] == "de"
    assert plan["report"]["language"] == "de" and plan["report"]["language_probability"] == 0.9
    model, plan = asr_language.language_plan("x.wav", "tiny.en", None, auto=False)
    assert model == "tiny.en" and "English-only" in plan["report"]["language_note"]
    heard["lang"] = ("en", 0.97)
    model, plan = asr_language.language_plan("x.wav", "tiny.en", None, auto=True)
    assert model == "tiny.en" and plan["report"]["language_source"] == "detected"
    assert asr_language.language_plan("x.wav", "base", None, auto=True) == ("base", {})
    assert asr_language.language_plan("x.wav", "tiny.en", "en", auto=True) == ("tiny.en", {})
    monkeypatch.setattr(asr_auto, "installed", lambda: ["tiny.en"])
    model, plan = asr_language.language_plan("x.wav", "tiny.en", None, auto=True)
    assert plan["report"]["language_source"] == "assumed"
    assert plan["report"]["language_probability"] is None
    assert "not detected" in plan["report"]["language_note"]


def test_remeasure_measures_again(machine: dict) -> None:
    asr_auto.auto_choice()
    machine["rtf"]["base"] = 0.6
    assert asr_auto.auto_choice()["model"] == "base"  # cached
    assert asr_auto.auto_choice(remeasure=True)["model"] == "tiny.en"
    assert asr_auto.auto_choice()["model"] == "tiny.en"  # the new measurement is kept
