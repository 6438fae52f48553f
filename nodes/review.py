"""[review] (create flow): stop after planning for a person to approve, edit or reject the plan.

When the run's ``review`` option is on, the graph goes from ``compose_spec`` to
``preview_plan`` (storyboard thumbnails and a draft preview of the very spec the full render
will use, at most 640 px on the long side) and then to ``review_plan``, which calls LangGraph's
``interrupt`` with a HumanInterrupt (the format LangGraph Studio, Agent Inbox and Agent Chat UI
show) and maps the HumanResponse it is resumed with:

- ``accept``: on to the full render;
- ``edit``: its args carry a changed plan (``nodes.schemas.Plan``); narration, music, captions
  and the spec are made again from it and the full render follows (an edit is an approval of the
  edited plan);
- ``response``: a chat message asking for a change; ``apply_review_message`` re-plans with it
  and the run stops for review again with a new storyboard and preview;
- ``ignore``: the plan is rejected and the run ends without rendering.

The HumanResponse shapes are in ``read_answer``; the human interface pieces (the interrupt's
value) in ``nodes.review_request``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import ValidationError

from reelgraph.errors import InvalidInput
from reelgraph.nodes.compose import timeline
from reelgraph.nodes.review_request import Answer, read_answer, review_request
from reelgraph.nodes.schemas import Plan
from reelgraph.nodes.stage import stage
from reelgraph.workers.jobs.dispatch import dispatch

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import Context
    from reelgraph.graph.state import CreateState

#: How many unusable answers (a plan that does not validate) are asked again before failing.
MAX_ANSWERS = 5
#: The long side of a storyboard thumbnail, in px.
THUMB_MAX_SIDE = 320


def route_to_review(state: dict[str, Any], runtime: Runtime[Any]) -> str:
    """preview_plan when the run asks for a review and the plan is not approved yet; else
    straight on to render."""
    wanted = runtime is not None and bool(getattr(runtime.context, "review", False))
    review = state.get("review") or {}
    # an approval holds for the plan it approved: a later run on the thread with another plan
    # (a follow-up message) is reviewed again
    approved = review.get("status") == "approved" and review.get("approved_plan") == state.get(
        "plan"
    )
    return preview_plan.__name__ if wanted and not approved else "render"


def route_after_review(state: dict[str, Any], *, then: str, replan: str) -> str:
    """``then`` (the render) after an approval, ``replan`` (the node after plan_script) after
    an edit or a chat message, the end after a rejection."""
    decision = (state.get("review") or {}).get("decision")
    if decision == "ignore":
        return END
    return replan if decision in ("edit", "response") else then


def scene_spans(state: Mapping[str, Any]) -> list[tuple[float, float]]:
    """(start, duration) of each scene on the video's timeline (as compose_spec lays it out)."""
    total = float(state["spec"]["duration"])
    spans = timeline(total, state["narration"]["scenes"], 0)
    out, t = [], 0.0
    for span in spans:
        out.append((round(t, 3), round(span, 3)))
        t += span
    return out


@stage
def preview_plan(state: CreateState, runtime: Runtime[Context]) -> dict[str, Any]:
    """The storyboard (a thumbnail per scene) and a draft preview of the spec, in review/."""
    from reelgraph.workers.engine.preview import preview_size, preview_spec
    from reelgraph.workers.engine.render import render_spec
    from reelgraph.workers.engine.thumbnail import make_thumbnail

    folder = Path(state["out_dir"]) / "review"
    folder.mkdir(parents=True, exist_ok=True)
    spec = preview_spec(state["spec"])
    preview = dispatch(render_spec, queue="gpu", spec=spec, out_path=str(folder / "preview.mp4"))
    scenes = state["plan"]["scenes"]
    thumb = preview_size(spec["output"]["width"], spec["output"]["height"], THUMB_MAX_SIDE)
    storyboard = []
    for i, (start, duration) in enumerate(scene_spans(state)):
        jpg = folder / f"scene-{i + 1:02d}.jpg"
        make_thumbnail(preview["path"], str(jpg), start + duration / 2, size=thumb)
        storyboard.append(
            {
                "scene": i + 1,
                "narration": scenes[i]["narration"],
                "visual": scenes[i].get("visual", ""),
                "start": start,
                "duration": duration,
                "thumbnail": str(jpg),
            }
        )
    previous = state.get("review") or {}
    review = {
        "status": "pending",
        "round": int(previous.get("round") or 0) + 1,
        "storyboard": storyboard,
        "preview": preview["path"],
        "preview_size": [spec["output"]["width"], spec["output"]["height"]],
        "duration": float(state["spec"]["duration"]),
        "title": state["plan"]["title"],
    }
    return {"review": review, "cache": {"preview": "hit" if preview["cache_hit"] else "miss"}}


def review_plan(state: CreateState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Stop for the person: a HumanInterrupt; resumed with a HumanResponse (see module doc)."""
    error = ""
    for _ in range(MAX_ANSWERS):
        value = interrupt([review_request(state["review"], state["plan"], error)])
        try:
            answer = read_answer(value)
            return _apply(answer, state, runtime)
        except InvalidInput as exc:
            error = str(exc)  # asked again, saying what was wrong
    raise InvalidInput(f"The review got {MAX_ANSWERS} unusable answers; the last: {error}")


def _apply(answer: Answer, state: CreateState, runtime: Runtime[Context]) -> dict[str, Any]:
    review = {**state["review"], "decision": answer.kind}
    if answer.kind == "accept":
        note = "Plan approved; rendering the full video."
        approved = {"status": "approved", "approved_plan": state["plan"]}
        return {"review": review | approved, "messages": [AIMessage(content=note)]}
    if answer.kind == "ignore":
        note = "Plan rejected; no video was rendered."
        return {"review": review | {"status": "rejected"}, "messages": [AIMessage(content=note)]}
    if answer.kind == "edit":
        plan = validate_plan(answer.plan)
        note = f"Plan edited ({len(plan['scenes'])} scenes); rendering the full video."
        return {
            "plan": plan,
            "review": review | {"status": "approved", "edited": True, "approved_plan": plan},
            "messages": [AIMessage(content=note)],
        }
    update = apply_review_message(state, answer.message, runtime)
    return update | {"review": review | {"status": "changes_requested"}}


def validate_plan(plan: Any) -> dict[str, Any]:
    """``plan`` checked by ``nodes.schemas.Plan``; InvalidInput names the first problem."""
    try:
        return Plan.model_validate(plan).model_dump(mode="json")
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc") or ()) or "plan"
        msg = str(err.get("msg", "is invalid")).removeprefix("Value error, ")
        raise InvalidInput(f"The edited plan is not valid: {where}: {msg}.") from None


def apply_review_message(
    state: CreateState, message: str, runtime: Runtime[Context]
) -> dict[str, Any]:
    """The seam where a reviewer's chat message ("make it shorter") changes the plan.

    Today it re-plans with the message appended to the prompt (a chat model reads it as a
    request; the offline planner, which narrates the prompt's own text, adds it as narration).
    A chat intent parser that edits the plan replaces this function; the update it returns
    (plan, prompt, messages, warnings) is what the graph needs.
    """
    from reelgraph.nodes.plan import plan_script, prompt_of

    text = " ".join(message.split())
    if not text:
        raise InvalidInput("The review message is empty; say what to change.")
    prompt = f"{prompt_of(state)}\n{text}".strip()
    update = plan_script({**state, "prompt": prompt}, runtime)
    keep = ("plan", "warnings", "cache", "messages", "timings")
    out = {k: update[k] for k in keep if k in update}
    if out.get("plan") == state.get("plan"):
        out["warnings"] = [
            *out.get("warnings", []),
            "The review message did not change the plan (without a chat model a transcript is "
            "narrated as it is); edit the plan instead.",
        ]
    out["messages"] = [HumanMessage(content=text), *out.get("messages", [])]
    return out | {"prompt": prompt}
