"""The planner through the real langchain-openai client over real HTTP.

A local stand-in for an OpenAI-compatible server answers /v1/chat/completions with scripted
real responses (a Plan tool call, a 429, a 401); everything on our side is the production path:
``nodes.models.get_chat_model`` from settings, structured output, backoff and error mapping.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from reelgraph.errors import LLMError
from reelgraph.nodes.llm_planner import plan_with_llm
from reelgraph.nodes.models import get_chat_model

pytestmark = pytest.mark.integration

PLAN = {
    "title": "Octopus facts",
    "scenes": [
        {
            "narration": "Octopuses have three hearts.",
            "visual": "an octopus",
            "keywords": ["octopus"],
            "emphasis": ["three"],
            "pacing": "normal",
        },
        {
            "narration": "Their blood is blue.",
            "visual": "blue blood",
            "keywords": ["blood"],
            "emphasis": ["blue"],
            "pacing": "slow",
        },
    ],
    "mood": "calm",
    "hashtags": ["octopus"],
}


def completion(tool_args: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "Plan", "arguments": json.dumps(tool_args)},
                        }
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


class _Endpoint(BaseHTTPRequestHandler):
    script: ClassVar[list[tuple[int, dict[str, Any]]]] = []
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
        self.seen.append({"path": self.path, "auth": self.headers.get("authorization"), **body})
        status, payload = self.script.pop(0)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def endpoint(settings_env) -> Iterator[type[_Endpoint]]:
    _Endpoint.script, _Endpoint.seen = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings_env(
        OPENAI_BASE_URL=f"http://127.0.0.1:{server.server_address[1]}/v1",
        OPENAI_API_KEY="sk-test",
        REELGRAPH_LLM_MODEL="test-model",
    )
    yield _Endpoint
    server.shutdown()


def test_plan_from_a_real_client_call(endpoint) -> None:
    endpoint.script = [(200, completion(PLAN))]
    plan, warnings = plan_with_llm(get_chat_model(), "octopus facts", None, target_seconds=20)
    assert (
        plan is not None
        and [s.narration for s in plan.scenes]
        == [
            "Octopuses have three hearts.",
            "Their blood is blue.",
        ]
        and warnings == []
    )
    req = endpoint.seen[0]
    assert req["path"] == "/v1/chat/completions" and req["model"] == "test-model"
    assert req["auth"] == "Bearer sk-test"
    assert req["tools"][0]["function"]["name"] == "Plan"
    assert "octopus facts" in req["messages"][-1]["content"]


def test_invalid_plan_is_repaired_over_http(endpoint) -> None:
    endpoint.script = [(200, completion({"title": "x", "scenes": []})), (200, completion(PLAN))]
    plan, warnings = plan_with_llm(get_chat_model(), "octopus", None, target_seconds=20)
    assert plan is not None and any("repaired" in w for w in warnings)
    repair = endpoint.seen[1]["messages"]
    assert repair[-1]["role"] == "tool" and "scenes" in repair[-1]["content"]


def test_429_is_retried_and_401_is_actionable(endpoint) -> None:
    limited = {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}
    endpoint.script = [(429, limited), (429, limited), (200, completion(PLAN))]
    slept: list[float] = []
    plan, _ = plan_with_llm(get_chat_model(), "x", None, target_seconds=20, sleep=slept.append)
    assert plan is not None and len(slept) == 2 and len(endpoint.seen) == 3
    endpoint.script = [
        (401, {"error": {"message": "Incorrect API key", "type": "invalid_request"}})
    ]
    with pytest.raises(LLMError, match="OPENAI_API_KEY"):
        plan_with_llm(get_chat_model(), "x", None, target_seconds=20, sleep=slept.append)
