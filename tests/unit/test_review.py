"""The review stop: its HumanInterrupt value, how answers resume it, the preview spec, the API's
and the CLI's answers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command
from pydantic import ValidationError

from reelgraph.app.api.review import ReviewRequest, human_response
from reelgraph.app.commands.review import parse_answer
from reelgraph.errors import InvalidInput
from reelgraph.graph.state import CreateState
from reelgraph.nodes.review import review_plan, route_after_review, route_to_review
from reelgraph.nodes.review_request import chat_answer, read_answer, review_request
from reelgraph.workers.engine.preview import preview_size, preview_spec

PLAN = {
    "title": "Octopuses",
    "scenes": [{"narration": "Octopuses have three hearts."}, {"narration": "Blue blood."}],
    "mood": "calm",
    "hashtags": [],
}
REVIEW = {
    "status": "pending",
    "round": 1,
    "title": "Octopuses",
    "storyboard": [
        {"scene": 1, "narration": "Octopuses have three hearts.", "duration": 2.5},
        {"scene": 2, "narration": "Blue blood.", "duration": 1.5},
    ],
    "preview": "/data/job/review/preview.mp4",
}


def test_the_interrupt_value_is_a_human_interrupt() -> None:
    value = review_request(REVIEW, PLAN)
    assert set(value) == {"action_request", "config", "description"}
    assert value["action_request"]["action"] == "review_plan"
    assert value["action_request"]["args"]["plan"] == PLAN
    assert value["action_request"]["args"]["storyboard"] == REVIEW["storyboard"]
    assert value["config"] == {
        "allow_accept": True,
        "allow_edit": True,
        "allow_respond": True,
        "allow_ignore": True,
    }
    assert "2.5 s" in value["description"] and "preview.mp4" in value["description"]
    assert "could not be used" in review_request(REVIEW, PLAN, "bad plan")["description"]


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ({"type": "accept", "args": None}, "accept"),
        ([{"type": "accept", "args": None}], "accept"),  # Agent Inbox sends a list of one
        ({"type": "ignore", "args": None}, "ignore"),
        ({"type": "response", "args": " shorter "}, "response"),
        ({"type": "edit", "args": {"action": "review_plan", "args": {"plan": PLAN}}}, "edit"),
        ({"type": "edit", "args": {"plan": PLAN}}, "edit"),
        ({"type": "edit", "args": PLAN}, "edit"),
    ],
)
def test_answers_are_read(answer: Any, kind: str) -> None:
    got = read_answer(answer)
    assert got.kind == kind
    assert got.plan == (PLAN if kind == "edit" else None)
    assert got.message == ("shorter" if kind == "response" else "")


@pytest.mark.parametrize(
    "answer",
    [
        None,
        "  ",
        {"type": "approve"},
        {"type": "response", "args": "  "},
        {"type": "edit", "args": {"action": "review_plan", "args": {}}},
        [{"type": "accept"}, {"type": "accept"}],
    ],
)
def test_unusable_answers_are_refused(answer: Any) -> None:
    with pytest.raises(InvalidInput):
        read_answer(answer)


def test_routes() -> None:
    on, off = SimpleNamespace(context=SimpleNamespace(review=True)), SimpleNamespace(context=None)
    assert route_to_review({}, on) == "preview_plan"  # type: ignore[arg-type]
    assert route_to_review({"review": {"status": "changes_requested"}}, on) == "preview_plan"  # type: ignore[arg-type]
    approved = {"status": "approved", "approved_plan": PLAN}
    assert route_to_review({"review": approved, "plan": PLAN}, on) == "render"  # type: ignore[arg-type]
    other = {**PLAN, "title": "Squids"}  # a later run on the thread with another plan
    assert route_to_review({"review": approved, "plan": other}, on) == "preview_plan"  # type: ignore[arg-type]
    assert route_to_review({}, off) == "render"  # type: ignore[arg-type]
    route = {"then": "render", "replan": "narrate_scenes"}
    for decision, node in [
        ("accept", "render"),
        ("edit", "narrate_scenes"),
        ("response", "narrate_scenes"),
        ("ignore", END),
    ]:
        assert route_after_review({"review": {"decision": decision}}, **route) == node


def _review_graph() -> Any:
    builder = StateGraph(CreateState)
    builder.add_node(review_plan)
    builder.add_edge(START, "review_plan")
    builder.add_edge("review_plan", END)
    return builder.compile(checkpointer=InMemorySaver())


def _interrupt(graph: Any, config: dict[str, Any], arg: Any) -> Any:
    out = graph.invoke(arg, config)
    return out["__interrupt__"][0].value


def test_review_plan_stops_and_resumes_with_each_answer() -> None:
    cases = {
        "accept": ({"type": "accept", "args": None}, "approved"),
        "ignore": ({"type": "ignore", "args": None}, "rejected"),
    }
    for name, (answer, status) in cases.items():
        graph, config = _review_graph(), {"configurable": {"thread_id": name}}
        value = _interrupt(graph, config, {"plan": PLAN, "review": REVIEW})
        assert isinstance(value, list) and value[0]["action_request"]["args"]["plan"] == PLAN
        out = graph.invoke(Command(resume=[answer]), config)
        assert out["review"]["status"] == status and out["review"]["decision"] == name


def test_a_bad_edit_is_asked_again_then_a_good_one_replaces_the_plan() -> None:
    graph, config = _review_graph(), {"configurable": {"thread_id": "edit"}}
    _interrupt(graph, config, {"plan": PLAN, "review": REVIEW})
    bad = {"type": "edit", "args": {**PLAN, "scenes": []}}
    again = _interrupt(graph, config, Command(resume=bad))
    assert "not valid" in again[0]["description"] and "scenes" in again[0]["description"]
    edited = {**PLAN, "scenes": [{"narration": "Squids glow."}]}
    out = graph.invoke(Command(resume={"type": "edit", "args": {"plan": edited}}), config)
    assert out["plan"]["scenes"][0]["narration"] == "Squids glow."
    assert out["review"] | {"edited": True} == out["review"]
    assert out["review"]["status"] == "approved" and out["review"]["decision"] == "edit"


@pytest.mark.parametrize(
    ("size", "preview"),
    [
        ((1080, 1920), (360, 640)),
        ((1920, 1080), (640, 360)),
        ((1080, 1080), (640, 640)),
        ((1000, 1920), (332, 640)),
        ((320, 568), (320, 568)),  # never enlarged
    ],
)
def test_preview_size(size: tuple[int, int], preview: tuple[int, int]) -> None:
    assert preview_size(*size) == preview
    assert max(preview) <= 640 and preview[0] % 2 == 0 and preview[1] % 2 == 0


def test_preview_spec_is_the_same_spec_small_and_draft() -> None:
    spec = {
        "duration": 4.0,
        "output": {"width": 1080, "height": 1920, "fps": 30, "quality": "high"},
        "visuals": [
            {"kind": "card", "path": "a.png", "duration": 4.0, "enhance": {"sharpen": 0.5}}
        ],
        "captions": {"words": [{"text": "Hi", "start": 0.1, "end": 0.5}], "size": 90},
        "audio": {"narration": "n.wav"},
    }
    out = preview_spec(spec)
    assert out["output"] | {"width": 360, "height": 640, "quality": "draft"} == out["output"]
    assert out["output"]["fps"] == 30 and out["visuals"][0]["enhance"] is None
    assert out["captions"] == preview_spec(out)["captions"]
    assert out["captions"]["words"][0]["text"] == "Hi" and out["audio"]["narration"] == "n.wav"


def test_api_answers_map_to_human_responses() -> None:
    approve = ReviewRequest(action="approve")
    assert human_response(approve) == {"type": "accept", "args": None}
    assert human_response(ReviewRequest(action="reject")) == {"type": "ignore", "args": None}
    edit = human_response(ReviewRequest.model_validate({"action": "edit", "plan": PLAN}))
    assert edit["type"] == "edit" and edit["args"]["action"] == "review_plan"
    assert read_answer(edit).plan["scenes"][1]["narration"] == "Blue blood."  # type: ignore[index]
    message = ReviewRequest(action="edit", message=" make it shorter ")
    assert human_response(message) == {"type": "response", "args": "make it shorter"}


@pytest.mark.parametrize(
    "body",
    [
        {"action": "edit"},
        {"action": "edit", "plan": PLAN, "message": "and this"},
        {"action": "approve", "message": "fine"},
        {"action": "edit", "plan": {**PLAN, "scenes": []}},
        {"action": "edit", "message": "bad\x00byte"},
        {"action": "ok"},
    ],
)
def test_bad_api_answers_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ReviewRequest.model_validate(body)


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        ("a\n", {"type": "accept", "args": None}),
        ("Approve", {"type": "accept", "args": None}),
        ("r", {"type": "ignore", "args": None}),
        ("e add a line about squids\n", {"type": "response", "args": "add a line about squids"}),
        ("e", None),
        ("maybe", None),
        ("", None),
    ],
)
def test_cli_answer_lines(line: str, answer: dict[str, Any] | None) -> None:
    assert parse_answer(line) == answer


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("looks good", "accept"),
        ("Looks good!", "accept"),
        ("LGTM, thanks", "accept"),
        ("ok", "accept"),
        ("Reject.", "ignore"),
        ("don't render", "ignore"),
        ("looks good but make it shorter", "response"),
        ("add a scene about squids", "response"),
    ],
)
def test_a_chat_message_answers_the_review(text: str, kind: str) -> None:
    answer = chat_answer(text)
    assert answer["type"] == kind
    assert answer["args"] == (text if kind == "response" else None)
    assert read_answer(text).kind == kind


def test_a_review_needs_a_resumable_run(tmp_path: Any) -> None:
    from reelgraph.graph.runner import run_job

    with pytest.raises(InvalidInput, match="resumable"):
        run_job("create", {"prompt": "Hi."}, {"review": True}, out_dir=tmp_path)
