"""plan_script: the script and scene plan, from a chat model or the offline planner."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.runtime import Runtime

from reelgraph.errors import InvalidInput
from reelgraph.nodes.llm_planner import plan_with_llm
from reelgraph.nodes.models import get_chat_model
from reelgraph.nodes.offline_planner import plan_offline
from reelgraph.nodes.rundir import default_out_dir
from reelgraph.nodes.stage import stage
from reelgraph.settings import get_settings

if TYPE_CHECKING:  # types only: nodes never import graph at run time
    from reelgraph.graph.context import Context
    from reelgraph.graph.state import CreateState


logger = logging.getLogger(__name__)

#: Length the script is written for when the run asks for none (the video follows the speech).
DEFAULT_TARGET_S = 30.0


def prompt_of(state: Mapping[str, Any]) -> str:
    """The explicit prompt, else the last human chat message."""
    prompt = (state.get("prompt") or "").strip()
    if prompt:
        return prompt
    for msg in reversed(state.get("messages") or []):
        if isinstance(msg, HumanMessage) and isinstance(msg.content, str):
            return msg.content.strip()
    return ""


def read_transcript(value: str | None) -> str | None:
    """A transcript is text, or a path to a .txt file."""
    if not value:
        return None
    if len(value) < 4096 and "\n" not in value and value.endswith((".txt", ".md")):
        p = Path(value).expanduser()
        if not p.is_file():
            raise InvalidInput(f"The transcript file '{value}' does not exist.")
        return p.read_text("utf-8", errors="replace")
    return value


@stage
def plan_script(state: CreateState, runtime: Runtime[Context]) -> dict[str, Any]:
    settings = get_settings()
    prompt = prompt_of(state)
    transcript = read_transcript(state.get("transcript"))
    if not prompt and not transcript and not state.get("audio"):
        raise InvalidInput("The prompt is empty; describe the video or pass --transcript.")
    if len(prompt) > settings.max_prompt_chars or len(transcript or "") > settings.max_prompt_chars:
        raise InvalidInput(
            f"The prompt is longer than {settings.max_prompt_chars} characters; shorten it."
        )
    warnings: list[str] = []
    audio = state.get("audio")
    if not transcript and audio:
        transcript = _transcribe_user_audio(audio)
    target = float(runtime.context.duration or DEFAULT_TARGET_S)
    model = get_chat_model(runtime.context.llm_model)
    plan = None
    source = "offline"
    if model is not None:
        plan, warnings = plan_with_llm(
            model,
            prompt,
            transcript,
            target_seconds=target,
            retries=settings.llm_max_retries,
            language=runtime.context.language,
        )
        source = "llm" if plan is not None else "offline"
    if plan is None:
        plan, offline_warnings = plan_offline(prompt, transcript)
        warnings += offline_warnings
    summary = f"Planned '{plan.title}': {len(plan.scenes)} scenes, mood {plan.mood} ({source})."
    return {
        **default_out_dir(state),
        "plan": plan.model_dump(mode="json"),
        "warnings": warnings,
        "cache": {"plan_source": source},
        "messages": [AIMessage(content=summary)],
    }


def _transcribe_user_audio(audio: str) -> str:
    from reelgraph.workers.engine.asr import transcribe
    from reelgraph.workers.engine.audio import normalize_user_audio
    from reelgraph.workers.jobs.dispatch import dispatch

    norm = normalize_user_audio(audio)
    result = dispatch(transcribe, queue="gpu", audio=norm)
    text = " ".join(w["text"] for w in result["words"]).strip()
    if not text:
        raise InvalidInput("No speech was found in the --audio file; pass --transcript as well.")
    return text
