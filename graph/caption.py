"""The caption graph: caption, tighten and reframe an existing video in one render.

ingest_media -> probe_media -> extract_audio -> transcribe_audio -> [correct_transcript]
-> plan_edits -> build_captions -> compose_spec -> render -> deliver (the create flow's nodes).
Transcript, faces, audio and silence maps are cached, so a re-run with another caption style
only re-renders. Its options are ``CaptionContext`` and its state ``CaptionState``; runs go
through ``graph.runner.run_job``.
"""

from __future__ import annotations

import itertools
from functools import partial
from pathlib import Path
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from reelgraph.graph.context import CaptionContext
from reelgraph.graph.state import CaptionOutput, CaptionState, MediaInput
from reelgraph.nodes.analyze import extract_audio, ingest_media, probe_media, transcribe_audio
from reelgraph.nodes.captions import build_captions
from reelgraph.nodes.compose import compose_spec
from reelgraph.nodes.deliver import CAPTION_DELIVERY, deliver
from reelgraph.nodes.edit import correct_transcript, plan_edits
from reelgraph.nodes.render import render
from reelgraph.nodes.translate import route_after_render, translate_captions


def route_after_transcript(state: dict[str, Any], runtime: Runtime[CaptionContext]) -> str:
    """correct_transcript when asked for and there are words; else straight to plan_edits."""
    wanted = runtime is not None and runtime.context.correct
    has_words = bool((state.get("transcript") or {}).get("words"))
    return correct_transcript.__name__ if wanted and has_words else plan_edits.__name__


def build_caption_graph() -> StateGraph[Any, Any, Any, Any]:
    """The uncompiled caption builder."""
    builder = StateGraph(
        CaptionState,
        context_schema=CaptionContext,
        input_schema=MediaInput,
        output_schema=CaptionOutput,
    )
    head = [ingest_media, probe_media, extract_audio, transcribe_audio]
    tail = [plan_edits, build_captions, compose_spec, render]
    for fn in [*head, correct_transcript, *tail, translate_captions]:
        builder.add_node(fn)
    builder.add_node("deliver", partial(deliver, delivery=CAPTION_DELIVERY))
    builder.add_edge(START, head[0].__name__)
    for a, b in itertools.pairwise(head):
        builder.add_edge(a.__name__, b.__name__)
    builder.add_conditional_edges(
        transcribe_audio.__name__,
        route_after_transcript,
        [correct_transcript.__name__, plan_edits.__name__],
    )
    builder.add_edge(correct_transcript.__name__, plan_edits.__name__)
    for a, b in itertools.pairwise(tail):
        builder.add_edge(a.__name__, b.__name__)
    builder.add_conditional_edges(
        render.__name__, route_after_render, [translate_captions.__name__, deliver.__name__]
    )
    builder.add_edge(translate_captions.__name__, deliver.__name__)
    builder.add_edge(deliver.__name__, END)
    return builder


#: Compiled without a custom checkpointer, for langgraph.json / LangGraph Studio.
graph = build_caption_graph().compile()


def run_caption(
    input: dict[str, Any], options: dict[str, Any], *, out_dir: Path, **kw: Any
) -> dict[str, Any]:
    """Caption/edit one video; returns {artifacts, report, warnings}."""
    from reelgraph.graph.runner import run_job

    return run_job("caption", input, options, out_dir=out_dir, **kw)
