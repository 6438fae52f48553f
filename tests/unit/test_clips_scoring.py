"""Clips: the chat-model scoring path with a scripted model, the find_moments node's choices and
refusals, and the clips options on the CLI's and the API's side."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from pydantic import ValidationError

from reelgraph.errors import InvalidInput, UnsupportedMedia
from reelgraph.graph.context import ClipsContext
from reelgraph.nodes.clip_scorer import score_with_llm
from tests.fakes import ScriptedChatModel
from tests.unit.test_clips_moments import TALK, timed_words


def scores_call(entries: list[dict[str, Any]], call_id: str = "call_1") -> AIMessage:
    return AIMessage(
        content="", tool_calls=[{"name": "ClipScores", "args": {"clips": entries}, "id": call_id}]
    )


def entry(cid: int, hook: int = 5, title: str = "A title") -> dict[str, Any]:
    return {
        "id": cid,
        "hook": hook,
        "completeness": 7,
        "value": 6,
        "title": title,
        "opening": f"Opening {cid}",
        "reason": "It stands on its own.",
    }


def cands(tag: str, n: int = 3) -> list[dict[str, Any]]:
    return [
        {"id": i, "start": 10.0 * i, "end": 10.0 * i + 8, "text": f"{tag} {i}."}
        for i in range(1, n + 1)
    ]


def _score(model: Any, candidates: list[dict[str, Any]]) -> Any:
    return score_with_llm(model, candidates, count=2, min_seconds=5, max_seconds=20, retries=0)


def test_scores_are_validated_and_cached() -> None:
    model = ScriptedChatModel.scripted([scores_call([entry(1, 9), entry(2), entry(3, 1)])])
    scores, warnings, hit = _score(model, cands("valid"))
    assert scores is not None and not hit and warnings == []
    assert scores[1].score == pytest.approx((9 + 7 + 6) / 30, abs=1e-4)
    system, human = model.calls[0]
    assert "2 clip(s) of 5 to 20 seconds" in system.content
    assert "[2] 20.0-28.0 s: valid 2." in human.content
    again, _, hit = _score(ScriptedChatModel.scripted([]), cands("valid"))  # no call is made
    assert hit and again is not None and again[1].title == "A title"


def test_unknown_ids_get_one_repair_then_the_heuristic() -> None:
    model = ScriptedChatModel.scripted(
        [scores_call([entry(1), entry(7)]), scores_call([entry(1), entry(2)], "call_2")]
    )
    scores, warnings, _ = _score(model, cands("repair"))
    assert scores is not None and set(scores) == {1, 2}
    assert warnings == ["The model's first scores were invalid and were repaired."]
    repair = model.calls[1][-1]
    assert isinstance(repair, ToolMessage) and "[7] are not candidates" in repair.content
    bad = {**entry(1), "hook": 11}  # out of range twice: the caller falls back
    model = ScriptedChatModel.scripted([scores_call([bad]), scores_call([bad], "call_2")])
    scores, warnings, _ = _score(model, cands("invalid"))
    assert scores is None and "heuristic" in warnings[0]


def _state(sentences: list[str]) -> dict[str, Any]:
    words = timed_words(sentences)
    duration = words[-1]["end"] + 1 if words else 30.0
    return {
        "transcript": {"words": words},
        "info": {"duration": duration},
        "media": {"name": "talk.mp4"},
    }


def _runtime(**options: Any) -> Any:
    return SimpleNamespace(context=ClipsContext.from_options(options))


class LastIsBest(ScriptedChatModel):
    """Answers each request with scores of its own candidate ids: the last one best."""

    def _generate(self, messages: list[Any], *args: Any, **kwargs: Any) -> Any:
        ids = [int(i) for i in re.findall(r"^\[(\d+)\]", messages[1].content, re.M)]
        last = ids[-1]
        self.messages = iter(
            [scores_call([entry(i, 10 if i == last else 0, f"T{i}") for i in ids])]
        )
        return super()._generate(messages, *args, **kwargs)


def test_find_moments_takes_the_models_ranking(monkeypatch: pytest.MonkeyPatch) -> None:
    from reelgraph.nodes import clips, models

    model = LastIsBest.scripted([])
    monkeypatch.setattr(models, "get_chat_model", lambda name=None: model)
    out = clips.find_moments(_state(TALK * 2), _runtime(count=2, min_seconds=6, max_seconds=14))
    assert out["scoring"]["method"] == "llm" and len(out["moments"]) == 2
    listing = model.calls[0][1].content
    last = int(re.findall(r"^\[(\d+)\]", listing, re.M)[-1])
    start = float(re.search(rf"^\[{last}\] ([0-9.]+)-", listing, re.M).group(1))  # type: ignore[union-attr]
    best = out["moments"][0]
    assert best["scored_by"] == "llm" and best["title"] == f"T{last}"
    assert best["hook"] == f"Opening {last}" and best["scores"]["hook"] == 10
    assert best["start"] == pytest.approx(start, abs=0.05)
    a, b = out["moments"]
    assert a["end"] <= b["start"] or b["end"] <= a["start"]


def test_find_moments_refuses_no_speech_and_no_fitting_window() -> None:
    from reelgraph.nodes import clips

    with pytest.raises(InvalidInput, match=r"No speech was recognised in talk\.mp4"):
        clips.find_moments(_state([]), _runtime(min_seconds=5, max_seconds=10))
    with pytest.raises(InvalidInput, match=r"lasts 40 to 60 s.*--max-seconds"):
        clips.find_moments(_state(TALK), _runtime(min_seconds=40, max_seconds=60))
    out = clips.find_moments(_state(TALK), _runtime(count=20, min_seconds=5, max_seconds=8))
    assert out["scoring"]["method"] == "heuristic" and 1 <= len(out["moments"]) < 20
    assert any("were asked for" in w for w in out["warnings"])
    short = {
        "info": {"duration": 9.5, "has_video": True, "has_audio": True},
        "media": {"name": "short.mp4"},
    }
    with pytest.raises(InvalidInput, match=r"short.mp4 lasts 9.5 s, shorter than .*--min-seconds"):
        clips.check_clip_source(short, _runtime())
    mute = {**short, "info": {**short["info"], "has_audio": False}}
    with pytest.raises(UnsupportedMedia, match="no audio track"):
        clips.check_clip_source(mute, _runtime(min_seconds=5))


def test_clips_options_defaults_and_refusals() -> None:
    ctx = ClipsContext()
    assert (ctx.count, ctx.min_seconds, ctx.max_seconds, ctx.size()) == (3, 15, 60, (1080, 1920))
    assert ClipsContext.from_options({"style": "pop", "width": 720, "height": 1280}).size() == (
        720,
        1280,
    )
    refused = [
        ({"min_seconds": 70}, "make min_seconds at most max_seconds"),
        ({"count": 0}, "Count (count) 0 is out of range; use at least 1."),
        ({"count": 21}, "at most 20"),
        ({"width": 1920, "height": 1080}, "1920x1080 is not 9:16"),
        ({"max_seconds": 1}, "at least 2"),
    ]
    for options, message in refused:
        with pytest.raises(InvalidInput) as err:
            ClipsContext.from_options(options)
        assert message in str(err.value), (options, str(err.value))
    with pytest.raises(InvalidInput, match=r"^--count 0 is out of range"):
        ClipsContext.from_options({"count": 0}, flags=True)


def test_clips_jobs_through_the_api_models() -> None:
    from reelgraph.app.api.models import JobCreate

    video = {"video": "https://example.com/talk.mp4"}
    job = JobCreate.model_validate(
        {"kind": "clips", "input": video, "options": {"count": 5, "style": "bold"}}
    )
    assert job.options.to_options() == {"count": 5, "caption_style": "bold"}
    bad = [
        ({"kind": "clips"}, "needs input.video"),
        ({"kind": "clips", "input": video, "options": {"zoom": True}}, "option of caption jobs"),
        ({"kind": "clips", "input": video, "options": {"min_seconds": 61}}, "min_seconds"),
        ({"kind": "caption", "input": video, "options": {"count": 2}}, "option of clips jobs"),
    ]
    for body, word in bad:
        with pytest.raises(ValidationError) as err:
            JobCreate.model_validate(body)
        assert word in str(err.value), (body, str(err.value))
