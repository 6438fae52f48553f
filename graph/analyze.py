"""The analyze graph: video or URL -> probe -> transcript + on-screen text -> JSON.

ingest_media -> probe_media -> extract_audio -> transcribe_audio -> read_screen_text
-> assemble_analysis. Its options are ``AnalyzeContext`` and its state ``AnalyzeState``; runs go
through ``graph.runner.run_job``.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from langgraph.graph import END, START, StateGraph

from reelgraph.graph.context import AnalyzeContext
from reelgraph.graph.state import AnalyzeOutput, AnalyzeState, MediaInput
from reelgraph.nodes.analyze import (
    assemble_analysis,
    extract_audio,
    ingest_media,
    probe_media,
    read_screen_text,
    transcribe_audio,
)


def build_analyze_graph() -> StateGraph[Any, Any, Any, Any]:
    """The uncompiled analyze builder."""
    builder = StateGraph(
        AnalyzeState,
        context_schema=AnalyzeContext,
        input_schema=MediaInput,
        output_schema=AnalyzeOutput,
    )
    order = [
        ingest_media,
        probe_media,
        extract_audio,
        transcribe_audio,
        read_screen_text,
        assemble_analysis,
    ]
    for fn in order:
        builder.add_node(fn)
    builder.add_edge(START, order[0].__name__)
    for a, b in itertools.pairwise(order):
        builder.add_edge(a.__name__, b.__name__)
    builder.add_edge(order[-1].__name__, END)
    return builder


#: Compiled without a custom checkpointer, for langgraph.json / LangGraph Studio.
graph = build_analyze_graph().compile()


def run_analyze(
    input: dict[str, Any], options: dict[str, Any], *, out_dir: Path, **kw: Any
) -> dict[str, Any]:
    """Analyze one media file; returns {artifacts, report, analysis, warnings}."""
    from reelgraph.graph.runner import run_job

    return run_job("analyze", input, options, out_dir=out_dir, **kw)
