"""edit_plan: a follow-up message on a thread edits the current plan and options.

With a chat model configured an agent with typed plan-editing tools reads the message
(``nodes/edit_agent.py``); without one the offline intent parser does (``nodes/intents.py``).
Both produce the same operations, applied and validated by ``nodes/plan_edits.py``; neither
writes the spec. A message that maps to nothing gets a reply saying what can be changed and the
turn ends there, nothing changed. Otherwise the later stages run again, each skipped when its
inputs did not change (``nodes/stage.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.runtime import Runtime

from reelgraph.errors import InvalidInput, ReelgraphError
from reelgraph.nodes.intents import HELP, parse_message
from reelgraph.nodes.models import get_chat_model
from reelgraph.nodes.plan_edits import Edit, apply_edits
from reelgraph.nodes.stage import TURN_RESET, stage
from reelgraph.settings import get_settings

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import Context
    from reelgraph.graph.state import CreateState

logger = logging.getLogger(__name__)

#: The turn-scoped fields a new message starts afresh.
TURN_START: dict[str, Any] = {
    "timings": {TURN_RESET: True},
    "cache": {TURN_RESET: True},
    "warnings": [TURN_RESET],
    "reused": [TURN_RESET],
    "attachments": [],
}


def route_start(state: Mapping[str, Any]) -> str:
    """A thread that already has a plan edits it; a new one plans from scratch."""
    return "edit" if state.get("plan") else "plan"


def route_after_edit(state: Mapping[str, Any]) -> str:
    """Render again only when the message changed something."""
    return "edited" if (state.get("turn") or {}).get("changed") else "unchanged"


def last_request(state: Mapping[str, Any]) -> str:
    """The text of the newest human message."""
    for msg in reversed(state.get("messages") or []):
        if isinstance(msg, HumanMessage):
            content = msg.content
            if isinstance(content, list):  # content blocks (Studio): their text parts
                content = " ".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
            return str(content).strip()
    return ""


def current_edit(state: Mapping[str, Any], context: Any) -> Edit:
    """The last rendered version's plan and options (a failed turn's edits are dropped)."""
    versions = list(state.get("versions") or [])
    last = versions[-1] if versions else None
    plan = last["plan"] if last else state["plan"]
    overrides = (last.get("options") if last else state.get("option_overrides")) or {}
    return Edit(
        plan=plan,
        overrides=dict(overrides),
        context=context.model_dump(),
        versions=versions,
        attachments=list(state.get("attachments") or []),
        narration_s=float((state.get("narration") or {}).get("duration") or 0.0),
        parent=len(versions) or None,
    )


def offline_edit(text: str, edit: Edit, options_model: type[Any]) -> tuple[Edit | None, str]:
    """The intent parser's edit, or None and a reply saying why nothing changed."""
    parsed = parse_message(text, len(edit.attachments))
    if not parsed.ops:
        return None, f"I could not map that to an edit; nothing changed. {HELP}"
    try:
        done = apply_edits(parsed.ops, edit, options_model)
    except InvalidInput as exc:
        return None, f"{exc.message} Nothing changed."
    note = f" (I did not understand: {'; '.join(parsed.unknown)}.)" if parsed.unknown else ""
    return done, note


@stage(thread_options=False)
def edit_plan(state: CreateState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    text = last_request(state)
    edit = current_edit(state, ctx)
    model = get_chat_model(ctx.llm_model)
    warnings: list[str] = []
    done: Edit | None = None
    if model is not None:
        from reelgraph.nodes.edit_agent import edit_with_agent

        try:
            done, note = edit_with_agent(model, text, edit, type(ctx))
        except ReelgraphError as exc:
            logger.warning("the edit agent failed (%s); using the intent parser", exc)
            warnings.append(f"The chat model failed ({exc.code}); the offline parser read it.")
            model = None
    if model is None:
        done, note = offline_edit(text, edit, type(ctx))
    start = {**TURN_START, "warnings": [TURN_RESET, *warnings]}
    if done is None:
        return {
            **start,
            "recomputed": [TURN_RESET],
            "turn": {"changed": [], "request": text[:500]},
            "messages": [AIMessage(content=note)],
        }
    version = len(edit.versions) + 1
    return {
        **start,
        **_version_dir(state, version),
        "recomputed": [TURN_RESET, "edit_plan"],
        "plan": done.plan,
        "option_overrides": done.overrides,
        "turn": {
            "version": version,
            "parent": done.parent,
            "changed": done.changed,
            "restored": done.restored,
            "request": text[:500],
            "note": note,
        },
    }


def _version_dir(state: Mapping[str, Any], version: int) -> dict[str, str]:
    """In LangGraph Studio (artifacts under storage/studio/<thread>) each version gets v<N>/."""
    out = state.get("out_dir")
    studio = get_settings().storage_dir / "studio"
    if not out:
        return {}
    path = Path(out)
    thread = (
        path if path.parent == studio else path.parent if path.parent.parent == studio else None
    )
    if thread is None:
        return {}
    target = thread / f"v{version}"
    target.mkdir(parents=True, exist_ok=True)
    return {"out_dir": str(target)}
