"""The commands' flags are made from the options models: names, aliases, choices, help, and
every value is checked before any work starts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from reelgraph.app.cli import build_parser, main
from reelgraph.graph.context import AnalyzeContext, CaptionContext, Context


def _sub(name: str) -> argparse.ArgumentParser:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[name]  # type: ignore[no-any-return]


def _flags(name: str) -> dict[str, argparse.Action]:
    return {s: a for a in _sub(name)._actions for s in a.option_strings}


@pytest.mark.parametrize(
    ("command", "model"),
    [("create", Context), ("caption", CaptionContext), ("analyze", AnalyzeContext)],
)
def test_every_option_is_a_flag_with_the_models_help_choices_and_default(
    command: str, model: Any
) -> None:
    flags = _flags(command)
    for name, info in model.model_fields.items():
        if name in model.CLI_SKIP:
            continue
        action = flags["--" + name.replace("_", "-")]
        assert action.dest == name and action.default is None  # the default stays in the model
        if name != "music":  # create's --music also takes a file: its own help says so
            assert info.description.rstrip(".") in action.help
        if info.default not in (None, False):
            assert f"(default: {info.default})" in action.help
        for alias in model.aliases(name, "cli"):
            assert flags["--" + alias.replace("_", "-")] is action
    assert ("--size" in flags) == ("width" in model.CLI_SKIP)  # width and height come as WxH


def test_choices_and_old_spellings() -> None:
    create, caption, analyze = _flags("create"), _flags("caption"), _flags("analyze")
    assert create["--caption-style"].choices == ["karaoke", "pop", "clean", "bold"]
    assert create["--caption-position"].choices == ["top", "middle", "bottom"]
    assert "Bebas Neue" in caption["--caption-font"].choices
    assert create["--model"].dest == "llm_model"  # create: the chat model
    assert caption["--model"].dest == analyze["--model"].dest == "asr_model"  # the ASR model
    assert caption["--style"].dest == "caption_style" and caption["--broll"].dest == "broll_dir"
    assert analyze["--every"].dest == "every_n_frames" and analyze["--ocr"].dest == "ocr_engine"


class _Runner:
    """Stands in for graph.runner.run_job and records what it was given."""

    def __init__(self, tmp_path: Path) -> None:
        self.calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self.video = tmp_path / "made.mp4"
        self.video.write_bytes(b"\x00" * 16)

    def __call__(self, kind: str, inputs: dict[str, Any], options: dict[str, Any], **_: Any):
        self.calls.append((kind, inputs, options))
        return {"artifacts": {"video.mp4": str(self.video)}, "report": {}, "analysis": {}}


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: Any) -> _Runner:
    settings_env(REELGRAPH_HOME=str(tmp_path / "home"))
    fake = _Runner(tmp_path)
    monkeypatch.setattr("reelgraph.graph.runner.run_job", fake)
    return fake


def test_create_passes_the_given_options_only(runner: _Runner, tmp_path: Path) -> None:
    out = tmp_path / "o.mp4"
    argv = ["create", "hi there", "-q", "-o", str(out), "--caption-color", "Gold"]
    argv += ["--highlight-color", "#00ff00", "--caption-font", "Anton", "--caption-size", "72"]
    argv += ["--caption-position", "top", "--style", "pop", "--model", "gpt-x", "--size", "320x568"]
    assert main(argv) == 0
    kind, _, options = runner.calls[0]
    assert kind == "create" and out.is_file()
    assert options == {
        "caption_color": "Gold",
        "highlight_color": "#00ff00",
        "caption_font": "Anton",
        "caption_size": 72,
        "caption_position": "top",
        "caption_style": "pop",
        "llm_model": "gpt-x",
        "width": 320,
        "height": 568,
    }
    ctx = Context.from_options(options)
    assert (ctx.caption_color, ctx.highlight_color, ctx.voice) == ("gold", "#00FF00", "joe")


def test_caption_and_analyze_take_model_as_the_asr_model(runner: _Runner, tmp_path: Path) -> None:
    out = tmp_path / "c.mp4"
    argv = ["caption", "in.mp4", "-q", "-o", str(out), "--model", "base", "--llm-model", "gpt-y"]
    assert main([*argv, "--threshold", "-40", "--cut-silences", "--caption-color", "red"]) == 0
    assert runner.calls[-1][2] == {
        "asr_model": "base",
        "llm_model": "gpt-y",
        "silence_threshold_db": -40.0,
        "remove_silence": True,
        "caption_color": "red",
    }
    assert main(["analyze", "in.mp4", "-q", "-o", str(tmp_path / "a.json"), "--every", "5"]) == 0
    assert runner.calls[-1][2] == {"every_n_frames": 5}


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (
            ["create", "hi", "--caption-color", "blurple"],
            "--caption-color: 'blurple' is not a colour",
        ),
        (["create", "hi", "--caption-size", "10"], "--caption-size 10 is out of range"),
        (["create", "hi", "--music", "jazz"], "Music 'jazz' is not a mood"),
        (["caption", "in.mp4", "--highlight-color", "nope"], "#RRGGBB"),
        (["caption", "in.mp4", "--min-silence", "0.4", "--padding", "0.3"], "padding"),
        (["analyze", "in.mp4", "--every", "0"], "--every-n-frames 0 is out of range"),
    ],
)
def test_a_bad_value_fails_before_any_work(
    runner: _Runner,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    needle: str,
) -> None:
    assert main([*argv, "-q", "-o", str(tmp_path / "o.mp4")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and needle in err[0], err
    assert runner.calls == []


def test_a_bad_choice_fails_at_parse_time_listing_the_choices(
    runner: _Runner, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["create", "hi", "--caption-style", "comic-sans", "-o", str(tmp_path / "o.mp4")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "comic-sans" in err and "'karaoke', 'pop', 'clean', 'bold'" in err
    assert runner.calls == []
