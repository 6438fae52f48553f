"""Transcript correction with a scripted chat model, caption knobs and the graphs' shape."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage

from reelgraph.errors import InvalidInput, MissingAsset
from reelgraph.prompts import load
from reelgraph.workers.engine.correct import correct_words, parse_numbered
from tests.fakes import ScriptedChatModel

WORDS = [
    {"text": "the", "start": 0.0, "end": 0.2, "prob": 0.9},
    {"text": "quick", "start": 0.2, "end": 0.5, "prob": 0.9},
    {"text": "round", "start": 0.5, "end": 0.8, "prob": 0.4},
    {"text": "fox", "start": 0.8, "end": 1.1, "prob": 0.9},
]


def test_parse_numbered_requires_every_line_once() -> None:
    assert parse_numbered("1\tThe\n2\tquick\n", 2) == ["The", "quick"]
    assert parse_numbered("1. The\n2) quick", 2) == ["The", "quick"]
    assert parse_numbered("1\tThe\n3\tquick", 2) is None
    assert parse_numbered("1\tThe quick\n2\tbrown", 2) is None  # merged words


def test_correction_changes_text_keeps_timings_and_is_cached() -> None:
    prompt = load("correct_transcript").text
    reply = AIMessage(content="1\tThe\n2\tquick\n3\tbrown\n4\tfox")
    model = ScriptedChatModel.scripted([reply])
    res = correct_words(WORDS, model, prompt)
    assert res["applied"] and res["changed"] == 2 and not res["cache_hit"]
    assert [w["text"] for w in res["words"]] == ["The", "quick", "brown", "fox"]
    assert [(w["start"], w["end"]) for w in res["words"]] == [(w["start"], w["end"]) for w in WORDS]
    assert "3\tround" in model.calls[0][1].content
    again = correct_words(WORDS, ScriptedChatModel.scripted([]), prompt)  # no call made
    assert again["cache_hit"] and again["words"] == res["words"]
    other_prompt = correct_words(WORDS, ScriptedChatModel.scripted([reply]), prompt + " ")
    assert not other_prompt["cache_hit"]


def test_correction_with_wrong_word_count_is_not_applied() -> None:
    model = ScriptedChatModel.scripted([AIMessage(content="1\tThe\n2\tquick brown\n3\tfox")])
    res = correct_words(WORDS, model, "fix it v2")
    assert not res["applied"] and res["words"] == WORDS
    assert "number of words" in res["reason"]


def test_caption_context_validates_knobs(tmp_path: Any) -> None:
    from reelgraph.graph.context import CaptionContext

    ctx = CaptionContext.from_options(
        {"style": "pop", "asr_model": "base", "aspect": "9:16", "model": "gpt-x"}
    )
    assert (ctx.caption_style, ctx.asr_model, ctx.aspect) == ("pop", "base", "9:16")
    assert ctx.llm_model == "gpt-x"  # the API's `model` is the chat model
    api = CaptionContext.from_options(
        {"cut_silences": True, "threshold": -40, "padding": 0.1, "correct_transcript": True}
    )
    assert (api.remove_silence, api.silence_threshold_db, api.silence_padding, api.correct) == (
        True,
        -40,
        0.1,
        True,
    )
    with pytest.raises(InvalidInput, match="Caption style"):
        CaptionContext.from_options({"caption_style": "comic-sans"})
    with pytest.raises(InvalidInput, match="aspect"):
        CaptionContext.from_options({"aspect": "4:3"})
    with pytest.raises(InvalidInput):
        CaptionContext.from_options({"width": 101, "height": 100})
    with pytest.raises(MissingAsset, match="b-roll"):
        CaptionContext.from_options({"broll_dir": str(tmp_path / "nope")})
    with pytest.raises(InvalidInput, match="padding"):
        CaptionContext.from_options({"min_silence": 0.4, "silence_padding": 0.3})


def test_output_size_rules() -> None:
    from reelgraph.nodes.edit import output_size

    src = {"width": 1920, "height": 1080, "rotation": 0}
    assert output_size("source", None, None, src) == (1920, 1080)
    assert output_size("9:16", None, None, src) == (1080, 1920)
    assert output_size("9:16", 180, 320, src) == (180, 320)
    assert output_size("source", None, None, {"width": 3840, "height": 2160}) == (1920, 1080)
    assert output_size("source", None, None, {"width": 1920, "height": 1080, "rotation": 90}) == (
        1080,
        1920,
    )


def test_graph_shapes_and_routing() -> None:
    from reelgraph.graph.analyze import graph as analyze_graph
    from reelgraph.graph.caption import graph as caption_graph
    from reelgraph.graph.caption import route_after_transcript

    nodes = set(caption_graph.get_graph().nodes)
    assert {
        "ingest_media",
        "transcribe_audio",
        "correct_transcript",
        "plan_edits",
        "build_captions",
        "compose_spec",
        "render",
        "deliver",
    } <= nodes
    assert {"read_screen_text", "assemble_analysis"} <= set(analyze_graph.get_graph().nodes)

    class Rt:
        def __init__(self, correct: bool) -> None:
            self.context = type("C", (), {"correct": correct})()

    state = {"transcript": {"words": WORDS}}
    assert route_after_transcript(state, Rt(True)) == "correct_transcript"  # type: ignore[arg-type]
    assert route_after_transcript(state, Rt(False)) == "plan_edits"  # type: ignore[arg-type]
    empty = {"transcript": {"words": []}}
    assert route_after_transcript(empty, Rt(True)) == "plan_edits"  # type: ignore[arg-type]


def test_resolve_source_kinds(tmp_path: Any, settings_env: Any) -> None:
    from reelgraph.nodes.analyze import resolve_source

    s = settings_env(REELGRAPH_HOME=str(tmp_path))
    s.uploads_dir.mkdir(parents=True)
    (s.uploads_dir / "abc123.mp4").write_bytes(b"x")
    assert resolve_source("upload:abc123")[0].name == "abc123.mp4"
    with pytest.raises(InvalidInput):
        resolve_source("upload:../../etc/passwd")
    with pytest.raises(MissingAsset):
        resolve_source("upload:zzz")
    with pytest.raises(InvalidInput):
        resolve_source("ftp://example.com/a.mp4")
    with pytest.raises(MissingAsset):
        resolve_source(str(tmp_path / "missing.mp4"))
