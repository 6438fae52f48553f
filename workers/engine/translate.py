"""Caption translation by a chat model, one numbered line per caption cue, timings untouched.

The model sees the cues as a numbered list and must answer with the same number of lines; a
reply that does not is asked for once more, then given up (``None``: the caller warns and
skips that language). Replies are a *conditional* cache entry keyed by the model name, the
prompt's hash (the prompt names the target language) and the texts, like ``correct``. The
prompt text is passed in (``prompts/translate_captions``) so that workers never import prompts;
``invoke`` lets the caller add its backoff around the model call.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from reelgraph.workers.engine.cache import get_cache, make_key
from reelgraph.workers.engine.correct import model_id, reply_text
from reelgraph.workers.engine.correct import numbered_lines as numbered_lines

logger = logging.getLogger(__name__)

NAMESPACE = "translate"
VERSION = 1
#: Cues sent in one request (long videos are translated in batches of this many).
BATCH = 80
MAX_CHARS = 500

Invoke = Callable[[list[Any]], Any]


def _ask(invoke: Invoke, prompt_text: str, texts: Sequence[str]) -> str:
    from langchain_core.messages import HumanMessage, SystemMessage

    listing = "\n".join(f"{i}\t{' '.join(t.split())}" for i, t in enumerate(texts, 1))
    return reply_text(invoke([SystemMessage(content=prompt_text), HumanMessage(content=listing)]))


def _batch(
    texts: Sequence[str], chat_model: Any, prompt_text: str, invoke: Invoke
) -> tuple[list[str] | None, bool]:
    params = {
        "v": VERSION,
        "model": model_id(chat_model),
        "prompt": hashlib.sha256(prompt_text.encode()).hexdigest(),
        "texts": list(texts),
    }
    key = make_key(NAMESPACE, params)
    cache = get_cache()
    hit = cache.get_json(NAMESPACE, key)
    if hit is not None:
        return list(hit), True
    for attempt in range(2):
        out = numbered_lines(_ask(invoke, prompt_text, texts), len(texts))
        if out is not None and all(len(t) <= MAX_CHARS for t in out):
            cache.put_json(NAMESPACE, key, out)
            return out, False
        logger.warning("translation reply %d did not keep the %d lines", attempt + 1, len(texts))
    return None, False


def translate_texts(
    texts: Sequence[str], chat_model: Any, prompt_text: str, invoke: Invoke | None = None
) -> dict[str, Any]:
    """``{"texts": [...] | None, "cache_hit": bool}``: one translation per text, in order."""
    call = invoke or chat_model.invoke
    out: list[str] = []
    hits = []
    for i in range(0, len(texts), BATCH):
        part, hit = _batch(texts[i : i + BATCH], chat_model, prompt_text, call)
        if part is None:
            return {"texts": None, "cache_hit": False}
        out += part
        hits.append(hit)
    return {"texts": out, "cache_hit": bool(hits) and all(hits)}
