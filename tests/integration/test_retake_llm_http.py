"""An unclear retake judged by a chat model through the real langchain-openai client over HTTP.

The stand-in OpenAI-compatible server of ``test_llm_http`` answers the confirmation; our side is
the production path: ``get_chat_model`` from settings, the prompt, parsing and the cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_llm_http import endpoint  # noqa: F401  (pytest fixture)
from tests.unit.test_disfluency import TAKES, _state

pytestmark = pytest.mark.integration


def reply(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-2",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": text},
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
    }


def test_the_model_over_http_confirms_an_unclear_retake(endpoint, tmp_path: Path) -> None:
    from reelgraph.graph.context import CaptionContext
    from reelgraph.nodes.disfluency import remove_disfluencies

    endpoint.script = [(200, reply("1\tyes"))]
    ctx = CaptionContext(remove_retakes=True)
    res = remove_disfluencies(_state(tmp_path, TAKES), ctx)
    said = " ".join(w["text"] for w in res["transcript"]["words"])
    assert said == "It's over now. The best way is to go."
    assert res["cache"]["retake_llm"] == "miss" and res["warnings"] == []
    req = endpoint.seen[0]
    assert req["path"] == "/v1/chat/completions" and req["model"] == "test-model"
    assert "retake" in req["messages"][0]["content"]
    assert "first take: It's over." in req["messages"][1]["content"]

    again = remove_disfluencies(_state(tmp_path, TAKES), ctx)  # cached: no second request
    assert again["cache"]["retake_llm"] == "hit" and len(endpoint.seen) == 1


def test_a_failing_model_keeps_the_takes_and_says_why(endpoint, tmp_path: Path) -> None:
    from reelgraph.graph.context import CaptionContext
    from reelgraph.nodes.disfluency import remove_disfluencies

    endpoint.script = [(500, {"error": {"message": "boom", "type": "server_error"}})]
    ctx = CaptionContext(remove_retakes=True, llm_model="flaky-model")  # nothing cached for it
    res = remove_disfluencies(_state(tmp_path, TAKES), ctx)
    said = " ".join(w["text"] for w in res["transcript"]["words"])
    assert endpoint.seen and endpoint.seen[0]["model"] == "flaky-model"
    assert said.startswith("It's over. It's over now.")  # the unclear one stays
    assert any("the chat model failed" in w for w in res["warnings"])
