"""The clips flow scored by a chat model through the real langchain-openai client over HTTP.

A local stand-in for an OpenAI-compatible server reads the candidates out of each request and
answers with scripted ``ClipScores`` tool calls: first one naming an id that is no candidate
(the flow repairs it), then scores that rank the chess topic first and the bees topic second
(the heuristic alone ranks them otherwise).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.fixtures_talk import long_talk, talk_dir  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.integration

OPTIONS = {"count": 2, "min_seconds": 6, "max_seconds": 16, "width": 180, "height": 320}
FAVOURITES = {"Chess": 10, "Why": 9}  # candidates opening with these words, scored high


def tool_call(args: dict[str, Any]) -> dict[str, Any]:
    call = {"id": "call_1", "type": "function", "function": {"name": "ClipScores"}}
    call["function"]["arguments"] = json.dumps(args)  # type: ignore[index]
    message = {"role": "assistant", "content": None, "tool_calls": [call]}
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": message}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def scores_for(listing: str, extra_id: int | None = None) -> dict[str, Any]:
    """Scripted scores of the candidates in ``listing`` (``[id] a-b s: text`` lines)."""
    clips = []
    for cid, text in re.findall(r"^\[(\d+)\] [0-9.]+-[0-9.]+ s: (.*)$", listing, re.M):
        word = text.split()[0]
        score = FAVOURITES.get(word, 1)
        clips.append(
            {
                "id": int(cid),
                "hook": score,
                "completeness": score,
                "value": score,
                "title": f"All about {word.lower()}",
                "opening": f"{word}, in one minute",
                "reason": "A whole story." if score > 1 else "Starts mid-thought.",
            }
        )
    if extra_id is not None:
        clips.append({**clips[0], "id": extra_id})
    return {"clips": clips}


class _Endpoint(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
        self.seen.append({"path": self.path, **body})
        listing = next(m["content"] for m in body["messages"] if m["role"] == "user")
        first = len(self.seen) == 1  # the first answer names an id that is no candidate
        data = json.dumps(tool_call(scores_for(listing, 999 if first else None))).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def endpoint(settings_env: Any) -> Iterator[type[_Endpoint]]:
    _Endpoint.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings_env(
        OPENAI_BASE_URL=f"http://127.0.0.1:{server.server_address[1]}/v1",
        OPENAI_API_KEY="sk-test",
        REELGRAPH_LLM_MODEL="test-model",
    )
    yield _Endpoint
    server.shutdown()


def test_the_chat_model_ranks_the_clips(endpoint: Any, long_talk: Path, tmp_path: Path) -> None:
    from reelgraph.graph.clips import run_clips

    res = run_clips({"source": str(long_talk)}, OPTIONS, out_dir=tmp_path / "a")
    doc = json.loads(Path(res["artifacts"]["clips.json"]).read_text())
    assert doc["scoring"]["method"] == "llm" and doc["scoring"]["model"] == "test-model"
    first, second = doc["clips"]
    assert first["text"].startswith("Chess") and second["text"].startswith("Why do bees")
    assert first["title"] == "All about chess" and first["hook"] == "Chess, in one minute"
    assert first["scored_by"] == "llm" and first["score"] == 1.0
    assert first["scores"] == {"hook": 10, "completeness": 10, "value": 10}
    assert any("repaired" in w for w in res["warnings"])
    assert len(endpoint.seen) == 2  # the answer, then its repair
    req, repair = endpoint.seen
    assert req["path"] == "/v1/chat/completions" and req["model"] == "test-model"
    assert req["tools"][0]["function"]["name"] == "ClipScores"
    assert repair["messages"][-1]["role"] == "tool"
    assert "[999] are not candidates" in repair["messages"][-1]["content"]

    again = run_clips({"source": str(long_talk)}, OPTIONS, out_dir=tmp_path / "b")
    assert len(endpoint.seen) == 2  # the scores come from the cache
    assert again["report"]["cache"]["clip_scores"] == "hit"
    assert json.loads(Path(again["artifacts"]["clips.json"]).read_text())["clips"] == doc["clips"]
