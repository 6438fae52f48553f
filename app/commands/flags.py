"""Command-line flags made from a flow's options model (graph/context.py).

Every field is a flag: ``caption_color`` is ``--caption-color``, an alias of the model's table is
another spelling (``--style``), a Literal gives the choices, the field's docstring the help, and
the model's default is shown in the help but never set here: a flag that is not given is left
out, so the default stays in the model.
"""

from __future__ import annotations

import argparse
import inspect
import types
import typing
from typing import Any, Literal

from reelgraph.graph.options import FlowOptions


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _base(annotation: Any) -> Any:
    """``X`` of ``X | None`` (and of ``Annotated[X, ...]``)."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _base(args[0])
    return annotation


def _help(text: str, default: Any) -> str:
    text = text.replace("%", "%%").rstrip(".")  # argparse formats help with %
    if default is None or default is False:
        return text
    shown = (
        {True: "on", False: "off"}.get(default, default) if isinstance(default, bool) else default
    )
    return f"{text} (default: {shown})"


def _argument(info: Any) -> dict[str, Any]:
    """add_argument keywords for a field: action, type and choices."""
    base = _base(info.annotation)
    if base is bool:
        return {"action": "store_true" if info.default is False else argparse.BooleanOptionalAction}
    if typing.get_origin(base) is Literal:
        return {"choices": list(typing.get_args(base))}
    if base in (int, float):
        return {"type": base, "metavar": "N" if base is int else "X"}
    return {"type": str}


def _owner(model: type[FlowOptions], name: str) -> type[FlowOptions]:
    """The class of ``model``'s hierarchy that declares field ``name``."""
    for cls in model.__mro__:
        if name in inspect.get_annotations(cls):
            return cls  # type: ignore[no-any-return]
    return model


def _order(model: type[FlowOptions], name: str) -> int:
    """The flow's own fields first, then those of its parts in the order of its bases."""
    return model.__mro__.index(_owner(model, name))


def add_option_flags(
    parser: argparse.ArgumentParser,
    model: type[FlowOptions],
    helps: dict[str, str] | None = None,
) -> None:
    """One flag per field of ``model`` (but its CLI_SKIP), with the table's aliases.

    ``helps`` replaces the help of a flag whose meaning on the command line is wider (``--music``
    also takes a file).
    """
    groups: dict[str, Any] = {}
    for name, info in sorted(model.model_fields.items(), key=lambda kv: _order(model, kv[0])):
        if name in model.CLI_SKIP:
            continue
        title = vars(_owner(model, name)).get("GROUP") or f"{model.FLOW} options"
        if title not in groups:
            groups[title] = parser.add_argument_group(title)
        group = groups[title]
        names = [flag(name), *(flag(a) for a in model.aliases(name, "cli"))]
        text = (helps or {}).get(name) or info.description or ""
        group.add_argument(
            *names, dest=name, default=None, help=_help(text, info.default), **_argument(info)
        )


def options_from_args(args: argparse.Namespace, model: type[FlowOptions]) -> dict[str, Any]:
    """The options given on the command line (by field name); the rest keep their defaults."""
    return {
        name: getattr(args, name)
        for name in model.model_fields
        if getattr(args, name, None) is not None
    }
