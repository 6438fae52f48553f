"""The review's interrupt value and answers, in the HumanInterrupt format.

LangGraph Studio, Agent Inbox and Agent Chat UI show an interrupt whose value is a list of
HumanInterrupt (``{action_request: {action, args}, config: {allow_accept, allow_edit,
allow_respond, allow_ignore}, description}``) and resume it with a list of HumanResponse
(``{type: accept | edit | response | ignore, args}``). ``review_request`` writes the one
request of a plan review; ``read_answer`` reads the answer (a HumanResponse, or a list of one),
as those clients and reelgraph's own API and CLI send it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from reelgraph.errors import InvalidInput

#: The action_request's name: what the person is asked to approve.
REVIEW_ACTION = "review_plan"
ANSWER_TYPES = ("accept", "edit", "response", "ignore")
#: The allowed answers: every one of the four.
REVIEW_CONFIG = {
    "allow_accept": True,
    "allow_edit": True,
    "allow_respond": True,
    "allow_ignore": True,
}


@dataclass(frozen=True)
class Answer:
    """One reviewer's answer: its kind and, for edit, the plan; for response, the message."""

    kind: Literal["accept", "edit", "response", "ignore"]
    plan: dict[str, Any] | None = None
    message: str = ""


def _describe(review: dict[str, Any], error: str) -> str:
    """The markdown the clients show above the buttons: the storyboard and the preview."""
    lines = [f"**Review the plan of '{review.get('title', '')}'** before the full render."]
    if error:
        lines.append(f"\n**That answer could not be used:** {error}")
    lines.append("")
    for item in review.get("storyboard") or []:
        lines.append(f"{item['scene']}. ({item['duration']:.1f} s) {item['narration']}")
    lines.append(f"\nDraft preview: {review.get('preview', '')}")
    lines.append(
        "\nAccept to render the full video, edit the plan, respond with a change to make "
        "(the plan is made again and shown here), or ignore to reject it."
    )
    return "\n".join(lines)


def review_request(review: dict[str, Any], plan: dict[str, Any], error: str = "") -> dict:
    """The HumanInterrupt of one plan review (``error``: why the last answer was refused)."""
    return {
        "action_request": {
            "action": REVIEW_ACTION,
            "args": {
                "plan": plan,
                "storyboard": review.get("storyboard") or [],
                "preview": review.get("preview"),
            },
        },
        "config": dict(REVIEW_CONFIG),
        "description": _describe(review, error),
    }


def _edited_plan(args: Any) -> dict[str, Any]:
    """The plan of an edit: args is an ActionRequest ``{action, args: {plan}}``, ``{plan}``,
    or the plan itself."""
    if isinstance(args, dict) and isinstance(args.get("args"), dict):
        args = args["args"]
    if isinstance(args, dict) and isinstance(args.get("plan"), dict):
        return dict(args["plan"])
    if isinstance(args, dict) and "scenes" in args:
        return dict(args)
    raise InvalidInput("An edit needs the changed plan in args.args.plan (title, scenes, mood).")


def read_answer(value: Any) -> Answer:
    """A HumanResponse (or a list holding one) as an ``Answer``; InvalidInput says what is wrong."""
    if isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict) or value.get("type") not in ANSWER_TYPES:
        raise InvalidInput(
            "Answer the review with {type: accept | edit | response | ignore, args}."
        )
    kind = value["type"]
    args = value.get("args")
    if kind == "edit":
        return Answer("edit", plan=_edited_plan(args))
    if kind == "response":
        if not isinstance(args, str) or not args.strip():
            raise InvalidInput("A response needs the change to make as text in args.")
        return Answer("response", message=args.strip())
    return Answer(kind)
