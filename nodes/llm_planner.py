"""Planning with a chat model: structured output into a Plan, backoff, one repair, then give up."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from reelgraph.errors import LLMError, LLMUnavailable
from reelgraph.nodes.schemas import Plan
from reelgraph.prompts import load
from reelgraph.workers.engine.scripts import is_english, language_name

logger = logging.getLogger(__name__)

Sleep = Callable[[float], None]


def is_transient(exc: BaseException) -> bool:
    """429s, 5xx, timeouts and connection errors from the OpenAI client are worth retrying."""
    try:
        import openai
    except ImportError:  # pragma: no cover
        return False
    if isinstance(exc, openai.RateLimitError | openai.APITimeoutError | openai.APIConnectionError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return False


def as_llm_error(exc: BaseException) -> LLMError | None:
    """A user-facing error for an OpenAI client failure (None for anything else)."""
    try:
        import openai
    except ImportError:  # pragma: no cover
        return None
    if is_transient(exc):
        return LLMUnavailable(
            "The chat model endpoint stayed unreachable or overloaded after retries "
            f"({type(exc).__name__}); check OPENAI_BASE_URL, or unset it to plan offline."
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return LLMError("The chat model endpoint rejected the API key; check OPENAI_API_KEY.")
    if isinstance(exc, openai.NotFoundError):
        return LLMError(
            "The chat model endpoint does not know that model or route; check "
            "REELGRAPH_LLM_MODEL / --model and OPENAI_BASE_URL."
        )
    if isinstance(exc, openai.APIStatusError):
        return LLMError(
            f"The chat model endpoint refused the request (HTTP {exc.status_code}); "
            "check the model name and the endpoint."
        )
    if isinstance(exc, openai.APIError):
        return LLMError(f"The chat model endpoint failed ({type(exc).__name__}).")
    return None


def invoke_with_backoff(
    runnable: Any,
    messages: list[BaseMessage],
    *,
    retries: int,
    sleep: Sleep = time.sleep,
    base: float = 1.0,
) -> Any:
    """``runnable.invoke`` with jittered exponential backoff on transient endpoint errors.

    Other endpoint errors (and transient ones after the last retry) become an LLMError with a
    message a person can act on.
    """
    for attempt in range(retries + 1):
        try:
            return runnable.invoke(messages)
        except Exception as exc:
            if attempt >= retries or not is_transient(exc):
                mapped = as_llm_error(exc)
                if mapped is not None:
                    raise mapped from exc
                raise
            delay = min(30.0, base * 2**attempt) * (0.5 + random.random() / 2)
            logger.warning("LLM call failed (%s); retry %d in %.1fs", exc, attempt + 1, delay)
            sleep(delay)
    raise AssertionError("unreachable")


def build_messages(
    prompt: str, transcript: str | None, target_seconds: float, language: str | None = None
) -> list[BaseMessage]:
    """The system and user messages asking for a plan; ``language`` (not English) adds the
    ``plan_language`` instruction."""
    tpl = load("plan_script", "v2")
    block = (
        f"\nTranscript to keep (split it, do not rewrite it):\n{transcript}\n" if transcript else ""
    )
    text = tpl.format(
        prompt=prompt,
        transcript_block=block,
        target_seconds=str(round(target_seconds)),
        target_words=str(round(target_seconds * 2.5)),
    )
    if language and not is_english(language):
        text += "\n" + load("plan_language").format(
            language=language, language_name=language_name(language)
        )
    system = load("plan_system").text.strip()
    return [SystemMessage(content=system), HumanMessage(content=text)]


def plan_with_llm(
    model: Any,
    prompt: str,
    transcript: str | None,
    *,
    target_seconds: float,
    retries: int = 4,
    sleep: Sleep = time.sleep,
    language: str | None = None,
) -> tuple[Plan | None, list[str]]:
    """Return (plan, warnings); plan is None when the model's output stayed invalid."""
    structured = model.with_structured_output(Plan, method="function_calling", include_raw=True)
    messages = build_messages(prompt, transcript, target_seconds, language)
    warnings: list[str] = []
    for attempt in range(2):  # first try, then one repair
        out = invoke_with_backoff(structured, messages, retries=retries, sleep=sleep)
        parsed, raw, error = out.get("parsed"), out.get("raw"), out.get("parsing_error")
        if isinstance(parsed, Plan):
            if attempt:
                warnings.append("The model's first plan was invalid and was repaired.")
            return parsed, warnings
        logger.warning("plan output invalid (attempt %d): %s", attempt + 1, error)
        if attempt == 0:
            messages = [*messages, *_repair_messages(raw, error)]
    warnings.append("The model's plan was invalid twice; the offline planner was used instead.")
    return None, warnings


def _repair_messages(raw: Any, error: Any) -> list[BaseMessage]:
    repair = load("repair_plan").format(error=str(error or "no tool call was made")[:2000])
    msgs: list[BaseMessage] = []
    if isinstance(raw, AIMessage):
        msgs.append(raw)
        for call in raw.tool_calls or []:
            msgs.append(ToolMessage(content=repair, tool_call_id=call.get("id") or "call"))
        if raw.tool_calls:
            return msgs
    msgs.append(HumanMessage(content=repair))
    return msgs
