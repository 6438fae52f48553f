"""Fillers, stutters and retakes found in synthetic word lists, what must stay, and the audio
checks that turn them into cuts (a real wav of tone bursts standing in for words)."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from langchain_core.messages import AIMessage

from reelgraph.prompts import load
from reelgraph.workers.engine.disfluency import (
    find_disfluencies,
    find_fillers,
    find_retakes,
    find_stutters,
    is_filler,
)
from reelgraph.workers.engine.disfluency_cuts import (
    confirm_retakes,
    disfluency_map,
    parse_answers,
    plan_removals,
    snap,
    without_words,
)
from tests.fakes import ScriptedChatModel


def words_of(text: str, step: float = 0.3, gap: float = 0.05) -> list[dict[str, Any]]:
    """Each word of ``text`` ``step - gap`` seconds long, one after another."""
    return [
        {"text": t, "start": round(i * step, 3), "end": round(i * step + step - gap, 3)}
        for i, t in enumerate(text.split())
    ]


def removed(text: str, **kw: bool) -> list[str]:
    words = words_of(text)
    return [words[i]["text"] for f in find_disfluencies(words, **kw) for i in f.indexes]


def test_filler_spellings_and_words_that_are_not_fillers() -> None:
    for t in ("um", "Um,", "umm...", "uh", "Uhh.", "uhm", "erm", "er,", "Hmm.", "hm", "mm"):
        assert is_filler(t), t
    for t in ("am", "a", "ah", "oh", "uh-huh", "mm-hmm", "mhm", "ER", "her", "hum", "like", "I"):
        assert not is_filler(t), t
    assert [f.indexes for f in find_fillers(words_of("So um I think uh yes"))] == [[1], [4]]


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("I I think so", ["I"]),
        ("I, I think so", ["I,"]),
        ("I um I think so", ["I", "um"]),  # the filler between does not hide the repeat
        ("the the the end", ["the", "the"]),  # a chain keeps the last copy
        ("b- but why", ["b-"]),  # a cut-off word written with a dash
        ("to, to be or not", ["to,"]),
    ],
)
def test_stutters_cut_all_but_the_last_copy(text: str, cut: list[str]) -> None:
    assert removed(text, retakes=False) == cut


@pytest.mark.parametrize(
    "text",
    [
        "I think I can",  # one word again, but not back to back
        "it is very very easy",  # an intensifier said twice on purpose
        "no no no",
        "I know that that is true",  # grammatical doubles
        "she had had enough",
        "I went home. I slept.",  # a sentence ends between them
        "bye bye",
    ],
)
def test_intended_repeats_are_not_stutters(text: str) -> None:
    assert removed(text) == []


def test_a_long_pause_between_repeats_is_not_a_stutter() -> None:
    words = words_of("I I think")
    words[1:] = [{**w, "start": w["start"] + 2, "end": w["end"] + 2} for w in words[1:]]
    assert find_stutters(words, set()) == []


def test_the_retake_keeps_only_the_last_complete_take() -> None:
    text = (
        "So I think the best way to learn is. Sorry. The best way to learn is to speak every day."
    )
    found = find_disfluencies(words_of(text))
    assert [f.kind for f in found] == ["retake"] and found[0].sure
    assert removed(text) == ["the", "best", "way", "to", "learn", "is.", "Sorry."]
    assert found[0].case["between"] == "Sorry."


@pytest.mark.parametrize(
    ("text", "cut", "sure"),
    [
        # an editing phrase between the takes
        ("We should go, I mean, we should go now", "We should go, I mean,", True),
        ("Let me start again. Let me start with the basics", "Let me start again.", True),
        # the first take breaks off in a word
        ("the best way to le- the best way to learn", "the best way to le-", True),
        ("the colour is, the color is red", "the colour is,", False),  # a spelling variant
        # three words or more broken off mid-phrase, nothing between
        ("we need to we need to act now", "we need to", True),
        # fillers between, the first take ends a clause: only a model can say
        ("So the plan is, um, the plan is simple", "the plan is, um,", False),
        ("It's over. It's over now.", "It's over.", False),
    ],
)
def test_retake_variants(text: str, cut: str, sure: bool) -> None:
    words = words_of(text)
    found = find_retakes(words, {i for i, w in enumerate(words) if is_filler(w["text"])})
    assert len(found) == 1, found
    assert " ".join(words[i]["text"] for i in found[0].indexes) == cut
    assert found[0].sure is sure


@pytest.mark.parametrize(
    "text",
    [
        "I think I can do it",
        "we shall fight on the beaches, we shall fight on the landing grounds",
        "Thanks for watching. Thanks for watching.",  # said twice, no editing word: kept
        "I have a dream that one day this nation will rise up. I have a dream today",
        "the best way to learn is to read, and the best way to teach is to listen",
        "one by one, two by two",
    ],
)
def test_repetitions_that_are_not_retakes(text: str) -> None:
    assert find_retakes(words_of(text), set()) == []


def test_switches_choose_what_is_looked_for() -> None:
    text = "So um I I think the best way is. Sorry. The best way is to speak."
    assert {f.kind for f in find_disfluencies(words_of(text), retakes=False)} == {
        "filler",
        "stutter",
    }
    only_retakes = find_disfluencies(words_of(text), fillers=False)
    assert [f.kind for f in only_retakes] == ["retake"]


# -- audio checks and cut ranges ---------------------------------------------------------


def levels_for(duration: float, loud: list[tuple[float, float]], floor: float = -90.0):
    """10 ms levels: ``floor`` dBFS, -20 dBFS over each loud span."""
    lv = np.full(int(duration / 0.01), floor, dtype=np.float32)
    for a, b in loud:
        lv[int(a / 0.01) : int(b / 0.01)] = -20.0
    return lv


def test_snap_moves_a_late_word_start_back_to_the_quiet_before_it() -> None:
    lv = levels_for(3.0, [(1.0, 1.5)])
    assert snap(1.08, lv) == pytest.approx(0.995)  # whisper said 1.08; the word starts at 1.0
    assert snap(0.7, lv) == 0.7  # already in the pause
    with_music = levels_for(3.0, [(1.0, 1.5)], floor=-38.0)
    assert snap(1.08, with_music) == pytest.approx(0.995)


def test_a_filler_needs_voiced_audio_and_a_sensible_duration() -> None:
    words = words_of("So um I think so")  # um: 0.3-0.55
    voiced_um = levels_for(2.0, [(w["start"], w["end"]) for w in words])
    silent_um = levels_for(2.0, [(w["start"], w["end"]) for w in words if w["text"] != "um"])
    (cut,) = plan_removals(words, voiced_um, retakes=False)
    assert cut["status"] == "cut" and cut["indexes"] == [1]
    assert cut["range"] == pytest.approx([0.295, 0.595])  # in the quiet before each word
    (kept,) = plan_removals(words, silent_um, retakes=False)
    assert kept["status"] == "caption" and kept["range"] is None
    instant = [dict(w) for w in words]
    instant[1]["end"] = instant[1]["start"]  # whisper gave it no time
    assert plan_removals(instant, voiced_um, retakes=False)[0]["status"] == "caption"


def test_words_invented_over_silence_leave_the_captions_only() -> None:
    words = words_of("I can do it. So I think")  # "So I think" over silence, as whisper does
    lv = levels_for(3.0, [(w["start"], w["end"]) for w in words[:4]])
    words[4:] = [{**w, "prob": 0.05} for w in words[4:]]
    words[5] = {**words[5], "end": words[5]["start"], "prob": 0.9}  # no time, however sure
    found = plan_removals(words, lv)
    assert [(f["kind"], f["status"], f["indexes"]) for f in found] == [
        ("phantom", "caption", [4]),
        ("phantom", "caption", [5]),
        ("phantom", "caption", [6]),
    ]
    assert plan_removals(words, lv, fillers=False) == []  # only with the disfluent prompt
    real = [{**w, "end": w["start"]} if i == 1 else w for i, w in enumerate(words[:4])]
    assert plan_removals(real, lv) == []  # a word with no time but speech under it stays


def test_ambiguous_retakes_are_asked_and_sure_ones_cut() -> None:
    words = words_of("It's over. It's over now. The best way is. Sorry. The best way is to go.")
    lv = levels_for(6.0, [(w["start"], w["end"]) for w in words])
    found = plan_removals(words, lv, fillers=False)
    assert [(f["kind"], f["status"]) for f in found] == [("retake", "ask"), ("retake", "cut")]
    assert found[0]["case"]["first take"] == "It's over."


def _tone_wav(path: Path, spans: list[tuple[float, float]], duration: float) -> Path:
    rate = 16000
    t = np.arange(int(duration * rate)) / rate
    on = np.zeros_like(t, dtype=bool)
    for a, b in spans:
        on |= (t >= a) & (t < b)
    pcm = (0.3 * np.sin(2 * np.pi * 220 * t) * on * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def test_the_map_is_a_conditional_cache_entry(tmp_path: Path) -> None:
    words = words_of("So um I I think so")
    wav = _tone_wav(tmp_path / "a.wav", [(w["start"], w["end"]) for w in words], 2.0)
    first = disfluency_map(str(wav), words)
    assert not first["cache_hit"] and [f["kind"] for f in first["found"]] == ["filler", "stutter"]
    again = disfluency_map(str(wav), words)
    assert again["cache_hit"] and again["found"] == first["found"]
    assert not disfluency_map(str(wav), words, retakes=False)["cache_hit"]  # other switches
    moved = [{**w, "end": w["end"] - 0.01} for w in words]
    assert not disfluency_map(str(wav), moved)["cache_hit"]  # other word timings


# -- the chat model's judgement ----------------------------------------------------------

CASES = [
    {"before": "", "first take": "It's over.", "between": "", "second take": "It's over now."},
    {"before": "So", "first take": "we can,", "between": "", "second take": "we can win"},
]


def test_parse_answers_requires_one_yes_or_no_per_case() -> None:
    assert parse_answers("1\tyes\n2\tNo", 2) == [True, False]
    assert parse_answers("1: yes\n2. no because", 2) == [True, False]
    assert parse_answers("1\tyes", 2) is None
    assert parse_answers("1\tmaybe\n2\tno", 2) is None


def test_the_model_confirms_retakes_cached_per_model_and_prompt() -> None:
    prompt = load("confirm_retakes").text
    model = ScriptedChatModel.scripted([AIMessage(content="1\tno\n2\tyes")])
    res = confirm_retakes(CASES, model, prompt)
    assert res["answers"] == [False, True] and not res["cache_hit"]
    sent = model.calls[0][1].content
    assert "1\tbefore: \tfirst take: It's over." in sent and "second take: we can win" in sent
    again = confirm_retakes(CASES, ScriptedChatModel.scripted([]), prompt)  # no call made
    assert again["cache_hit"] and again["answers"] == [False, True]
    other = ScriptedChatModel.scripted([AIMessage(content="1\tyes\n2\tyes")])
    assert confirm_retakes(CASES, other, prompt + " ")["answers"] == [True, True]
    bad = ScriptedChatModel.scripted([AIMessage(content="yes")])
    assert confirm_retakes(CASES, bad, "v9")["answers"] is None


def test_removed_words_leave_words_and_segments() -> None:
    words = words_of("So um I think")
    tr = {
        "language": "en",
        "words": words,
        "segments": [{"start": 0.0, "end": 1.15, "text": "So um I think", "words": words}],
    }
    out = without_words(tr, {1})
    assert [w["text"] for w in out["words"]] == ["So", "I", "think"]
    assert out["segments"][0]["text"] == "So I think" and out["language"] == "en"
    assert without_words(tr, set())["segments"] == tr["segments"]


def _state(tmp_path: Path, text: str) -> dict[str, Any]:
    words = words_of(text)
    wav = _tone_wav(tmp_path / "talk.wav", [(w["start"], w["end"]) for w in words], 5.0)
    segment = {"start": 0.0, "end": words[-1]["end"], "text": text, "words": words}
    return {"transcript": {"words": words, "segments": [segment]}, "audio_wav": str(wav)}


TAKES = "It's over. It's over now. The best way is. Sorry. The best way is to go."


def test_unclear_retakes_stay_without_a_chat_model(tmp_path: Path) -> None:
    from reelgraph.graph.context import CaptionContext
    from reelgraph.nodes.disfluency import remove_disfluencies

    res = remove_disfluencies(_state(tmp_path, TAKES), CaptionContext(remove_retakes=True))
    texts = [w["text"] for w in res["transcript"]["words"]]
    assert " ".join(texts) == "It's over. It's over now. The best way is to go."
    assert {w["kind"] for w in res["removed"]} == {"retake"} and len(res["cuts"]) == 1
    assert res["counts"] == {"filler": 0, "stutter": 0, "retake": 1}
    assert any("1 possible retake(s) kept" in w for w in res["warnings"])


def test_the_chat_model_confirms_an_unclear_retake(tmp_path: Path, monkeypatch) -> None:
    from reelgraph.graph.context import CaptionContext
    from reelgraph.nodes import models
    from reelgraph.nodes.disfluency import remove_disfluencies

    model = ScriptedChatModel.scripted([AIMessage(content="1\tyes")])
    monkeypatch.setattr(models, "get_chat_model", lambda name=None: model)
    res = remove_disfluencies(_state(tmp_path, TAKES), CaptionContext(remove_retakes=True))
    texts = [w["text"] for w in res["transcript"]["words"]]
    assert " ".join(texts) == "It's over now. The best way is to go."
    assert res["transcript"]["segments"][0]["text"] == "It's over now. The best way is to go."
    assert [w["text"] for w in res["removed"]][:2] == ["It's", "over."]
    assert len(res["cuts"]) == 2 and res["cache"]["retake_llm"] == "miss"
    assert "first take: It's over." in model.calls[0][1].content


def test_nothing_is_looked_for_when_both_switches_are_off(tmp_path: Path) -> None:
    from reelgraph.graph.context import CaptionContext
    from reelgraph.nodes.disfluency import asr_prompt, remove_disfluencies

    res = remove_disfluencies(_state(tmp_path, "So um I I think"), CaptionContext())
    assert res["transcript"] is None and res["cuts"] == [] and res["cache"] == {}
    assert asr_prompt(CaptionContext()) is None
    assert "Umm" in (asr_prompt(CaptionContext(remove_fillers=True)) or "")


def test_a_filler_inside_a_retake_is_listed_once(tmp_path: Path) -> None:
    from reelgraph.graph.context import CaptionContext
    from reelgraph.nodes.disfluency import remove_disfluencies

    text = "The best way is, um, sorry, the best way is to go."
    ctx = CaptionContext(remove_fillers=True, remove_retakes=True)
    res = remove_disfluencies(_state(tmp_path, text), ctx)
    said = [w["text"] for w in res["transcript"]["words"]]
    assert said == ["the", "best", "way", "is", "to", "go."]
    gone = [(w["text"], w["kind"]) for w in res["removed"]]
    assert gone == [(t, "retake") for t in ["The", "best", "way", "is,", "um,", "sorry,"]]
    assert res["counts"] == {"filler": 1, "stutter": 0, "retake": 1} and res["warnings"] == []


def test_the_prompt_reaches_whisper_and_drops_speechless_segments(tmp_path: Path, monkeypatch):
    from types import SimpleNamespace as NS

    from reelgraph.workers.engine import asr

    seen: list[dict[str, Any]] = []

    def word(text: str, start: float) -> Any:
        return NS(word=f" {text}", start=start, end=start + 0.2, probability=0.9)

    class Whisper:
        def transcribe(self, samples: Any, **kw: Any) -> Any:
            seen.append(kw)
            speech = NS(start=0.0, end=0.5, text=" So um", no_speech_prob=0.01)
            speech.words = [word("So", 0.0), word("um", 0.3)]
            tail = NS(start=1.5, end=1.9, text=" I'm, I'm", no_speech_prob=0.84)
            tail.words = [word("I'm,", 1.5), word("I'm", 1.7)]
            return iter([speech, tail]), NS(language="en", language_probability=1.0)

    monkeypatch.setattr(asr, "load_model", lambda model: Whisper())
    wav = _tone_wav(tmp_path / "a.wav", [(0.0, 0.6)], 2.0)
    plain = asr.transcribe_chunk(str(wav), 0.0, 2.0)
    prompted = asr.transcribe_chunk(str(wav), 0.0, 2.0, prompt="Umm, let me think")
    assert seen[0]["initial_prompt"] is None and seen[1]["initial_prompt"] == "Umm, let me think"
    assert [w["text"] for w in plain["words"]] == ["So", "um", "I'm,", "I'm"]
    assert [w["text"] for w in prompted["words"]] == ["So", "um"]  # whisper wrote on: dropped


def test_a_prompted_transcript_is_its_own_cache_entry(tmp_path: Path, monkeypatch) -> None:
    from reelgraph.workers.engine import asr

    src = tmp_path / "talk.wav"
    src.write_bytes(f"RIFF {tmp_path}".encode())  # bytes of its own: a fresh key
    prompts: list[str | None] = []

    def chunk(audio, start, end, model="tiny.en", language=None, prompt=None):
        prompts.append(prompt)
        return {"start": start, "end": end, "language": "en", "segments": [], "words": []}

    monkeypatch.setattr(asr, "extract_audio", lambda p: str(p))
    monkeypatch.setattr(asr, "audio_duration", lambda p: 3.0)
    monkeypatch.setattr(asr, "transcribe_chunk", chunk)
    en = {"language": "en"}  # a given language: no detection pass
    assert not asr.transcribe(str(src), **en)["cache_hit"]
    assert not asr.transcribe(str(src), prompt="Umm", **en)["cache_hit"]
    assert not asr.transcribe(str(src), prompt="Hmm", **en)["cache_hit"]
    assert (
        asr.transcribe(str(src), **en)["cache_hit"]
        and asr.transcribe(str(src), prompt="Umm", **en)["cache_hit"]
    )
    assert prompts == [None, "Umm", "Hmm"]
