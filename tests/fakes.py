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
