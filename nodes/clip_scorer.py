"""Scoring candidate clips with the chat model: structured output, validated, cached, retried.

The model sees the candidates (``[id] start-end s: text``) and calls the ``ClipScores`` tool with
a hook, completeness and value score (0..10), a title, an opening line and a reason for each.
The answer is validated (the schema, then every id a candidate's, each once); an invalid one
gets one repair turn, and a second invalid one gives ``None`` so that the caller falls back to
the heuristic. Endpoint errors are retried with backoff (``llm_planner.invoke_with_backoff``).
Valid scores are a conditional cache entry keyed by the model, the prompts and the candidates.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel, Field, ValidationError

from reelgraph.nodes.llm_planner import invoke_with_backoff
from reelgraph.prompts import load
from reelgraph.workers.engine.cache import get_cache, make_key
from reelgraph.workers.engine.correct import model_id

logger = logging.getLogger(__name__)

NAMESPACE = "clip_scores"
VERSION = 1
PROMPT, REPAIR = ("score_clips", "v1"), ("repair_clips", "v1")


class ClipScore(BaseModel):
    """The model's judgement of one candidate clip."""

    id: int = Field(ge=1, description="The candidate's id.")
    hook: int = Field(ge=0, le=10, description="0..10: do the first seconds grab a viewer?")
    completeness: int = Field(ge=0, le=10, description="0..10: does it stand on its own?")
    value: int = Field(ge=0, le=10, description="0..10: what a viewer gets from it.")
    title: str = Field(min_length=1, max_length=100, description="At most 8 words.")
    opening: str = Field(min_length=1, max_length=200, description="Teaser opening line.")
    reason: str = Field(min_length=1, max_length=400, description="One sentence: why.")

    @property
    def score(self) -> float:
        """The three scores together, 0..1."""
        return round((self.hook + self.completeness + self.value) / 30, 4)


class ClipScores(BaseModel):
    """Scores of the candidate clips, one entry per candidate id."""

    clips: list[ClipScore] = Field(min_length=1, max_length=200)


def candidate_lines(candidates: Sequence[dict[str, Any]]) -> str:
    return "\n".join(
        f"[{c['id']}] {c['start']:.1f}-{c['end']:.1f} s: {c['text']}" for c in candidates
    )


def check_ids(scores: ClipScores, ids: set[int]) -> str | None:
    """What is wrong with the ids of ``scores`` (None when each is a candidate's, once)."""
    got = [c.id for c in scores.clips]
    unknown = sorted(set(got) - ids)
    if unknown:
        return f"ids {unknown} are not candidates; the candidate ids are {sorted(ids)}"
    doubled = sorted({i for i in got if got.count(i) > 1})
    return f"ids {doubled} were scored more than once" if doubled else None


def _repair(raw: Any, error: str) -> list[BaseMessage]:
    text = load(*REPAIR).format(error=error[:2000])
    if isinstance(raw, AIMessage) and raw.tool_calls:
        calls = [
            ToolMessage(content=text, tool_call_id=c.get("id") or "call") for c in raw.tool_calls
        ]
        return [raw, *calls]
    return [HumanMessage(content=text)]


def _ask(
    model: Any,
    messages: list[BaseMessage],
    ids: set[int],
    retries: int,
    sleep: Callable[[float], None],
) -> tuple[ClipScores | None, list[str]]:
    structured = model.with_structured_output(
        ClipScores, method="function_calling", include_raw=True
    )
    for attempt in range(2):  # first try, then one repair
        out = invoke_with_backoff(structured, messages, retries=retries, sleep=sleep)
        parsed, raw = out.get("parsed"), out.get("raw")
        error = str(out.get("parsing_error") or "no ClipScores tool call was made")
        if isinstance(parsed, ClipScores):
            problem = check_ids(parsed, ids)
            if problem is None:
                repaired = ["The model's first scores were invalid and were repaired."]
                return parsed, repaired if attempt else []
            error = problem
        logger.warning("clip scores invalid (attempt %d): %s", attempt + 1, error)
        messages = [*messages, *_repair(raw, error)]
    return None, ["The model's clip scores were invalid twice; the heuristic scored the clips."]


def score_with_llm(
    model: Any,
    candidates: Sequence[dict[str, Any]],
    *,
    count: int,
    min_seconds: float,
    max_seconds: float,
    retries: int = 4,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[dict[int, ClipScore] | None, list[str], bool]:
    """(scores by candidate id or None, warnings, cache hit) for ``candidates``.

    Each candidate is ``{"id", "start", "end", "text"}``.
    """
    system = load(*PROMPT).format(
        count=str(count), min_seconds=f"{min_seconds:g}", max_seconds=f"{max_seconds:g}"
    )
    params = {
        "v": VERSION,
        "model": model_id(model),
        "prompts": [load(*PROMPT).sha256, load(*REPAIR).sha256],
        "system": system,
        "candidates": [[c["id"], c["start"], c["end"], c["text"]] for c in candidates],
    }
    key = make_key(NAMESPACE, params)
    cache = get_cache()
    hit = cache.get_json(NAMESPACE, key)
    if hit is not None:
        try:
            cached = ClipScores.model_validate(hit)
            return {c.id: c for c in cached.clips}, [], True
        except ValidationError:
            logger.warning("cached clip scores %s are invalid; asking again", key[:12])
    messages: list[BaseMessage] = [
        SystemMessage(content=system),
        HumanMessage(content=candidate_lines(candidates)),
    ]
    parsed, warnings = _ask(model, messages, {int(c["id"]) for c in candidates}, retries, sleep)
    if parsed is None:
        return None, warnings, False
    cache.put_json(NAMESPACE, key, parsed.model_dump(mode="json"))
    return {c.id: c for c in parsed.clips}, warnings, False
