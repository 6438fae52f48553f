"""The review's interrupt value and answers, in the HumanInterrupt format.

LangGraph Studio, Agent Inbox and Agent Chat UI show an interrupt whose value is a list of
HumanInterrupt (``{action_request: {action, args}, config: {allow_accept, allow_edit,
allow_respond, allow_ignore}, description}``) and resume it with a list of HumanResponse
(``{type: accept | edit | response | ignore, args}``). ``review_request`` writes the one
request of a plan review; ``read_answer`` reads the answer (a HumanResponse, or a list of one),
as those clients and reelgraph's own API and CLI send it. A plain chat message is an answer too
(``chat_answer``): "looks good" approves, "reject" rejects, anything else asks for that change.
"""

from __future__ import annotations

import re
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


#: Chat messages that approve the plan as it is (compared without case and punctuation).
APPROVALS = frozenset(
    [
        "looks good",
        "look good",
        "looks great",
        "lgtm",
        "approve",
        "approved",
        "ok",
        "okay",
        "yes",
        "go",
        "go ahead",
        "ship it",
        "render",
        "render it",
        "perfect",
        "great",
        "fine",
        "sounds good",
        "good",
        "accept",
    ]
)
#: Chat messages that reject the plan.
REJECTIONS = frozenset(
    ["reject", "rejected", "cancel", "discard", "no", "do not render", "dont render"]
)
_POLITE = re.compile(r"\b(thanks|thank you|please)\b")


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


def chat_answer(text: str) -> dict[str, Any]:
    """The HumanResponse a chat message stands for: "looks good" (and other plain approvals)
    accepts, "reject" (and the like) ignores, any other text is a change to make."""
    words = " ".join(re.sub(r"[^\w\s]", " ", _POLITE.sub(" ", text.lower())).split())
    words = words.replace("don t", "dont")
    if words in APPROVALS:
        return {"type": "accept", "args": None}
    if words in REJECTIONS:
        return {"type": "ignore", "args": None}
    return {"type": "response", "args": text.strip()}


def read_answer(value: Any) -> Answer:
    """A HumanResponse (or a list holding one, or a chat message) as an ``Answer``;
    InvalidInput says what is wrong."""
    if isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, str) and value.strip():
        value = chat_answer(value)
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
