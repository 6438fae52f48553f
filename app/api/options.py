"""The API's ``options`` of each job kind, made from the flows' options models (graph/context.py).

``CreateOptions``, ``CaptionOptions`` and ``AnalyzeOptions`` have their flow's fields (but the
``API_SKIP`` ones: server paths, which arrive as ``input``), each optional (absent: the model's
default), with the model's types, bounds and descriptions and the alias table's API names
(``style`` for ``caption_style``). On top the API refuses paths and multi-line text where a
name is expected, takes a music track as an asset id or URL, and takes ``reframe`` (caption:
``aspect`` 9:16). ``flow_context`` then validates a job's options with the flow's own model
(sizes against the limits, the rules between fields), so the API, the CLI and LangGraph
Studio accept and refuse the same values.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from reelgraph.app.api.checks import NAME_RE, check_music, check_text
from reelgraph.graph.context import CONTEXTS
from reelgraph.graph.options import FlowOptions, invalid


class ApiOptions(BaseModel):
    """Options of one job kind (see ``CreateOptions``, ``CaptionOptions``, ``AnalyzeOptions``)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    FLOW: ClassVar[type[FlowOptions] | None] = None

    @field_validator("voice", "asr_model", "dub_voice", check_fields=False)
    @classmethod
    def _names(cls, v: str | None) -> str | None:
        if v is not None and not NAME_RE.match(v):
            raise ValueError("must be a short name (letters, digits, _ . -), not a path or URL.")
        return v

    @field_validator("llm_model", "language", check_fields=False)
    @classmethod
    def _line(cls, v: str | None) -> str | None:
        return None if v is None else check_text(v, multiline=False)

    @field_validator("music", check_fields=False)
    @classmethod
    def _music(cls, v: str | None) -> str | None:
        return None if v is None else check_music(v)

    def to_options(self) -> dict[str, Any]:
        """The options given, by field name (``reframe`` becomes ``aspect``)."""
        out = self.model_dump(exclude_none=True, exclude={"reframe"})
        if getattr(self, "reframe", None) and "aspect" not in out:
            out["aspect"] = "9:16"
        return out


def _api_field(flow: type[FlowOptions], name: str) -> tuple[Any, Any]:
    info = flow.model_fields[name]
    aliases = flow.aliases(name, "api")
    annotation: Any = info.annotation
    annotation = annotation | None
    if info.metadata:
        annotation = Annotated[annotation, *info.metadata]
    return annotation, Field(
        None,
        title=info.title,
        description=info.description,
        validation_alias=AliasChoices(name, *aliases) if aliases else None,
    )


#: Options only the API takes, per kind.
API_EXTRAS: dict[str, dict[str, Any]] = {
    "caption": {
        "reframe": (
            bool | None,
            Field(None, description="Reframe to 9:16 following faces (the same as aspect 9:16)."),
        )
    }
}


def _options_model(kind: str) -> type[ApiOptions]:
    flow = CONTEXTS[kind]
    fields = {n: _api_field(flow, n) for n in flow.model_fields if n not in flow.API_SKIP}
    model = create_model(  # type: ignore[call-overload]
        f"{kind.title()}Options",
        __base__=ApiOptions,
        __doc__=f"Options of a {kind} job: {flow.__doc__}",
        **fields,
        **API_EXTRAS.get(kind, {}),
    )
    model.FLOW = flow
    return model  # type: ignore[no-any-return]


CreateOptions = _options_model("create")
CaptionOptions = _options_model("caption")
AnalyzeOptions = _options_model("analyze")
ClipsOptions = _options_model("clips")
OPTIONS: dict[str, type[ApiOptions]] = {
    "create": CreateOptions,
    "caption": CaptionOptions,
    "analyze": AnalyzeOptions,
    "clips": ClipsOptions,
}


def option_names(model: type[ApiOptions]) -> set[str]:
    """Every key ``model`` takes: field names and their aliases."""
    out = set(model.model_fields)
    for info in model.model_fields.values():
        if isinstance(info.validation_alias, AliasChoices):
            out |= {str(c) for c in info.validation_alias.choices}
    return out


#: Every key each kind takes.
NAMES = {kind: option_names(model) for kind, model in OPTIONS.items()}


def _foreign_keys(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the nulls of other kinds' options; an option of another kind given a
    value is refused with a sentence saying which kinds take it."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        others = [] if key in NAMES[kind] else [k for k in NAMES if key in NAMES[k]]
        if others and value is not None:
            kinds = " and ".join([", ".join(others[:-1]), others[-1]] if others[:-1] else others)
            raise invalid("options", key, value, f"{key} is an option of {kinds} jobs.")
        if not others:
            out[key] = value
    return out


def options_for_kind(value: Any, info: ValidationInfo) -> ApiOptions:
    """Validate a job's ``options`` with the model of its ``kind`` (validated before it)."""
    kind = info.data.get("kind")
    if kind not in OPTIONS:  # the kind itself is refused already
        return ApiOptions()
    model = OPTIONS[kind]
    if isinstance(value, ApiOptions):
        value = value.to_options()
    if isinstance(value, dict):
        value = _foreign_keys(kind, value)
    return model.model_validate(value)


def flow_context(kind: str, options: dict[str, Any]) -> FlowOptions:
    """The flow's options model made from a job's options; its errors name ``options.<field>``."""
    flow = CONTEXTS[kind]
    try:
        return flow.model_validate(options)
    except ValidationError as exc:
        details = [
            InitErrorDetails(
                type=PydanticCustomError("invalid_option", str(e["msg"])),
                loc=("options", *e["loc"]),
                input=e.get("input"),
            )
            for e in exc.errors()
        ]
        raise ValidationError.from_exception_data("JobCreate", details) from None
