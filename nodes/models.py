"""The only place a chat model is built."""

from __future__ import annotations

from typing import Any

from reelgraph.settings import get_settings


def get_chat_model(model: str | None = None) -> Any | None:
    """A langchain-openai chat model for the configured endpoint, or None when none is set.

    Works with any OpenAI-compatible server (set OPENAI_BASE_URL; the key may be any string
    for servers that need none). Retries are done by the planner with its own backoff.
    """
    s = get_settings()
    if not s.llm_configured:
        return None
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=model or s.llm_model,
        api_key=s.openai_api_key or "not-needed",  # type: ignore[arg-type]
        base_url=s.openai_base_url,
        timeout=s.llm_timeout_s,
        max_retries=0,
        temperature=0.7,
    )
