"""A fake chat model that returns scripted real messages through LangChain's real parsing path."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage


class ScriptedChatModel(GenericFakeChatModel):
    """Returns the scripted messages in order; bind_tools works so with_structured_output does.

    Items may be AIMessages or exceptions (raised when their turn comes).
    """

    calls: list[list[BaseMessage]] = []  # noqa: RUF012 - pydantic field, reset per instance

    @classmethod
    def scripted(cls, items: Sequence[AIMessage | Exception]) -> ScriptedChatModel:
        model = cls(messages=iter(list(items)))
        model.calls = []
        return model

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self.calls.append(list(messages))
        nxt = next(self.messages)  # type: ignore[call-overload]
        if isinstance(nxt, Exception):
            raise nxt
        self.messages = _prepend(nxt, self.messages)  # hand the item to the parent unchanged
        return super()._generate(messages, *args, **kwargs)


def _prepend(item: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield item
    yield from rest


def plan_call(plan: dict[str, Any], call_id: str = "call_1") -> AIMessage:
    """An AIMessage calling the Plan tool with ``plan`` as arguments."""
    return AIMessage(content="", tool_calls=[{"name": "Plan", "args": plan, "id": call_id}])


class StandInChatServer:
    """A local stand-in for an OpenAI-compatible ``/v1/chat/completions`` endpoint.

    A request offering tools gets ``plan`` back as a call of its first tool (the planner's
    structured output); any other request is answered like a translator: each ``N<TAB>text``
    line of the last user message comes back as ``N<TAB>translate(language, text)``, the
    language being the code the system prompt names (``language code de``). Every request body
    is kept in ``seen``. Use it as a context manager; ``base_url`` is the ``/v1`` root.

    ``script`` answers the requests that offer other tools than the planner's ``Plan`` (the
    edit_plan agent's) in order: each item is ``{"tool_calls": [(name, args), ...]}`` or
    ``{"content": "..."}``.
    """

    def __init__(
        self, plan: dict[str, Any], translate: Any, script: list[dict[str, Any]] | None = None
    ) -> None:
        import json
        import re
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.plan, self.translate, self.seen = plan, translate, []
        self.script = list(script or [])
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
                server.seen.append(body)
                data = json.dumps(server.answer(body, re)).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self.base_url = f"http://127.0.0.1:{self._http.server_address[1]}/v1"

    def answer(self, body: dict[str, Any], re: Any) -> dict[str, Any]:
        import json

        message: dict[str, Any] = {"role": "assistant", "content": None}
        tools = [t["function"]["name"] for t in body.get("tools") or []]
        if tools and tools[0] != "Plan" and self.script:
            message.update(self._scripted(self.script.pop(0), json))
        elif body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            call = {"name": name, "arguments": json.dumps(self.plan)}
            message["tool_calls"] = [{"id": "call_1", "type": "function", "function": call}]
        else:
            system = " ".join(str(m.get("content")) for m in body["messages"][:-1])
            code = re.search(r"language code ([a-z-]+)", system).group(1)
            lines = []
            for line in str(body["messages"][-1]["content"]).splitlines():
                index, _, text = line.partition("\t")
                lines.append(f"{index}\t{self.translate(code, text)}")
            message["content"] = "\n".join(lines)
        return {
            "id": "chatcmpl-standin",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "standin"),
            "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    @staticmethod
    def _scripted(item: dict[str, Any], json: Any) -> dict[str, Any]:
        if "content" in item:
            return {"content": item["content"]}
        calls = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
            for i, (name, args) in enumerate(item["tool_calls"])
        ]
        return {"tool_calls": calls}

    def __enter__(self) -> StandInChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._http.shutdown()
        self._http.server_close()
