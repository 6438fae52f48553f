"""The ``export`` option (create and caption): a list or a comma-separated string of otio,
fcpxml, edl; anything else refused up front, naming the choices, on the CLI and in the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from reelgraph.app.api.errors import describe_errors
from reelgraph.app.api.models import JobCreate
from reelgraph.app.cli import main
from reelgraph.graph.context import AnalyzeContext, CaptionContext, Context

INPUTS = {
    "create": {"prompt": "Owls can turn their heads."},
    "caption": {"video": "https://example.com/v.mp4"},
}


@pytest.mark.parametrize("model", [Context, CaptionContext])
def test_list_or_comma_string_each_format_once_in_order(model: type) -> None:
    assert model().export is None
    assert model.from_options({"export": "EDL, otio,edl"}).export == ("otio", "edl")
    assert model.from_options({"export": ["fcpxml", "otio"]}).export == ("otio", "fcpxml")
    assert model.from_options({"export": ""}).export == ()
    assert "export" not in AnalyzeContext.model_fields


@pytest.mark.parametrize("command", ["create", "caption"])
@pytest.mark.parametrize("value", ["otio,aaf", "xml", "otio;edl"])
def test_cli_refuses_a_bad_format_before_any_work(
    command: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.mp4"
    first = ["--transcript", "Owls can turn their heads."] if command == "create" else ["in.mp4"]
    rc = main([command, *first, "--export", value, "-q", "-o", str(out)])
    err = capsys.readouterr().err
    assert rc == 1
    assert "--export" in err and "'otio', 'fcpxml' or 'edl'" in err, err
    assert list(tmp_path.iterdir()) == []  # nothing started, nothing written


@pytest.mark.parametrize("kind", ["create", "caption"])
def test_api_takes_a_list_or_a_string(kind: str) -> None:
    for value in (["edl", "otio"], "otio,edl"):
        job = JobCreate.model_validate(
            {"kind": kind, "input": INPUTS[kind], "options": {"export": value}}
        )
        assert job.options.to_options() == {"export": ("otio", "edl")}


@pytest.mark.parametrize("kind", ["create", "caption"])
@pytest.mark.parametrize("value", [["otio", "aaf"], "otio,xml", 3, {"otio": True}])
def test_api_refuses_a_bad_format(kind: str, value: object) -> None:
    with pytest.raises(ValidationError) as err:
        JobCreate.model_validate(
            {"kind": kind, "input": INPUTS[kind], "options": {"export": value}}
        )
    message = describe_errors(err.value.errors())
    assert message.startswith("options.export")
    assert "otio" in message and "fcpxml" in message and "edl" in message, message


def test_api_refuses_export_for_analyze() -> None:
    with pytest.raises(ValidationError) as err:
        JobCreate.model_validate(
            {"kind": "analyze", "input": INPUTS["caption"], "options": {"export": "otio"}}
        )
    assert "export is an option of create and caption jobs" in describe_errors(err.value.errors())


class _Runner:
    """Stands in for graph.runner.run_job and records the inputs it was given."""

    def __init__(self, tmp_path: Path) -> None:
        self.inputs: list[dict[str, Any]] = []
        self.video = tmp_path / "made.mp4"
        self.video.write_bytes(b"\x00" * 16)

    def __call__(self, kind: str, inputs: dict[str, Any], options: dict[str, Any], **_: Any):
        self.inputs.append(inputs)
        return {"artifacts": {"video.mp4": str(self.video)}, "report": {}}


@pytest.mark.parametrize("command", ["create", "caption"])
def test_cli_names_the_output_only_when_exporting(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: Any
) -> None:
    """With --export the graph learns where the video goes (the timelines name the files
    beside it); without, the inputs (and create's run-cache key) do not depend on -o."""
    settings_env(REELGRAPH_HOME=str(tmp_path / "home"))
    fake = _Runner(tmp_path)
    monkeypatch.setattr("reelgraph.graph.runner.run_job", fake)
    first = ["Owls can turn their heads."] if command == "create" else [str(fake.video)]
    out = tmp_path / "sub" / "v.mp4"
    out.parent.mkdir()
    assert main([command, *first, "-q", "-o", str(out)]) == 0
    assert main([command, *first, "-q", "-o", str(out), "--export", "edl"]) == 0
    assert "output_path" not in fake.inputs[0]
    assert fake.inputs[1]["output_path"] == str(out.resolve())
