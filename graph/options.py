"""What the options models of ``graph/context.py`` are made of: the base class, value types,
the alias lookup and the errors a person can act on.

Every flow's options model derives from ``FlowOptions``. Its fields (type, default, attribute
docstring) are the one definition of an option; ``Alias`` rows name the other spellings that
the CLI and the API accept. ``from_options`` maps those spellings onto the fields, validates
everything at once and raises ``InvalidInput`` whose message names the option and the values
it takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from reelgraph.errors import InvalidInput
from reelgraph.workers.engine.captions_look import css_colour
from reelgraph.workers.engine.scripts import MAX_TRANSLATIONS, normalize_language

Surface = Literal["cli", "api"]
#: Colours shown when one is refused.
COLOUR_EXAMPLES = "white, yellow, gold, red, deepskyblue, lime"


@dataclass(frozen=True)
class Alias:
    """Another name of an option: an old flag, an API or seed-route field name."""

    name: str
    """The other name (``style``); on the command line ``--style``."""
    field: str
    """The option it stands for (``caption_style``)."""
    flows: tuple[str, ...]
    """The flows (create, caption, analyze) that accept it."""
    cli: bool = True
    """Accepted as a command-line flag."""
    api: bool = True
    """Accepted in the API's options, the seed routes and ``from_options``."""


def check_colour(value: str) -> str:
    """A CSS colour name (lower-cased) or ``#RRGGBB`` (upper-cased); else say what works."""
    try:
        return css_colour(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a colour; use a CSS colour name such as {COLOUR_EXAMPLES}, "
            "or #RRGGBB such as #FFD400."
        ) from None


#: A CSS colour name or ``#RRGGBB``.
Colour = Annotated[str, AfterValidator(check_colour)]


def _split_codes(value: Any) -> Any:
    """``"de, fr"`` (the command line's and the API's string form) -> ``["de", "fr"]``."""
    if isinstance(value, str):
        return [v for v in (x.strip() for x in value.split(",")) if v]
    return value


def _distinct(codes: tuple[str, ...]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(codes))
    if not out:
        raise ValueError("give at least one language code, such as de or de,fr")
    if len(out) > MAX_TRANSLATIONS:
        raise ValueError(f"give at most {MAX_TRANSLATIONS} languages")
    return out


#: A language code reelgraph knows (``de``, ``pt-br``), in canonical form.
LanguageCode = Annotated[str, AfterValidator(normalize_language)]
#: Language codes as a list or a comma-separated string; distinct, at least one.
LanguageList = Annotated[
    tuple[LanguageCode, ...], BeforeValidator(_split_codes), AfterValidator(_distinct)
]


def invalid(model: str, field: str, value: Any, message: str) -> ValidationError:
    """A validation error of ``field`` carrying ``message`` as it is (a whole sentence)."""
    error = PydanticCustomError("invalid_option", message)
    return ValidationError.from_exception_data(
        model, [InitErrorDetails(type=error, loc=(field,), input=value)]
    )


class FlowOptions(BaseModel):
    """Per-run knobs of one flow; field docstrings are the descriptions everywhere."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True
    )

    FLOW: ClassVar[str] = ""
    #: Title of a part shared by several flows (the help groups its flags under it).
    GROUP: ClassVar[str] = ""
    #: Fields with no flag of their own (the commands give ``--size`` for width and height).
    CLI_SKIP: ClassVar[frozenset[str]] = frozenset()
    #: Fields the API does not take as options (server paths: they arrive as ``input``).
    API_SKIP: ClassVar[frozenset[str]] = frozenset()
    #: The other names of every flow's options (set by graph/context.py).
    ALIASES: ClassVar[tuple[Alias, ...]] = ()

    @classmethod
    def aliases(cls, field: str, surface: Surface) -> list[str]:
        """The other names of ``field`` on ``surface`` in this flow."""
        return [
            a.name
            for a in cls.ALIASES
            if a.field == field and cls.FLOW in a.flows and getattr(a, surface)
        ]

    @classmethod
    def canonical(cls, options: Mapping[str, Any]) -> dict[str, Any]:
        """``options`` keyed by field name (API aliases mapped), without None values."""
        names = {a: f for f in cls.model_fields for a in cls.aliases(f, "api")}
        out: dict[str, Any] = {}
        for key, value in options.items():
            if value is None:
                continue
            field = names.get(key, key)
            if field in out:
                raise InvalidInput(f"Give the option {field} once (it was also given as {key}).")
            out[field] = value
        return out

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, flags: bool = False) -> Self:
        """Validate ``options`` (field names or their aliases; None means the default).

        Raises ``InvalidInput`` naming the option (as ``--flag`` when ``flags``) and what it takes.
        """
        try:
            return cls.model_validate(cls.canonical(options))
        except ValidationError as exc:
            raise InvalidInput(describe(cls, exc, flags=flags)) from None

    def fail(self, field: str, value: Any, message: str) -> ValidationError:
        """The error to raise from a model validator when ``field`` breaks a rule."""
        return invalid(type(self).__name__, field, value, message)


def label(cls: type[FlowOptions], field: str, *, flags: bool) -> str:
    """How a message names an option: ``--caption-style``, or ``Caption style (caption_style)``."""
    if flags:
        return "--" + field.replace("_", "-")
    info = cls.model_fields.get(field)
    title = (info.title if info else None) or field.replace("_", " ").capitalize()
    return f"{title} ({field})"


_BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "more than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


def _sentence(cls: type[FlowOptions], err: Any, *, flags: bool) -> str:
    loc = err.get("loc") or ()
    field = str(loc[0]) if loc else "options"
    kind, value, ctx = err.get("type"), err.get("input"), err.get("ctx") or {}
    if kind == "invalid_option":
        return str(err["msg"])
    if kind == "extra_forbidden":
        known = ", ".join(cls.model_fields)
        return f"Unknown option {field!r} for {cls.FLOW}; the options are {known}."
    name = label(cls, field, flags=flags)
    if kind == "literal_error":
        return f"{name} {value!r} is unknown; use one of: {ctx.get('expected', '')}."
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return f"{name} {value!r} is out of range; use {words} {ctx.get(key)}."
    msg = str(err.get("msg", "is invalid")).removeprefix("Value error, ")
    return f"{name}: {msg.rstrip('.')}."


def describe(cls: type[FlowOptions], exc: ValidationError, *, flags: bool = False) -> str:
    """One sentence per problem (three at most)."""
    return " ".join(_sentence(cls, err, flags=flags) for err in exc.errors()[:3])
