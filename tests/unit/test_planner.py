"""Planner: LLM path with a scripted fake chat model (valid, repaired, garbage) and offline path."""

from __future__ import annotations

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage

from reelgraph.errors import LLMError
from reelgraph.nodes.llm_planner import plan_with_llm
from reelgraph.nodes.offline_planner import group_scenes, plan_offline
from tests.fakes import ScriptedChatModel, plan_call

GOOD = {
    "title": "Octopus facts",
    "scenes": [
        {
            "narration": "Octopuses have three hearts.",
            "visual": "an octopus",
            "keywords": ["octopus"],
            "emphasis": ["three"],
            "pacing": "normal",
        },
        {
            "narration": "Their blood is blue.",
            "visual": "blue blood",
            "keywords": ["blood"],
            "emphasis": ["blue"],
            "pacing": "slow",
        },
    ],
    "mood": "calm",
    "hashtags": ["#octopus", "ocean"],
}


def _no_sleep(_s: float) -> None:
    pass


def test_valid_plan_parsed_through_structured_output() -> None:
    model = ScriptedChatModel.scripted([plan_call(GOOD)])
    plan, warnings = plan_with_llm(model, "octopus facts", None, target_seconds=20)
    assert plan is not None and plan.title == "Octopus facts"
    assert [s.pacing for s in plan.scenes] == ["normal", "slow"]
    assert plan.hashtags == ["octopus", "ocean"]
    assert warnings == []
    assert "octopus facts" in model.calls[0][-1].content


def test_invalid_then_repaired() -> None:
    bad = {**GOOD, "scenes": [], "mood": "furious"}
    model = ScriptedChatModel.scripted([plan_call(bad), plan_call(GOOD, "call_2")])
    plan, warnings = plan_with_llm(model, "octopus facts", None, target_seconds=20)
    assert plan is not None and len(plan.scenes) == 2
    assert any("repaired" in w for w in warnings)
    # The repair turn shows the model its own output and the validation error.
    repair_turn = model.calls[1]
    assert any("validation error" in str(m.content).lower() for m in repair_turn)


def test_garbage_twice_falls_back() -> None:
    model = ScriptedChatModel.scripted([AIMessage(content="lol no"), AIMessage(content="???")])
    plan, warnings = plan_with_llm(model, "octopus facts", None, target_seconds=20)
    assert plan is None
    assert any("offline planner" in w for w in warnings)


def test_rate_limit_retried_with_backoff() -> None:
    req = httpx.Request("POST", "http://llm/v1/chat/completions")
    err = openai.RateLimitError("slow down", response=httpx.Response(429, request=req), body=None)
    slept: list[float] = []
    model = ScriptedChatModel.scripted([err, err, plan_call(GOOD)])
    plan, _ = plan_with_llm(model, "x", None, target_seconds=20, sleep=slept.append)
    assert plan is not None
    # exponential with jitter: try n waits base * 2**n scaled by a factor in [0.5, 1]
    assert len(slept) == 2
    assert 0.5 <= slept[0] <= 1.0 and 1.0 <= slept[1] <= 2.0, slept


def test_client_error_not_retried() -> None:
    req = httpx.Request("POST", "http://llm/v1/chat/completions")
    err = openai.BadRequestError("bad", response=httpx.Response(400, request=req), body=None)
    model = ScriptedChatModel.scripted([err, plan_call(GOOD)])
    with pytest.raises(LLMError, match="HTTP 400") as info:
        plan_with_llm(model, "x", None, target_seconds=20, sleep=_no_sleep)
    assert isinstance(info.value.__cause__, openai.BadRequestError)
    assert info.value.retryable is False


def test_bad_key_and_exhausted_retries_are_actionable() -> None:
    req = httpx.Request("POST", "http://llm/v1/chat/completions")
    auth = openai.AuthenticationError("no", response=httpx.Response(401, request=req), body=None)
    with pytest.raises(LLMError, match="OPENAI_API_KEY"):
        plan_with_llm(ScriptedChatModel.scripted([auth]), "x", None, target_seconds=20)
    down = openai.APIConnectionError(request=req)
    model = ScriptedChatModel.scripted([down, down, down])
    with pytest.raises(LLMError, match="OPENAI_BASE_URL") as info:
        plan_with_llm(model, "x", None, target_seconds=20, retries=2, sleep=_no_sleep)
    assert info.value.retryable is True and info.value.code == "llm_unavailable"


def test_offline_planner_keeps_text_and_finds_emphasis() -> None:
    text = (
        "Octopuses are remarkable animals. In 2016, scientists in Australia found an octopus "
        "city called Octlantis. Some species change colour in 200 milliseconds."
    )
    plan, warnings = plan_offline("", text)
    assert warnings == []
    assert plan.narration_text() == text  # never invents or drops words
    emph = {e for s in plan.scenes for e in s.emphasis}
    assert {"2016", "Australia", "Octlantis", "200"} <= emph
    assert plan.title


def test_offline_planner_short_topic_warns() -> None:
    plan, warnings = plan_offline("Make a short video about black holes")
    assert plan.scenes[0].narration.lower() == "black holes"
    assert warnings and "model endpoint" in warnings[0]


def test_scene_grouping_is_sentence_aware() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(10))
    scenes = group_scenes(text, max_words=12)
    assert all(s.endswith(".") for s in scenes)
    assert all(len(s.split()) <= 12 for s in scenes)
    assert " ".join(scenes) == text
