"""Optional LLM correction of a transcript that keeps every word's timing.

The model sees the words as a numbered list and must return the same number of lines. When it
does, only the word texts change (start/end stay); when it does not, the transcript is kept as
it was and the result says why. Results are a *conditional* cache entry keyed by the model name,
the prompt's hash and the words. The prompt text is passed in (``prompts/correct_transcript``)
so that workers never import prompts; any langchain ``BaseChatModel`` works.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

from reelgraph.workers.engine.cache import get_cache, make_key

logger = logging.getLogger(__name__)

NAMESPACE = "correct"
VERSION = 1
MAX_WORDS = 4000
_LINE = re.compile(r"^\s*(\d+)\s*[\t:.)\-]\s*(.*?)\s*$")


def model_id(chat_model: Any) -> str:
    """A stable name for ``chat_model`` for the cache key (its model name, else its class)."""
    for attr in ("model_name", "model", "model_id"):
        value = getattr(chat_model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(chat_model).__name__


def numbered(words: list[dict[str, Any]]) -> str:
    return "\n".join(f"{i}\t{w['text']}" for i, w in enumerate(words, 1))


def numbered_lines(text: str, expected: int) -> list[str] | None:
    """The texts of a numbered reply (``1<TAB>text``) in order, or None unless it has exactly
    the lines 1..``expected``, none empty."""
    found: dict[int, str] = {}
    for line in text.strip().strip("`").splitlines():
        m = _LINE.match(line)
        if m and m.group(2):
            found[int(m.group(1))] = m.group(2)
    if sorted(found) != list(range(1, expected + 1)):
        return None
    return [found[i] for i in range(1, expected + 1)]


def parse_numbered(text: str, expected: int) -> list[str] | None:
    """The corrected words in order, or None when the reply does not have ``expected`` lines."""
    out = numbered_lines(text, expected)
    if out is None:
        return None
    if any(len(w.split()) != 1 or len(w) > 200 for w in out):
        return None
    return out


def _ask(chat_model: Any, prompt_text: str, words: list[dict[str, Any]]) -> str:
    from langchain_core.messages import HumanMessage, SystemMessage

    reply = chat_model.invoke(
        [SystemMessage(content=prompt_text), HumanMessage(content=numbered(words))]
    )
    return reply_text(reply)


def reply_text(reply: Any) -> str:
    """The text of a chat model's reply (a message, content blocks, or a string)."""
    content = reply.content if hasattr(reply, "content") else reply
    if isinstance(content, list):  # content blocks
        content = "".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content)
    return str(content)


def correct_words(words: list[dict[str, Any]], chat_model: Any, prompt_text: str) -> dict[str, Any]:
    """``{"words", "changed": int, "applied": bool, "reason", "cache_hit"}``; timings kept."""
    if not words:
        return {"words": [], "changed": 0, "applied": False, "reason": "empty", "cache_hit": False}
    if len(words) > MAX_WORDS:
        return {
            "words": words,
            "changed": 0,
            "applied": False,
            "reason": f"more than {MAX_WORDS} words",
            "cache_hit": False,
        }
    params = {
        "v": VERSION,
        "model": model_id(chat_model),
        "prompt": hashlib.sha256(prompt_text.encode()).hexdigest(),
        "words": [w["text"] for w in words],
    }
    key = make_key(NAMESPACE, params)
    cache = get_cache()
    texts = cache.get_json(NAMESPACE, key)
    hit = texts is not None
    if texts is None:
        texts = parse_numbered(_ask(chat_model, prompt_text, words), len(words))
        if texts is None:
            logger.warning("transcript correction ignored: the reply's word count differs")
            return {
                "words": words,
                "changed": 0,
                "applied": False,
                "reason": "the model changed the number of words",
                "cache_hit": False,
            }
        cache.put_json(NAMESPACE, key, texts)
    out = [{**w, "text": t} for w, t in zip(words, texts, strict=True)]
    changed = sum(1 for w, t in zip(words, texts, strict=True) if w["text"] != t)
    return {"words": out, "changed": changed, "applied": True, "reason": "", "cache_hit": hit}
